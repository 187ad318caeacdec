"""Creating a backup: started marker, data objects in parallel, then the manifest, written last."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from pydantic import BaseModel

from dataops.backup import dumpers
from dataops.backup.codec import CodecSettings
from dataops.backup.keys import new_data_key, open_data_key
from dataops.backup.manifest import (
    BackupHeader,
    BackupKind,
    BackupManifest,
    BackupScope,
    ObjectEntry,
    StoreName,
    manifest_key,
    new_backup_id,
    object_key,
    started_key,
)
from dataops.backup.scope import full_scope
from dataops.backup.streams import ObjectWriter
from dataops.errors import ConfigurationError, InvalidRequest
from dataops.migration_history import current_version
from dataops.models import utc_now
from dataops.stores.data_stores import DataStores

CONTENT_TYPE = "application/vnd.dataops.backup-frames"


@dataclass(frozen=True)
class BackupOptions:
    kind: BackupKind
    name: str | None
    scope: BackupScope
    compress: bool
    compression_level: int
    encrypt: bool
    segments: int
    base: BackupManifest | None = None


class BackupWriter:
    """One backup in progress: opens object writers and collects their manifest entries."""

    def __init__(self, stores: DataStores, backup_id: str, codec: CodecSettings) -> None:
        self.stores = stores
        self.backup_id = backup_id
        self.codec = codec
        self.prefix = stores.settings.backup_prefix

    def writer(self, store: str, name: str, segment: int, extension: str) -> ObjectWriter:
        key = object_key(self.prefix, self.backup_id, store, name, segment, extension)
        return ObjectWriter(self.stores.backups, key, self.codec, self.backup_id, content_type=CONTENT_TYPE)

    @staticmethod
    def entry(out: ObjectWriter, store: StoreName, name: str, segment: int = 0, **extra: Any) -> ObjectEntry:
        encoder = out.encoder
        return ObjectEntry(
            key=out.key,
            store=store,
            name=name,
            segment=segment,
            rows=out.rows,
            raw_bytes=encoder.raw_bytes,
            stored_bytes=encoder.stored_bytes,
            frames=encoder.frames,
            sha256=encoder.sha256.hexdigest(),
            **extra,
        )

    def dynamodb_segment(self, segment: int, total: int, entities: list[str], filtered: bool) -> ObjectEntry:
        with self.writer("dynamodb", self.stores.profile.table.base_name, segment, "jsonl") as out:
            per_entity = dumpers.dump_dynamodb_segment(self.stores, segment, total, entities if filtered else None, out)
        return self.entry(
            out,
            "dynamodb",
            self.stores.profile.table.base_name,
            segment,
            entities=entities,
            entity_rows=dict(per_entity),
        )

    def dynamodb_keys(self, segment: int, total: int, entities: list[str], filtered: bool) -> ObjectEntry:
        """Every key of the segment at backup time: what an incremental restore keeps."""
        with self.writer("dynamodb", self.stores.profile.table.base_name, segment, "keys.jsonl") as out:
            per_entity = dumpers.dump_dynamodb_segment(
                self.stores, segment, total, entities if filtered else None, out, keys_only=True
            )
        name = self.stores.profile.table.base_name
        return self.entry(out, "dynamodb", name, segment, entities=entities, entity_rows=dict(per_entity), role="keys")

    def dynamodb_changes(
        self, segment: int, total: int, entities: list[str], filtered: bool, since: str
    ) -> ObjectEntry:
        with self.writer("dynamodb", self.stores.profile.table.base_name, segment, "jsonl") as out:
            per_entity = dumpers.dump_dynamodb_segment(
                self.stores, segment, total, entities if filtered else None, out, since=since
            )
        name = self.stores.profile.table.base_name
        return self.entry(
            out, "dynamodb", name, segment, entities=entities, entity_rows=dict(per_entity), changes_only=True
        )

    def postgres_tables(self, tables: list[str], since: str | None = None) -> list[ObjectEntry]:
        """Every table from one snapshot. With `since`, a table with an update column holds only its changed rows
        plus all its keys; a table without one is copied whole."""
        placements = {placement.table: placement for _, placement in self.stores.profile.postgres_tables()}
        entries: list[ObjectEntry] = []
        with self.stores.postgres.transaction() as cursor:
            dumpers.begin_snapshot(cursor)
            for table in tables:
                columns = dumpers.table_columns(cursor, table)
                if not columns:
                    raise ConfigurationError(f"PostgreSQL table {table!r} does not exist; apply the migrations first")
                updated = placements[table].updated_at_column
                if since is None or updated is None:
                    with self.writer("postgres", table, 0, "copy") as out:
                        dumpers.dump_postgres_table(cursor, table, out)
                    entries.append(self.entry(out, "postgres", table, columns=columns))
                    continue
                with self.writer("postgres", table, 0, "copy") as out:
                    dumpers.dump_postgres_changes(cursor, table, columns, updated, since, out)
                entries.append(self.entry(out, "postgres", table, columns=columns, changes_only=True))
                key_columns = list(placements[table].primary_key)
                with self.writer("postgres", table, 0, "keys.copy") as out:
                    dumpers.dump_postgres_keys(cursor, table, tuple(key_columns), out)
                entries.append(self.entry(out, "postgres", table, columns=key_columns, role="keys"))
        return entries

    def search_index(self, base_name: str) -> tuple[ObjectEntry, dict[str, Any]]:
        index = self.stores.settings.resolved_index(base_name)
        if not self.stores.search.index_exists(index):
            raise ConfigurationError(f"OpenSearch index {index!r} does not exist; provision it first")
        with self.writer("opensearch", base_name, 0, "jsonl") as out:
            mappings = dumpers.dump_index(self.stores, index, out)
        return self.entry(out, "opensearch", base_name), mappings


class BackupUnit(BaseModel):
    """One independent piece of a backup: a DynamoDB scan segment, all PostgreSQL tables (one snapshot, so they
    stay one unit), or one search index. A Step Functions Map runs one unit per Lambda invocation."""

    store: StoreName
    segment: int = 0
    total_segments: int = 1
    tables: list[str] = []
    index: str | None = None


class UnitOutcome(BaseModel):
    entries: list[ObjectEntry]
    index_mappings: dict[str, dict[str, Any]] = {}


def plan_units(header: BackupHeader) -> list[BackupUnit]:
    scope = header.scope
    units = [
        BackupUnit(store="dynamodb", segment=segment, total_segments=header.segments)
        for segment in (range(header.segments) if scope.dynamodb else ())
    ]
    if scope.postgres:
        units.append(BackupUnit(store="postgres", tables=scope.postgres))
    units.extend(BackupUnit(store="opensearch", index=name) for name in scope.opensearch)
    return units


def start_backup(stores: DataStores, options: BackupOptions) -> BackupHeader:
    """A new backup id and data key, recorded in `started.json` (so the backup shows as incomplete from now)."""
    created = utc_now()
    backup_id = new_backup_id(created)
    _, encryption = new_data_key(stores, backup_id) if options.encrypt else (None, None)
    header = BackupHeader(
        backup_id=backup_id,
        kind=options.kind,
        name=options.name,
        profile=stores.profile.name,
        created=created,
        migration_version=migration_version(stores),
        scope=options.scope,
        segments=options.segments,
        base=options.base.backup_id if options.base else None,
        since=incremental_since(options.base) if options.base else None,
        compression="zstd" if options.compress else "none",
        compression_level=options.compression_level,
        encryption=encryption,
    )
    stores.backups.put_json(started_key(stores.settings.backup_prefix, backup_id), header.model_dump(mode="json"))
    return header


def load_started(stores: DataStores, backup_id: str) -> BackupHeader:
    key = started_key(stores.settings.backup_prefix, backup_id)
    if not stores.backups.exists(key):
        raise InvalidRequest.for_field("backup", f"no backup {backup_id!r} has been started (plan it first)")
    return BackupHeader.model_validate(stores.backups.get_json(key))


def run_unit(stores: DataStores, header: BackupHeader, unit: BackupUnit, data_key: bytes | None) -> UnitOutcome:
    """Write one unit's objects; the unwrapped data key is passed in so parallel units share one KMS call."""
    codec = CodecSettings(compress=header.compression == "zstd", level=header.compression_level, data_key=data_key)
    writer = BackupWriter(stores, header.backup_id, codec)
    scope = header.scope
    if unit.store == "dynamodb":
        filtered = set(scope.dynamodb) != set(full_scope(stores.profile).dynamodb)
        if header.since is None:
            return UnitOutcome(
                entries=[writer.dynamodb_segment(unit.segment, unit.total_segments, scope.dynamodb, filtered)]
            )
        return UnitOutcome(
            entries=[
                writer.dynamodb_changes(unit.segment, unit.total_segments, scope.dynamodb, filtered, header.since),
                writer.dynamodb_keys(unit.segment, unit.total_segments, scope.dynamodb, filtered),
            ]
        )
    if unit.store == "postgres":
        return UnitOutcome(entries=writer.postgres_tables(unit.tables, header.since))
    entry, mappings = writer.search_index(str(unit.index))
    return UnitOutcome(entries=[entry], index_mappings={str(unit.index): mappings})


