"""`restore` actions `plan`, `unit`, `finalize` and `abort`: the restore workflow's Step Functions Map runs one
`unit` per Lambda invocation, so a large table is spread over many invocations.

- `plan` resolves and validates the backup (a broken one is refused before anything is written), takes the lock
  for the whole restore, takes the safety backup, deletes the DynamoDB scope's current items (every delete ends
  before any unit puts), and lists the units. A dry run returns the preview and no units, and writes nothing.
- `unit` restores one unit (a DynamoDB backup object, every PostgreSQL table in one transaction, a search index)
  and returns its counts. An incremental chain is a single unit that runs the whole single-function load.
- `finalize` checks the units' counts, and the rows DynamoDB and PostgreSQL now hold, against the manifest;
  releases the lock and writes the audit record.
- `abort` is the workflow's catch: it releases the lock and audits the failure. Without it the lease expires.

The lock is a lease: plan takes it, each unit renews it while it runs, so a crashed workflow's lock expires within
LEASE_SECONDS. Units never go through the operation's own lock (they run in parallel under the plan's lease).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from dataops.audit import current_actor, record_audit
from dataops.backup.verify import ObjectProblem
from dataops.errors import InvalidRequest
from dataops.locks import LeaseLock
from dataops.models import OperationStatus, utc_now
from dataops.operations.framework import MUTATION_LOCK, elapsed_ms, failed_result
from dataops.operations.restore.load import check_unit, clear_dynamodb_scope, load_unit, plan_units
from dataops.operations.restore.models import LeaseLost, RestoreRequest, RestoreResult, restore_result
from dataops.operations.restore.prepare import (
    PreparedRestore,
    prepare_restore,
    previews,
    resolve_restore,
    rows_now,
    take_safety_backup,
)
from dataops.stores.data_stores import DataStores

LEASE_SECONDS = 300


def _lease(stores: DataStores, token: str | None = None) -> LeaseLock:
    owner = f"{current_actor()} (restore workflow)"
    if token is None:
        return LeaseLock(stores.control, MUTATION_LOCK, owner, LEASE_SECONDS)
    return LeaseLock(stores.control, MUTATION_LOCK, owner, LEASE_SECONDS, token=token)


@contextmanager
def _kept(lock: LeaseLock) -> Iterator[None]:
    """Renew the lease now (refusing if it is gone) and every third of it while the block runs."""
    if not lock.renew():
        raise LeaseLost(
            "the restore's lock lease is no longer held (the workflow was aborted, or the lease expired and another "
            "run took the lock); nothing was written by this step"
        )
    stop = threading.Event()

    def keep_renewing() -> None:
        while not stop.wait(LEASE_SECONDS / 3):
            if not lock.renew():
                return

    renewer = threading.Thread(target=keep_renewing, name="restore-lease", daemon=True)
    renewer.start()
    try:
        yield
    finally:
        stop.set()
        renewer.join(timeout=5)


def check_fanout_request(request: RestoreRequest) -> None:
    if request.action in {"unit", "finalize", "abort"}:
        if request.dry_run:
            raise InvalidRequest.for_field("dry_run", f"a dry run stops at plan; {request.action} writes")
        if not request.lease:
            raise InvalidRequest.for_field("lease", f"{request.action} needs the lease that plan returned")
    if request.action == "unit" and request.unit is None:
        raise InvalidRequest.for_field("unit", "unit needs one of the units that plan returned")
    if request.action == "finalize" and request.outcomes is None:
        raise InvalidRequest.for_field("outcomes", "finalize needs the outcome of every unit")


def _audit(stores: DataStores, request: RestoreRequest, result: Any, error: str | None = None) -> None:
    # Outcomes repeat what the counts say, unit by unit; the audit keeps the request without them.
    parameters = request.model_dump(mode="json", exclude={"outcomes", "lease"})
    record_audit(stores.control, actor=current_actor(), parameters=parameters, result=result, error=error)


def plan(request: RestoreRequest, stores: DataStores) -> RestoreResult:
    started_at, started = utc_now(), time.monotonic()
    prepared = prepare_restore(request, stores)
    preview = previews(stores, prepared)
    if request.dry_run:
        return restore_result(
            request,
            stores,
            started,
            started_at=started_at,
            backup=prepared.summary(),
            tables=preview,
            # What the restore would put back, per table; `tables` adds the rows there now.
            counts=prepared.rows_after(),
        )
    lock = _lease(stores)
    lock.acquire()
    try:
        with _kept(lock):
            safety = (
                take_safety_backup(stores, prepared.scope, prepared.manifest.backup_id)
                if request.safety_backup
                else None
            )
            units = plan_units(stores, prepared)
            # A chain unit replaces the items itself, base then increments.
            if prepared.scope.dynamodb and len(prepared.chain) == 1:
                clear_dynamodb_scope(stores, prepared)
    except Exception as exc:
        lock.release()
        _audit(stores, request, failed_result("restore", request, stores.profile.name, started_at, started), str(exc))
        raise
    return restore_result(
        request,
        stores,
        started,
        started_at=started_at,
        backup={**prepared.summary(), "lease": lock.token},
        tables=preview,
        safety_backup_id=safety,
        units=units,
        counts={"units": len(units)},
    )


def unit(request: RestoreRequest, stores: DataStores) -> RestoreResult:
    started_at, started = utc_now(), time.monotonic()
    planned = request.unit
    if planned is None:
        raise InvalidRequest.for_field("unit", "unit needs one of the units that plan returned")
    # The unit names its own part of the scope, so it needs no `tables` of the request that planned it.
    prepared = resolve_restore(stores, request.backup, planned.names, field="unit")
    check_unit(stores, prepared, planned)
    with _kept(_lease(stores, request.lease)):
        counts = load_unit(stores, prepared, planned)
    return restore_result(
        request,
        stores,
        started,
        started_at=started_at,
        backup=prepared.summary(),
        outcome={"unit": planned, "counts": counts},
        counts=counts,
    )


def _count_problems(stores: DataStores, prepared: PreparedRestore, restored: dict[str, int]) -> list[ObjectProblem]:
    """Units' counts against the manifest; DynamoDB and PostgreSQL also as the stores hold them now (the lock keeps
    other writers out). Search indexes are checked by their units' bulk counts only: the stream sync may still be
    indexing the DynamoDB writes."""
    expected = prepared.rows_after()
    problems = [
        ObjectProblem(key=name, problem=f"units restored {restored.get(name, 0)} rows, the backup holds {rows}")
        for name, rows in expected.items()
        if restored.get(name, 0) != rows
    ]
    stored_scope = prepared.scope.model_copy(update={"opensearch": []})
    for name, now in rows_now(stores, stored_scope).items():
        if now != expected.get(name, 0):
            problems.append(ObjectProblem(key=name, problem=f"the store holds {now} rows, the backup {expected[name]}"))
    return problems


def finalize(request: RestoreRequest, stores: DataStores) -> RestoreResult:
    """Check the counts, release the lease, audit; on any failure the lease is released and the failure audited
    too (the workflow's catch only publishes the notice)."""
    started_at, started = utc_now(), time.monotonic()
    lock = _lease(stores, request.lease)
    try:
        with _kept(lock):
            result = _finalized(request, stores)
    except Exception as exc:
        lock.release()
        _audit(stores, request, failed_result("restore", request, stores.profile.name, started_at, started), str(exc))
        raise
    result.started_at, result.duration_ms = started_at, elapsed_ms(started)
    lock.release()
    _audit(stores, request, result, "; ".join(f"{p.key}: {p.problem}" for p in result.problems) or None)
    return result


def _finalized(request: RestoreRequest, stores: DataStores) -> RestoreResult:
    started_at, started = utc_now(), time.monotonic()
    prepared = resolve_restore(stores, request.backup, request.tables)
    outcomes = request.outcomes or []
    done = [outcome.unit for outcome in outcomes]
    missing = [u for u in plan_units(stores, prepared) if u not in done]
    if missing:
        names = ", ".join(u.key or "+".join(u.names) for u in missing)
        raise InvalidRequest.for_field("outcomes", f"{len(missing)} units missing: {names}")
    restored: dict[str, int] = {}
    for outcome in outcomes:
        for name, rows in outcome.counts.items():
            if name in prepared.scope.names():
                restored[name] = restored.get(name, 0) + rows
    problems = _count_problems(stores, prepared, restored)
    return restore_result(
        request,
        stores,
        started,
        started_at=started_at,
        status=OperationStatus.FAILED if problems else OperationStatus.SUCCEEDED,
        backup=prepared.summary(),
        problems=problems,
        counts={name: restored.get(name, 0) for name in prepared.scope.names()},
        details={"units": len(outcomes), "counts_match": not problems},
    )


def abort(request: RestoreRequest, stores: DataStores) -> RestoreResult:
    """Release the lease if it is still this restore's, and audit why the workflow stopped."""
    started_at, started = utc_now(), time.monotonic()
    lock = _lease(stores, request.lease)
    holder = stores.control.get(lock.key) or {}
    held = holder.get("token") == request.lease
    lock.release()
    result = restore_result(
        request,
        stores,
        started,
        started_at=started_at,
        status=OperationStatus.FAILED,
        backup={"backup_id": request.backup},
        details={"lock_released": held, "reason": request.reason},
    )
    _audit(stores, request, result, request.reason or "the restore workflow stopped")
    return result
