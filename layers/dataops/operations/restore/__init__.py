"""`restore`: put a backup (by id, snapshot name, or `latest`) back into the stores.

The backup is validated first and a broken one is refused before anything is written. A safety backup of what
is about to be replaced is taken first unless `safety_backup` is false. A dry run previews, per table, the rows
there now and the rows there after.
"""

from __future__ import annotations

import time
from typing import Any, Literal

from pydantic import BaseModel, Field, field_validator

from dataops.backup import catalog, loaders
from dataops.backup.create import BackupOptions, create_backup
from dataops.backup.keys import open_data_key
from dataops.backup.manifest import BackupManifest, BackupScope
from dataops.backup.scope import STORE_NAMES, full_scope, narrow
from dataops.backup.verify import ObjectProblem, validate_backup
from dataops.config import behaviour_defaults
from dataops.errors import DataOpsError, InvalidRequest
from dataops.models import OperationRequest, OperationResult, utc_now
from dataops.operations.framework import Operation, elapsed_ms, status_for
from dataops.stores.data_stores import DataStores


def _default_tables() -> list[str] | None:
    configured = behaviour_defaults().restore_tables
    return [name.strip() for name in configured.split(",") if name.strip()] if configured else None


class RestoreRequest(OperationRequest):
    action: Literal["restore"] = "restore"
    backup: str = Field(description="A backup id, a snapshot name, or 'latest' (the newest complete backup).")
    tables: list[str] | None = Field(
        default_factory=_default_tables, description="Restore only these (env RESTORE_TABLES, comma separated)."
    )
    safety_backup: bool = Field(default=True, description="Back up what is about to be replaced first.")

    @field_validator("backup")
    @classmethod
    def _backup_is_named(cls, value: str) -> str:
        if not value:
            raise ValueError("must be a backup id, a snapshot name or 'latest'")
        return value


class TablePreview(BaseModel):
    name: str
    store: str
    rows_now: int | None
    rows_after: int


class RestoreResult(OperationResult):
    backup: dict[str, Any]
    tables: list[TablePreview] = []
    problems: list[ObjectProblem] = []
    safety_backup_id: str | None = None


class BrokenBackup(DataOpsError):
    code = "BrokenBackup"


def _rows_now(stores: DataStores, scope: BackupScope) -> dict[str, int | None]:
    now: dict[str, int | None] = {}
    if scope.dynamodb:
        counted = stores.table.count_by(stores.profile.table.entity_type_attribute)
        now.update({entity: counted.get(entity, 0) for entity in scope.dynamodb})
    for table in scope.postgres:
        now[table] = stores.postgres.count_rows(table) if stores.postgres.table_exists(table) else None
    for base_name in scope.opensearch:
        now[base_name] = stores.search.count(stores.settings.resolved_index(base_name))
    return now


def _rows_after(manifest: BackupManifest, scope: BackupScope) -> dict[str, int]:
    return {name: rows for name, rows in manifest.rows_by_name().items() if name in scope.names()}


def _selected(manifest: BackupManifest, scope: BackupScope) -> BackupManifest:
    """The manifest narrowed to the objects the restore reads."""
    names = set(scope.names())
    objects = [e for e in manifest.objects if e.name in names or (e.store == "dynamodb" and scope.dynamodb)]
    return manifest.model_copy(update={"objects": objects})


def run_restore(request: RestoreRequest, stores: DataStores) -> RestoreResult:
    started_at, started = utc_now(), time.monotonic()
    manifest = catalog.resolve(stores, request.backup)
    if manifest.profile != stores.profile.name:
        raise InvalidRequest.for_field(
            "backup", f"backup {manifest.backup_id} is of profile {manifest.profile!r}, not {stores.profile.name!r}"
        )
    scope = narrow(manifest.scope, request.tables, "tables")
    chain = [_selected(layer, scope) for layer in catalog.backup_chain(stores, manifest)]
    selected = chain[-1]
    problems = [problem for layer in chain for problem in validate_backup(stores, layer)]
    if problems:
        raise BrokenBackup(
            f"backup {manifest.backup_id} is broken, nothing was restored: "
            + "; ".join(f"{p.key}: {p.problem}" for p in problems)
        )
    now = _rows_now(stores, scope)
    after = _rows_after(selected, scope)
    previews = [
        TablePreview(name=name, store=store, rows_now=now.get(name), rows_after=after.get(name, 0))
        for store in STORE_NAMES
        for name in getattr(scope, store)
    ]
    summary = {
        "backup_id": manifest.backup_id,
        "kind": manifest.kind,
        "name": manifest.name,
        "chain": [layer.backup_id for layer in chain],
    }
    result = RestoreResult(
        operation="restore",
        action=request.action,
        status=status_for(request),
        profile=stores.profile.name,
        started_at=started_at,
        duration_ms=0,
        backup=summary,
        tables=previews,
    )
    if request.dry_run:
        result.duration_ms = elapsed_ms(started)
        return result
    if request.safety_backup:
        result.safety_backup_id = _safety_backup(stores, scope, manifest.backup_id)
    result.counts = _load(stores, chain, scope)
    result.duration_ms = elapsed_ms(started)
    return result


