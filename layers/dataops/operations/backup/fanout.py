"""`backup` actions `plan`, `unit` and `finalize`: the backup workflow's Step Functions Map runs one `unit` per
Lambda invocation, so a large table is spread over many invocations.

`plan` starts the backup (id, wrapped data key, `started.json`) and lists its units; `unit` writes one unit's
objects and returns its manifest entries; `finalize` writes the manifest from every unit's outcome, then validates
the whole backup; `abort` is the workflow's catch. They share the framework's workflow lease (`Lease`): plan takes
it, units renew it, finalize or abort release it and leave the one audit record.
"""

from __future__ import annotations

from dataops.backup import catalog
from dataops.backup.create import BackupOptions, finish_backup, load_started, plan_units, run_unit, start_backup
from dataops.backup.keys import open_data_key
from dataops.backup.manifest import BackupManifest
from dataops.backup.scope import resolve_scope
from dataops.backup.verify import validate_backup
from dataops.errors import InvalidRequest
from dataops.operations.backup.models import (
    AbortBackup,
    BackupOutput,
    BackupUnitRequest,
    FinalizeBackup,
    NewBackup,
    PlanBackup,
)
from dataops.operations.framework import held_lease
from dataops.segmented_compare import shares_for
from dataops.stores.data_stores import DataStores


def incremental_base(request: NewBackup, stores: DataStores) -> BackupManifest:
    """The complete backup an incremental one builds on; it must cover exactly the requested scope."""
    base = catalog.resolve(stores, request.base or "latest", "base")
    if base.kind == "safety":
        raise InvalidRequest.for_field("base", f"backup {base.backup_id} is a restore's safety backup; pick another")
    if base.scope != resolve_scope(stores.profile, request.tables):
        raise InvalidRequest.for_field(
            "base", f"backup {base.backup_id} covers {base.scope.names()}; an increment must cover the same tables"
        )
    return base


def plan(request: PlanBackup, stores: DataStores) -> BackupOutput:
    scope = resolve_scope(stores.profile, request.tables)
    options = BackupOptions(
        kind=request.kind,
        name=request.name,
        scope=scope,
        compress=request.compression_enabled,
        compression_level=request.compression_level,
        encrypt=request.encryption_enabled,
        segments=request.segments or shares_for(stores.table.item_count()),
        base=incremental_base(request, stores) if request.kind == "incremental" else None,
    )
    if request.dry_run:
        return BackupOutput(details={"would_back_up": scope.model_dump()})
    header = start_backup(stores, options)
    units = plan_units(header)
    return BackupOutput(
        backup={"backup_id": header.backup_id, "kind": header.kind, "name": header.name, "lease": held_lease().token},
        units=units,
        counts={"units": len(units)},
    )


def unit(request: BackupUnitRequest, stores: DataStores) -> BackupOutput:
    header = load_started(stores, request.backup)
    outcome = run_unit(stores, header, request.unit, open_data_key(stores, header.encryption))
    return BackupOutput(
        backup={"backup_id": header.backup_id},
        outcome=outcome,
        counts={entry.key.rsplit("/", 2)[-2]: entry.rows for entry in outcome.entries},
    )


def finalize(request: FinalizeBackup, stores: DataStores) -> BackupOutput:
    header = load_started(stores, request.backup)
    manifest = finish_backup(stores, header, request.outcomes)
    problems = validate_backup(stores, manifest)
    return BackupOutput(
        backup={
            "backup_id": manifest.backup_id,
            "rows": manifest.rows_by_name(),
            "stored_bytes": manifest.stored_bytes,
        },
        problems=problems,
        counts=manifest.rows_by_name(),
        details={"valid": not problems},
    ).failed_if(bool(problems))


def abort(request: AbortBackup, stores: DataStores) -> BackupOutput:
    """Say whether the lease was still this backup's; the framework releases it and audits why it stopped. The
    objects written so far stay as an incomplete backup (no manifest), which restore refuses and cleanup removes."""
    return BackupOutput(
        backup={"backup_id": request.backup},
        details={"lock_released": held_lease().holds(), "reason": request.reason},
    ).failed_because(request.reason or "the backup workflow stopped")