def finish_backup(stores: DataStores, header: BackupHeader, outcomes: list[UnitOutcome]) -> BackupManifest:
    """The manifest, written last; every unit of the plan must have reported."""
    entries = [entry for outcome in outcomes for entry in outcome.entries]
    mappings = {name: m for outcome in outcomes for name, m in outcome.index_mappings.items()}

    covered = {f"{e.store}/{e.name}/{e.segment}" for e in entries}
    expected = (
        {f"dynamodb/{stores.profile.table.base_name}/{n}" for n in range(header.segments)}
        if header.scope.dynamodb
        else set()
    )
    expected |= {f"postgres/{table}/0" for table in header.scope.postgres}
    expected |= {f"opensearch/{index}/0" for index in header.scope.opensearch}
    if covered != expected:
        raise InvalidRequest.for_field("entries", f"units missing for {sorted(expected - covered)}; not finalized")
    manifest = BackupManifest(**header.model_dump(), objects=entries, index_mappings=mappings, completed=utc_now())
    stores.backups.put_json(
        manifest_key(stores.settings.backup_prefix, header.backup_id), manifest.model_dump(mode="json")
    )
    return manifest


def create_backup(stores: DataStores, options: BackupOptions) -> BackupManifest:
    """Write every object, then the manifest. Any failure leaves no manifest, so the backup stays incomplete."""
    header = start_backup(stores, options)
    data_key = open_data_key(stores, header.encryption)
    units = plan_units(header)
    with ThreadPoolExecutor(max_workers=len(units) or 1, thread_name_prefix=f"backup-{header.backup_id}") as pool:
        outcomes = list(pool.map(lambda unit: run_unit(stores, header, unit, data_key), units))
    return finish_backup(stores, header, outcomes)


def incremental_since(base: BackupManifest) -> str:
    """The base's start, a second early: anything changed after the base began reading is in the increment (an
    item caught by both is simply written twice)."""
    return (base.created - timedelta(seconds=1)).strftime("%Y-%m-%dT%H:%M:%SZ")


def migration_version(stores: DataStores) -> str | None:
    """The applied schema version, from the migration record; informative, so a backup never fails over it."""
    try:
        return current_version(stores)
    except Exception:  # noqa: BLE001 - the version is informative only
        return None
