"""`backup`: create (full, partial, or a named snapshot), list, validate and clean up encrypted backups;
export and import plain JSON lines, in one call or as a fanned-out job (`export-plan` ... `import-abort`).

Reset uses this too: `snapshot <name>` is `{"action": "create", "kind": "snapshot", "name": ...}`, and restore
accepts a snapshot name or `latest` wherever it accepts a backup id.
"""

from __future__ import annotations

from typing import Any

from dataops.backup import catalog
from dataops.backup.copy import copy_backup, target_stores
from dataops.backup.create import BackupOptions, create_backup
from dataops.backup.manifest import BackupManifest, backup_root
from dataops.backup.retention import RetentionPolicy, plan_cleanup
from dataops.backup.scope import resolve_scope
from dataops.backup.verify import validate_backup
from dataops.errors import InvalidRequest
from dataops.models import utc_now
from dataops.operations.backup import export_fanout
from dataops.operations.backup.exports import check_export, check_import, export_action, import_action
from dataops.operations.backup.fanout import abort, finalize, incremental_base, plan, unit
from dataops.operations.backup.models import (
    AbortBackup,
    AbortExport,
    AbortImport,
    BackupOutput,
    BackupRequest,
    BackupResult,
    BackupUnitRequest,
    CleanupBackups,
    CopyBackup,
    CreateBackup,
    ExportData,
    ExportUnitRequest,
    FinalizeBackup,
    FinalizeExport,
    FinalizeImport,
    ImportData,
    ImportUnitRequest,
    ListBackups,
    NewBackup,
    PlanBackup,
    PlanExport,
    PlanImport,
    ValidateBackup,
)
from dataops.operations.framework import Action, Lease, Operation
from dataops.stores.data_stores import DataStores


def check_new_backup(request: NewBackup, stores: DataStores) -> None:
    """Checks that need the profile or the bucket; before the lock, so bad input writes nothing."""
    if request.kind == "snapshot" and not request.name:
        raise InvalidRequest.for_field("name", "a snapshot needs a name")
    resolve_scope(stores.profile, request.tables)
    if request.kind == "incremental":
        incremental_base(request, stores)
    if request.kind == "snapshot" and request.name and catalog.snapshot_named(stores, request.name):
        raise InvalidRequest.for_field("name", f"a snapshot named {request.name!r} already exists")


def check_copy(request: CopyBackup, stores: DataStores) -> None:
    catalog.resolve(stores, request.backup)


def backup_summary(manifest: BackupManifest) -> dict[str, Any]:
    return {
        "backup_id": manifest.backup_id,
        "kind": manifest.kind,
        "name": manifest.name,
        "created": manifest.created.isoformat(),
        "tables": manifest.scope.names(),
        "rows": manifest.rows_by_name(),
        "objects": len(manifest.objects),
        "stored_bytes": manifest.stored_bytes,
        "encrypted": manifest.encryption is not None,
        "compression": manifest.compression,
        "migration_version": manifest.migration_version,
        "base": manifest.base,
    }


def create(request: CreateBackup, stores: DataStores) -> BackupOutput:
    scope = resolve_scope(stores.profile, request.tables)
    base = incremental_base(request, stores) if request.kind == "incremental" else None
    if request.dry_run:
        return BackupOutput(details={"would_back_up": scope.model_dump(), "kind": request.kind, "name": request.name})
    manifest = create_backup(
        stores,
        BackupOptions(
            kind=request.kind,
            name=request.name,
            scope=scope,
            compress=request.compression_enabled,
            compression_level=request.compression_level,
            encrypt=request.encryption_enabled,
            segments=request.segments,
            base=base,
        ),
    )
    return BackupOutput(backup=backup_summary(manifest), counts=manifest.rows_by_name())


def list_backups(request: ListBackups, stores: DataStores) -> BackupOutput:
    ids = catalog.backup_ids(stores)
    if request.next_token:
        ids = [found for found in ids if found < request.next_token]
    page = ids[: request.limit]
    summaries = [catalog.summarize(stores, backup_id) for backup_id in page]
    more = len(ids) > len(page)
    return BackupOutput(
        backups=summaries,
        next_token=page[-1] if more and page else None,
        counts={"listed": len(summaries), "complete": sum(1 for s in summaries if s.complete)},
    )


