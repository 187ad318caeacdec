"""`restore`: put a backup (by id, snapshot name, or `latest`) back into the stores.

The backup is validated first and a broken one is refused before anything is written. A safety backup of what
is about to be replaced is taken first unless `safety_backup` is false. A dry run previews, per table, the rows
there now and the rows there after.

The `restore` action does it all in one call (the CLI, small data, and the in-process workflows); the restore
workflow fans out with `plan`, `unit`, `finalize` and `abort` (see `fanout`), with the same result.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from dataops.models import utc_now
from dataops.operations.framework import Action, Operation, elapsed_ms
from dataops.operations.restore.fanout import abort, check_fanout_request, finalize, plan, unit
from dataops.operations.restore.load import load_chain
from dataops.operations.restore.models import BrokenBackup, RestoreRequest, RestoreResult, TablePreview, restore_result
from dataops.operations.restore.prepare import prepare_restore, previews, resolve_restore, take_safety_backup
from dataops.stores.data_stores import DataStores


def restore(request: RestoreRequest, stores: DataStores) -> RestoreResult:
    started_at, started = utc_now(), time.monotonic()
    prepared = prepare_restore(request, stores)
    result = restore_result(
        request,
        stores,
        started,
        started_at=started_at,
        backup=prepared.summary(),
        tables=previews(stores, prepared),
    )
    if request.dry_run:
        return result
    if request.safety_backup:
        result.safety_backup_id = take_safety_backup(stores, prepared.scope, prepared.manifest.backup_id)
    result.counts = load_chain(stores, prepared)
    result.duration_ms = elapsed_ms(started)
    return result


ACTIONS: dict[str, Callable[[RestoreRequest, DataStores], RestoreResult]] = {
    "restore": restore,
    "plan": plan,
    "unit": unit,
    "finalize": finalize,
    "abort": abort,
}


def run_restore(request: RestoreRequest, stores: DataStores) -> RestoreResult:
    return ACTIONS[request.action](request, stores)


def check_restore_request(request: RestoreRequest, stores: DataStores) -> None:
    """Unknown backups and names are refused before the lock, so they write nothing, not even an audit record."""
    check_fanout_request(request)
    if request.action in {"restore", "plan", "finalize"}:
        resolve_restore(stores, request.backup, request.tables)


RESTORE = Operation(
    name="restore",
    result_model=RestoreResult,
    actions=(
        Action(
            RestoreRequest,
            run_restore,
            check=check_restore_request,
            # The workflow's actions hold the plan's lease themselves: units run in parallel under one lock.
            mutates=lambda request: request.action == "restore",
        ),
    ),
    lock_lease_seconds=300,
)

__all__ = ["RESTORE", "BrokenBackup", "RestoreRequest", "RestoreResult", "TablePreview", "run_restore"]
