"""`restore`: put a backup (by id, snapshot name, or `latest`) back into the stores.

The backup is validated first and a broken one is refused before anything is written. A safety backup of what
is about to be replaced is taken first unless `safety_backup` is false. A dry run previews, per table, the rows
there now and the rows there after.

The `restore` action does it all in one call (the CLI, small data, and the in-process workflows); the restore
workflow fans out with `plan`, `unit`, `finalize` and `abort` (see `fanout`), with the same result.
"""

from __future__ import annotations

from typing import Any

from dataops.operations.framework import Action, Lease, Operation
from dataops.operations.restore.fanout import abort, finalize, plan, unit
from dataops.operations.restore.load import load_chain
from dataops.operations.restore.models import (
    AbortRestore,
    BrokenBackup,
    FinalizeRestore,
    PlanRestore,
    RestoreBackup,
    RestoreOutput,
    RestoreRequest,
    RestoreResult,
    RestoreScope,
    RestoreUnitRequest,
    TablePreview,
)
from dataops.operations.restore.prepare import prepare_restore, previews, resolve_restore, take_safety_backup
from dataops.reconcile.settle import settled
from dataops.stores.data_stores import DataStores


def restore(request: RestoreBackup, stores: DataStores) -> RestoreOutput:
    prepared = prepare_restore(request, stores)
    output = RestoreOutput(backup=prepared.summary(), tables=previews(stores, prepared))
    if request.dry_run:
        return output
    if request.safety_backup:
        output.safety_backup_id = take_safety_backup(stores, prepared.scope, prepared.manifest.backup_id)
    output.counts = load_chain(stores, prepared)
    # Succeeded only once the index equals the table for every indexed entity the restore wrote.
    scope = prepared.scope
    return settled(stores, output, dynamodb=scope.dynamodb, opensearch=scope.opensearch, enabled=request.settle_index)


def check_scope(request: RestoreScope | FinalizeRestore, stores: DataStores) -> None:
    """Unknown backups and names are refused before the lock, so they write nothing, not even an audit record."""
    resolve_restore(stores, request.backup, request.tables)


RESTORE: Operation[Any, RestoreResult] = Operation(
    name="restore",
    result_model=RestoreResult,
    actions=(
        Action(RestoreBackup, restore, mutates=True, check=check_scope),
        # The workflow's actions share one lease across their invocations: units run in parallel under it.
        Action(PlanRestore, plan, check=check_scope, lease=Lease.TAKE),
        Action(RestoreUnitRequest, unit, lease=Lease.KEEP),
        Action(FinalizeRestore, finalize, check=check_scope, lease=Lease.RELEASE),
        Action(AbortRestore, abort, lease=Lease.ABANDON),
    ),
    default_action="restore",
    lock_lease_seconds=300,
)

__all__ = ["RESTORE", "BrokenBackup", "RestoreRequest", "RestoreResult", "TablePreview"]
