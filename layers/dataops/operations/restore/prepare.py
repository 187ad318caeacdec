"""What every restore path does before writing: resolve the backup, narrow it to the requested tables, validate
every object of its chain, preview rows now and after, and take the safety backup."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from dataops.backup import catalog
from dataops.backup.create import BackupOptions, create_backup
from dataops.backup.manifest import BackupManifest, BackupScope
from dataops.backup.scope import STORE_NAMES, full_scope, narrow
from dataops.backup.verify import validate_backup
from dataops.errors import InvalidRequest
from dataops.operations.restore.models import BrokenBackup, RestoreScope, TablePreview
from dataops.stores.data_stores import DataStores


@dataclass(frozen=True)
class PreparedRestore:
    """A resolved backup narrowed to the restore's scope: `chain` is the base then each increment, oldest first."""

    manifest: BackupManifest
    scope: BackupScope
    chain: list[BackupManifest]

    @property
    def newest(self) -> BackupManifest:
        return self.chain[-1]

    def summary(self) -> dict[str, Any]:
        return {
            "backup_id": self.manifest.backup_id,
            "kind": self.manifest.kind,
            "name": self.manifest.name,
            "chain": [layer.backup_id for layer in self.chain],
        }

    def rows_after(self) -> dict[str, int]:
        return {name: rows for name, rows in self.newest.rows_by_name().items() if name in self.scope.names()}

    def whole_table(self, stores: DataStores) -> bool:
        """Every DynamoDB entity of the profile, from a backup of all of them: the table is replaced, not filtered."""
        entities = set(self.scope.dynamodb)
        return entities == set(full_scope(stores.profile).dynamodb) and set(self.chain[0].scope.dynamodb) == entities


def resolve_backup(stores: DataStores, reference: str) -> BackupManifest:
    manifest = catalog.resolve(stores, reference)
    if manifest.profile != stores.profile.name:
        raise InvalidRequest.for_field(
            "backup", f"backup {manifest.backup_id} is of profile {manifest.profile!r}, not {stores.profile.name!r}"
        )
    return manifest


def _selected(manifest: BackupManifest, scope: BackupScope) -> BackupManifest:
    """The manifest narrowed to the objects the restore reads."""
    names = set(scope.names())
    objects = [e for e in manifest.objects if e.name in names or (e.store == "dynamodb" and scope.dynamodb)]
    return manifest.model_copy(update={"objects": objects})


def resolve_restore(
    stores: DataStores, reference: str, tables: list[str] | None, field: str = "tables"
) -> PreparedRestore:
    """The backup and its chain narrowed to `tables` (a name it does not hold is refused naming `field`), without
    reading any data object."""
    manifest = resolve_backup(stores, reference)
    scope = narrow(manifest.scope, tables, field)
    chain = [_selected(layer, scope) for layer in catalog.backup_chain(stores, manifest)]
    return PreparedRestore(manifest=manifest, scope=scope, chain=chain)


def prepare_restore(request: RestoreScope, stores: DataStores) -> PreparedRestore:
    """Resolved and validated: a broken object anywhere in the chain refuses the restore before anything is
    written."""
    prepared = resolve_restore(stores, request.backup, request.tables)
    problems = [problem for layer in prepared.chain for problem in validate_backup(stores, layer)]
    if problems:
        raise BrokenBackup(
            f"backup {prepared.manifest.backup_id} is broken, nothing was restored: "
            + "; ".join(f"{p.key}: {p.problem}" for p in problems)
        )
    return prepared


def rows_now(stores: DataStores, scope: BackupScope) -> dict[str, int | None]:
    now: dict[str, int | None] = {}
    if scope.dynamodb:
        counted = stores.table.count_by(stores.profile.table.entity_type_attribute)
        now.update({entity: counted.get(entity, 0) for entity in scope.dynamodb})
    for table in scope.postgres:
        now[table] = stores.postgres.count_rows(table) if stores.postgres.table_exists(table) else None
    for base_name in scope.opensearch:
        now[base_name] = stores.search.count(stores.settings.resolved_index(base_name))
    return now


def previews(stores: DataStores, prepared: PreparedRestore) -> list[TablePreview]:
    now, after = rows_now(stores, prepared.scope), prepared.rows_after()
    return [
        TablePreview(name=name, store=store, rows_now=now.get(name), rows_after=after.get(name, 0))
        for store in STORE_NAMES
        for name in getattr(prepared.scope, store)
    ]


def take_safety_backup(stores: DataStores, scope: BackupScope, restoring: str) -> str:
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
