"""`backup`: create (full, partial, or a named snapshot), list, validate and clean up encrypted backups.

Reset uses this too: `snapshot <name>` is `{"action": "create", "kind": "snapshot", "name": ...}`, and restore
accepts a snapshot name or `latest` wherever it accepts a backup id.
"""

from __future__ import annotations

import time
from typing import Any, Literal

from pydantic import Field, field_validator

from dataops.backup import catalog
from dataops.backup.catalog import BackupSummary
from dataops.backup.create import BackupOptions, create_backup
from dataops.backup.manifest import BACKUP_ID_PATTERN, BackupManifest, backup_root
from dataops.backup.retention import RetentionPolicy, plan_cleanup
from dataops.backup.scope import resolve_scope
from dataops.backup.verify import ObjectProblem, validate_backup
from dataops.config import behaviour_defaults
from dataops.errors import InvalidRequest
from dataops.models import OperationRequest, OperationResult, OperationStatus, utc_now
from dataops.operations.framework import Operation, elapsed_ms, status_for
from dataops.stores.data_stores import DataStores

BackupAction = Literal["create", "list", "validate", "cleanup"]
NAME_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$"


class BackupRequest(OperationRequest):
    action: BackupAction
    backup: str | None = Field(default=None, description="validate: backup id, snapshot name, or 'latest'.")
    name: str | None = Field(default=None, pattern=NAME_PATTERN, description="create: a name (required for snapshots).")
    kind: Literal["full", "snapshot"] = "full"
    tables: list[str] | None = Field(
        default=None, description="create: back up only these entities, PostgreSQL tables or index base names."
    )
    compression_enabled: bool = Field(default_factory=lambda: behaviour_defaults().compression_enabled)
    encryption_enabled: bool = Field(default_factory=lambda: behaviour_defaults().encryption_enabled)
    compression_level: int = Field(default=3, ge=1, le=19)
    segments: int = Field(default=4, ge=1, le=32, description="create: parallel DynamoDB scan segments.")
    limit: int = Field(default=20, ge=1, le=1000, description="list: backups per page.")
    next_token: str | None = Field(default=None, description="list: the token a previous page returned.")
    retention_days: int = Field(default_factory=lambda: behaviour_defaults().retention_days, ge=1)
    keep_last: int = Field(default=3, ge=1, description="cleanup: always keep this many newest complete backups.")
    include_snapshots: bool = Field(default=False, description="cleanup: named snapshots may be removed too.")

    @field_validator("next_token")
    @classmethod
    def _token_is_an_id(cls, value: str | None) -> str | None:
        if value is not None and not BACKUP_ID_PATTERN.match(value):
            raise ValueError("is not a token from a previous list")
        return value


class BackupResult(OperationResult):
    backup: dict[str, Any] | None = None
    backups: list[BackupSummary] = []
    problems: list[ObjectProblem] = []
    next_token: str | None = None


def check_backup_request(request: BackupRequest, stores: DataStores) -> None:
    """Checks that need the profile or the bucket; before the lock, so bad input writes nothing."""
    if request.action == "validate" and not request.backup:
        raise InvalidRequest.for_field("backup", "validate needs a backup id, a snapshot name or 'latest'")
    if request.action == "create" and request.kind == "snapshot" and not request.name:
        raise InvalidRequest.for_field("name", "a snapshot needs a name")
    if request.action == "create":
        resolve_scope(stores.profile, request.tables)
        if request.kind == "snapshot" and request.name and catalog.snapshot_named(stores, request.name):
            raise InvalidRequest.for_field("name", f"a snapshot named {request.name!r} already exists")


def _result(request: BackupRequest, stores: DataStores, started: float, **fields: Any) -> BackupResult:
    return BackupResult(
        operation="backup",
        action=request.action,
        status=fields.pop("status", status_for(request)),
        profile=stores.profile.name,
        started_at=fields.pop("started_at"),
        duration_ms=elapsed_ms(started),
        **fields,
    )


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
    }


def create(request: BackupRequest, stores: DataStores) -> BackupResult:
    started_at, started = utc_now(), time.monotonic()
    scope = resolve_scope(stores.profile, request.tables)
    if request.dry_run:
        return _result(
            request,
            stores,
            started,
            started_at=started_at,
            details={"would_back_up": scope.model_dump(), "kind": request.kind, "name": request.name},
        )
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
        ),
    )
    rows = manifest.rows_by_name()
    return _result(request, stores, started, started_at=started_at, backup=backup_summary(manifest), counts=rows)


def list_backups(request: BackupRequest, stores: DataStores) -> BackupResult:
    started_at, started = utc_now(), time.monotonic()
    ids = catalog.backup_ids(stores)
    if request.next_token:
        ids = [found for found in ids if found < request.next_token]
    page = ids[: request.limit]
    summaries = [catalog.summarize(stores, backup_id) for backup_id in page]
    more = len(ids) > len(page)
    return _result(
        request,
        stores,
        started,
        started_at=started_at,
        backups=summaries,
        next_token=page[-1] if more and page else None,
        counts={"listed": len(summaries), "complete": sum(1 for s in summaries if s.complete)},
    )


def validate(request: BackupRequest, stores: DataStores) -> BackupResult:
    started_at, started = utc_now(), time.monotonic()
    manifest = catalog.resolve(stores, str(request.backup))
    problems = validate_backup(stores, manifest)
    return _result(
        request,
        stores,
        started,
        started_at=started_at,
        status=OperationStatus.FAILED if problems else status_for(request),
        backup=backup_summary(manifest),
        problems=problems,
        counts={"objects": len(manifest.objects), "bad_objects": len(problems)},
        details={"valid": not problems},
    )


def cleanup(request: BackupRequest, stores: DataStores) -> BackupResult:
    started_at, started = utc_now(), time.monotonic()
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
    return _result(
        request,
        stores,
        started,
        started_at=started_at,
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


ACTIONS = {"create": create, "list": list_backups, "validate": validate, "cleanup": cleanup}


def run_backup(request: BackupRequest, stores: DataStores) -> BackupResult:
    return ACTIONS[request.action](request, stores)


BACKUP = Operation(
    name="backup",
    request_model=BackupRequest,
    body=run_backup,
    mutates=lambda request: request.action in {"create", "cleanup"},
    check=check_backup_request,
    lock_lease_seconds=300,
)