def _safety_backup(stores: DataStores, scope: BackupScope, restoring: str) -> str:
    live = full_scope(stores.profile)
    # Only parts that exist now can be backed up; a PostgreSQL table not yet migrated has nothing to keep.
    existing = BackupScope(
        dynamodb=scope.dynamodb,
        postgres=[t for t in scope.postgres if t in live.postgres and stores.postgres.table_exists(t)],
        opensearch=[i for i in scope.opensearch if stores.search.index_exists(stores.settings.resolved_index(i))],
    )
    safety = create_backup(
        stores,
        BackupOptions(
            kind="safety",
            name=f"before-restore-{restoring}",
            scope=existing,
            compress=True,
            compression_level=3,
            encrypt=True,
            segments=4,
        ),
    )
    return safety.backup_id


def _load(stores: DataStores, chain: list[BackupManifest], scope: BackupScope) -> dict[str, int]:
    """The base, then each increment on top: PostgreSQL in one transaction for the whole chain; search indexes
    from the newest backup (increments hold them whole)."""
    openers = [loaders.object_opener(stores, m, open_data_key(stores, m.encryption)) for m in chain]
    base, newest = chain[0], chain[-1]
    counts: dict[str, int] = {}
    if scope.postgres:
        by_table = {e.name: e for e in base.objects if e.store == "postgres"}
        increments = [
            ([e for e in layer.objects if e.store == "postgres" and e.name in scope.postgres], opener)
            for layer, opener in zip(chain[1:], openers[1:], strict=True)
        ]
        counts.update(loaders.restore_postgres(stores, [by_table[t] for t in scope.postgres], openers[0], increments))
    if scope.dynamodb:
        whole_table = set(scope.dynamodb) == set(full_scope(stores.profile).dynamodb) and set(
            base.scope.dynamodb
        ) == set(scope.dynamodb)
        entities = None if whole_table else scope.dynamodb
        dynamo_entries = [e for e in base.objects if e.store == "dynamodb"]
        loaded = loaders.restore_dynamodb(stores, dynamo_entries, entities, openers[0])
        for layer, opener in zip(chain[1:], openers[1:], strict=True):
            layer_entries = [e for e in layer.objects if e.store == "dynamodb"]
            loaders.apply_dynamodb_increment(stores, layer_entries, entities, opener)
        rows = newest.rows_by_name()
        counts.update({entity: rows.get(entity, loaded.get(entity, 0)) for entity in scope.dynamodb})
    for entry in newest.objects:
        if entry.store == "opensearch" and entry.name in scope.opensearch:
            counts[entry.name] = loaders.restore_index(
                stores, entry, newest.index_mappings.get(entry.name, {}), openers[-1]
            )
    return counts


def check_restore_request(request: RestoreRequest, stores: DataStores) -> None:
    """Unknown backups and names are refused before the lock, so they write nothing, not even an audit record."""
    manifest = catalog.resolve(stores, request.backup)
    if manifest.profile != stores.profile.name:
        raise InvalidRequest.for_field(
            "backup", f"backup {manifest.backup_id} is of profile {manifest.profile!r}, not {stores.profile.name!r}"
        )
    narrow(manifest.scope, request.tables, "tables")


RESTORE = Operation(
    name="restore",
    request_model=RestoreRequest,
    body=run_restore,
    check=check_restore_request,
    mutates=lambda _request: True,
    lock_lease_seconds=300,
)
