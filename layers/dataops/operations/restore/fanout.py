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

The lock is the framework's workflow lease (`Lease`): plan takes it, each unit renews it while it runs, finalize
or abort release it, and a crashed workflow's lock expires within the operation's lock_lease_seconds. The bodies
here do only the restore's own work.
"""

from __future__ import annotations

from dataops.backup.verify import ObjectProblem
from dataops.errors import InvalidRequest
from dataops.operations.framework import held_lease
from dataops.operations.restore.load import check_unit, clear_dynamodb_scope, load_unit, plan_units
from dataops.operations.restore.models import (
    AbortRestore,
    FinalizeRestore,
    PlanRestore,
    RestoreOutput,
    RestoreUnitRequest,
)
from dataops.operations.restore.prepare import (
    PreparedRestore,
    prepare_restore,
    previews,
    resolve_restore,
    rows_now,
    take_safety_backup,
)
from dataops.stores.data_stores import DataStores


def plan(request: PlanRestore, stores: DataStores) -> RestoreOutput:
    prepared = prepare_restore(request, stores)
    preview = previews(stores, prepared)
    if request.dry_run:
        # What the restore would put back, per table; `tables` adds the rows there now.
        return RestoreOutput(backup=prepared.summary(), tables=preview, counts=prepared.rows_after())
    safety = take_safety_backup(stores, prepared.scope, prepared.manifest.backup_id) if request.safety_backup else None
    units = plan_units(stores, prepared)
    # A chain unit replaces the items itself, base then increments.
    if prepared.scope.dynamodb and len(prepared.chain) == 1:
        clear_dynamodb_scope(stores, prepared)
    return RestoreOutput(
        backup={**prepared.summary(), "lease": held_lease().token},
        tables=preview,
        safety_backup_id=safety,
        units=units,
        counts={"units": len(units)},
    )


def unit(request: RestoreUnitRequest, stores: DataStores) -> RestoreOutput:
    planned = request.unit
    # The unit names its own part of the scope, so it needs no `tables` of the request that planned it.
    prepared = resolve_restore(stores, request.backup, planned.names, field="unit")
    check_unit(stores, prepared, planned)
    counts = load_unit(stores, prepared, planned)
    return RestoreOutput(backup=prepared.summary(), outcome={"unit": planned, "counts": counts}, counts=counts)


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


def finalize(request: FinalizeRestore, stores: DataStores) -> RestoreOutput:
    """Check the units' counts and the stores against the manifest; the framework then releases the lease and
    audits the whole restore (a failure here is released and audited too)."""
    prepared = resolve_restore(stores, request.backup, request.tables)
    done = [outcome.unit for outcome in request.outcomes]
    missing = [u for u in plan_units(stores, prepared) if u not in done]
    if missing:
        names = ", ".join(u.key or "+".join(u.names) for u in missing)
        raise InvalidRequest.for_field("outcomes", f"{len(missing)} units missing: {names}")
    restored: dict[str, int] = {}
    for outcome in request.outcomes:
        for name, rows in outcome.counts.items():
            if name in prepared.scope.names():
                restored[name] = restored.get(name, 0) + rows
    problems = _count_problems(stores, prepared, restored)
    return RestoreOutput(
        backup=prepared.summary(),
        problems=problems,
        counts={name: restored.get(name, 0) for name in prepared.scope.names()},
        details={"units": len(request.outcomes), "counts_match": not problems},
    ).failed_because("; ".join(f"{p.key}: {p.problem}" for p in problems))


def abort(request: AbortRestore, stores: DataStores) -> RestoreOutput:
    """Say whether the lease was still this restore's; the framework releases it and audits why it stopped."""
    return RestoreOutput(
        backup={"backup_id": request.backup},
        details={"lock_released": held_lease().holds(), "reason": request.reason},
    ).failed_because(request.reason or "the restore workflow stopped")