def validate(request: ValidateBackup, stores: DataStores) -> BackupOutput:
    manifest = catalog.resolve(stores, request.backup)
    problems = validate_backup(stores, manifest)
    return BackupOutput(
        backup=backup_summary(manifest),
        problems=problems,
        counts={"objects": len(manifest.objects), "bad_objects": len(problems)},
        details={"valid": not problems},
    ).failed_if(bool(problems))


def cleanup(request: CleanupBackups, stores: DataStores) -> BackupOutput:
    summaries = [catalog.summarize(stores, backup_id) for backup_id in catalog.backup_ids(stores)]
    policy = RetentionPolicy(request.retention_days, request.keep_last, request.include_snapshots)
    removals = plan_cleanup(summaries, policy, utc_now())
    deleted_objects = 0
    if not request.dry_run:
        for removal in removals:
            # The manifest goes first, so a cleanup interrupted half way leaves an incomplete backup, never a
            # "complete" one with missing objects.
            root = backup_root(stores.settings.backup_prefix, removal.backup_id)
            stores.backups.delete_keys([f"{root}/manifest.json"])
            keys = [entry["Key"] for entry in stores.backups.list_objects(f"{root}/")]
            deleted_objects += stores.backups.delete_keys(keys)
    by_id = {summary.backup_id: summary for summary in summaries}
    return BackupOutput(
        backups=[by_id[removal.backup_id] for removal in removals],
        counts={
            "backups_removed": len(removals),
            "objects_removed": deleted_objects,
            "kept": len(summaries) - len(removals),
        },
        details={
            "would_remove" if request.dry_run else "removed": {r.backup_id: r.reason for r in removals},
            "policy": {"retention_days": policy.retention_days, "keep_last": policy.keep_last},
        },
    )


def copy(request: CopyBackup, stores: DataStores) -> BackupOutput:
    manifest = catalog.resolve(stores, request.backup)
    target = target_stores(stores, request.region, request.bucket)
    details = {"region": target.settings.region, "bucket": target.backups.bucket}
    if request.dry_run:
        return BackupOutput(backup=backup_summary(manifest), details=details)
    copied = copy_backup(stores, manifest, target)
    return BackupOutput(
        backup=backup_summary(copied),
        details=details,
        counts={"objects": len(copied.objects), "stored_bytes": copied.stored_bytes},
    )


BACKUP: Operation[Any, BackupResult] = Operation(
    name="backup",
    result_model=BackupResult,
    actions=(
        Action(CreateBackup, create, mutates=True, check=check_new_backup),
        Action(ListBackups, list_backups),
        Action(ValidateBackup, validate),
        Action(CleanupBackups, cleanup, mutates=True),
        Action(ExportData, export_action, check=check_export),
        Action(ImportData, import_action, mutates=True, check=check_import),
        # The workflow's actions share one lease across their invocations: units run in parallel under it.
        Action(PlanBackup, plan, check=check_new_backup, lease=Lease.TAKE),
        Action(BackupUnitRequest, unit, lease=Lease.KEEP),
        Action(FinalizeBackup, finalize, lease=Lease.RELEASE),
        Action(AbortBackup, abort, lease=Lease.ABANDON),
        Action(CopyBackup, copy, mutates=True, check=check_copy),
        # The export and import jobs: the same lease pattern, one job per export path.
        Action(PlanExport, export_fanout.plan_export, check=check_export, lease=Lease.TAKE),
        Action(ExportUnitRequest, export_fanout.export_unit, lease=Lease.KEEP),
        Action(FinalizeExport, export_fanout.finalize_export, lease=Lease.RELEASE),
        Action(AbortExport, export_fanout.abort_export, lease=Lease.ABANDON),
        Action(PlanImport, export_fanout.plan_import, check=check_import, lease=Lease.TAKE),
        Action(ImportUnitRequest, export_fanout.import_unit, lease=Lease.KEEP),
        Action(FinalizeImport, export_fanout.finalize_import, lease=Lease.RELEASE),
        Action(AbortImport, export_fanout.abort_import, lease=Lease.ABANDON),
    ),
    lock_lease_seconds=300,
)

__all__ = ["BACKUP", "BackupOutput", "BackupRequest", "BackupResult", "backup_summary"]
