"""Export and import a unit at a time: the one implementation behind the single-call `export`/`import` and the
fanned-out export and import jobs (whose Step Functions Map runs one unit per invocation).

An export unit writes its own files and nothing else, so a retried unit overwrites only what it wrote: a DynamoDB
scan segment (its part file), PostgreSQL tables (from one snapshot), one search index (documents and mappings).
An import unit loads as today's import does: a DynamoDB file (its items put; the scope's current items were
deleted before the first unit, so no late delete removes an imported item), every PostgreSQL table in one
transaction (all or nothing), one search index (recreated with its mappings).
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Iterator

import psycopg2
from psycopg2 import sql
from psycopg2.extras import execute_batch
from pydantic import BaseModel, ConfigDict, Field

from dataops.backup import loaders
from dataops.backup.dumpers import dynamo_line, item_from_line, scan_segment
from dataops.backup.manifest import BackupScope, StoreName
from dataops.backup.masking import mask_item, mask_key, mask_record
from dataops.backup.scope import entity_for_index, entity_for_table, full_scope, narrow
from dataops.backup.transfer import (
    EXPORT_MANIFEST,
    ExportFile,
    ExportLocation,
    ExportManifest,
    file_path,
    lines,
    mappings_path,
    write_export_manifest,
)
from dataops.backup.verify import ObjectProblem
from dataops.errors import StoreUnavailable
from dataops.models import utc_now
from dataops.profiles import Profile
from dataops.segmented_compare import MAX_SHARES
from dataops.stores.data_stores import DataStores

INSERT_BATCH = 1000


class TransferUnit(BaseModel):
    """One Map item of an export or import job: a store, its names and a part of the table; never data."""

    model_config = ConfigDict(extra="forbid")

    store: StoreName
    names: list[str] = Field(min_length=1, description="The entities, PostgreSQL tables or index base name.")
    segment: int = Field(default=0, ge=0, description="dynamodb: the scan segment (export) or part (import).")
    segments: int = Field(default=1, ge=1, le=MAX_SHARES, description="dynamodb: how many there are.")
    whole_table: bool = Field(default=False, description="dynamodb: every item, whatever its entity.")

    @property
    def label(self) -> str:
        if self.store == "dynamodb":
            return f"dynamodb segment {self.segment} of {self.segments}"
        return f"{self.store} {'+'.join(self.names)}"


class TransferOutcome(BaseModel):
    """What a unit did: the files it wrote (export) or read (import) with their rows, and rows per name."""

    model_config = ConfigDict(extra="forbid")

    unit: TransferUnit
    files: list[ExportFile]
    counts: dict[str, int] = {}


def exports_whole_table(profile: Profile, scope: BackupScope) -> bool:
    """Every entity of the table: the export scans every item, typed or not, as a backup does."""
    return set(scope.dynamodb) == set(full_scope(profile).dynamodb)


def imports_whole_table(profile: Profile, manifest: ExportManifest, scope: BackupScope) -> bool:
    """The import replaces the whole table only when the export and the import both cover every entity."""
    return set(scope.dynamodb) == set(full_scope(profile).dynamodb) == set(manifest.scope.dynamodb)


def export_units(
    scope: BackupScope, segments: int, whole_table: bool, *, tables_together: bool = False
) -> list[TransferUnit]:
    """One unit per scan segment, per PostgreSQL table (or one for all of them: one snapshot, as a single call
    reads them) and per search index."""
    units = [
        TransferUnit(store="dynamodb", names=scope.dynamodb, segment=s, segments=segments, whole_table=whole_table)
        for s in (range(segments) if scope.dynamodb else ())
    ]
    if tables_together and scope.postgres:
        units.append(TransferUnit(store="postgres", names=scope.postgres))
    elif scope.postgres:
        units += [TransferUnit(store="postgres", names=[table]) for table in scope.postgres]
    return units + [TransferUnit(store="opensearch", names=[name]) for name in scope.opensearch]


def dynamodb_files(manifest: ExportManifest) -> list[ExportFile]:
    return sorted((f for f in manifest.files if f.store == "dynamodb"), key=lambda f: f.segment or 0)


def import_units(manifest: ExportManifest, scope: BackupScope, whole_table: bool) -> list[TransferUnit]:
    """PostgreSQL first (one unit: one transaction), then one unit per DynamoDB file, one per search index."""
    units = [TransferUnit(store="postgres", names=scope.postgres)] if scope.postgres else []
    parts = dynamodb_files(manifest) if scope.dynamodb else []
    units += [
        TransferUnit(
            store="dynamodb",
            names=scope.dynamodb,
            segment=part.segment or 0,
            segments=len(parts),
            whole_table=whole_table,
        )
        for part in parts
    ]
    return units + [TransferUnit(store="opensearch", names=[name]) for name in scope.opensearch]


def unmatched(planned: list[TransferUnit], outcomes: Iterable[TransferOutcome]) -> tuple[list[str], list[str]]:
    """(planned units without an outcome, outcomes of units the plan does not list), by label."""
    done = [outcome.unit for outcome in outcomes]
    return [u.label for u in planned if u not in done], [u.label for u in done if u not in planned]


def files_in_order(planned: list[TransferUnit], outcomes: Iterable[TransferOutcome]) -> list[ExportFile]:
    """The outcomes' files in the plan's order (a unit reported twice counts once: its last outcome)."""
    by_unit = {outcome.unit.model_dump_json(): outcome for outcome in outcomes}
    return [file for unit in planned for file in by_unit[unit.model_dump_json()].files]


def rows_by_name(files: Iterable[ExportFile]) -> dict[str, int]:
    counts: Counter[str] = Counter()
    for file in files:
        counts[file.name] += file.rows
    return dict(counts)


def count_problems(manifest: ExportManifest, outcomes: Iterable[TransferOutcome]) -> list[ObjectProblem]:
    """Each file read must hold the rows the manifest says, and each unit must have loaded every row it read
    (a DynamoDB unit narrowed to some entities skips the others' items, so only a whole table is counted)."""
    held = {file.path: file.rows for file in manifest.files}
    problems = []
    for outcome in outcomes:
        for file in outcome.files:
            if file.rows != held.get(file.path):
                said = f"read {file.rows} rows, the export holds {held.get(file.path)}"
                problems.append(ObjectProblem(key=file.path, problem=said))
            loaded = outcome.counts.get(file.name, 0)
            if outcome.unit.store != "dynamodb" and loaded != file.rows:
                problems.append(ObjectProblem(key=file.name, problem=f"loaded {loaded} of {file.rows} rows"))
        loaded, read = sum(outcome.counts.values()), sum(file.rows for file in outcome.files)
        if outcome.unit.store == "dynamodb" and outcome.unit.whole_table and loaded != read:
            problems.append(ObjectProblem(key=outcome.unit.label, problem=f"loaded {loaded} of {read} items"))
    return problems


# --- export -------------------------------------------------------------------------------------------------


def export_unit(stores: DataStores, location: ExportLocation, unit: TransferUnit, mask: bool) -> TransferOutcome:
    key, _ = mask_key()
    if unit.store == "dynamodb":
        files = [_export_segment(stores, location, unit, mask, key)]
    elif unit.store == "postgres":
        files = _export_tables(stores, location, unit.names, mask, key)
    else:
        files = [_export_index(stores, location, name, mask, key) for name in unit.names]
    return TransferOutcome(unit=unit, files=files, counts=rows_by_name(files))


def _pii_fields(stores: DataStores, entity: str) -> tuple[str, ...]:
    return stores.profile.entity(entity).pii_fields


def _export_segment(
    stores: DataStores, location: ExportLocation, unit: TransferUnit, mask: bool, key: bytes
) -> ExportFile:
    attribute = stores.profile.table.entity_type_attribute
    pii = {entity: _pii_fields(stores, entity) for entity in unit.names}
    name = stores.profile.table.base_name
    # One segment of one is the whole table, in the single file that exports have always had.
    segment = unit.segment if unit.segments > 1 else None
    path, rows = file_path("dynamodb", name, segment), 0
    with location.writer(path) as out:
        for item in scan_segment(stores, unit.segment, unit.segments, None if unit.whole_table else unit.names):
            fields = pii.get(item.get(attribute, {}).get("S", ""), ())
            out.write(dynamo_line(mask_item(item, fields, key) if mask and fields else item))
            rows += 1
    return ExportFile(path=path, store="dynamodb", name=name, rows=rows, segment=segment)


def _export_tables(
    stores: DataStores, location: ExportLocation, tables: list[str], mask: bool, key: bytes
) -> list[ExportFile]:
    """The tables from one snapshot (REPEATABLE READ), each streamed through a server-side cursor."""
    files: list[ExportFile] = []
    connection = stores.postgres.connection()
    with connection:
        with connection.cursor() as setup:
            setup.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        for table in tables:
            fields = _pii_fields(stores, entity_for_table(stores.profile, table)) if mask else ()
            path, rows = file_path("postgres", table), 0
            with connection.cursor(name=f"export_{table}") as cursor, location.writer(path) as out:
                cursor.itersize = 2000
                cursor.execute(sql.SQL("SELECT to_jsonb(t)::text FROM {} t").format(sql.Identifier(table)))
                for (text,) in cursor:
                    line = json.dumps(mask_record(json.loads(text), fields, key)) if fields else text
                    out.write(line.encode() + b"\n")
                    rows += 1
            files.append(ExportFile(path=path, store="postgres", name=table, rows=rows))
    return files


def _export_index(stores: DataStores, location: ExportLocation, base_name: str, mask: bool, key: bytes) -> ExportFile:
    index = stores.settings.resolved_index(base_name)
    fields = _pii_fields(stores, entity_for_index(stores.profile, base_name)) if mask else ()
    mappings = stores.search.mappings(index)
    with location.writer(mappings_path(base_name)) as out:
        out.write(json.dumps(mappings, indent=2).encode())
    path, rows = file_path("opensearch", base_name), 0
    with location.writer(path) as out:
        for hit in stores.search.scan(index, size=1000):
            source = mask_record(hit["_source"], fields, key) if fields else hit["_source"]
            out.write(json.dumps({"_id": hit["_id"], "_source": source}).encode() + b"\n")
            rows += 1
    return ExportFile(path=path, store="opensearch", name=base_name, rows=rows)


def export_manifest(stores: DataStores, scope: BackupScope, mask: bool, files: list[ExportFile]) -> ExportManifest:
    return ExportManifest(profile=stores.profile.name, created=utc_now(), masked=mask, scope=scope, files=files)


def export_data(stores: DataStores, location: ExportLocation, scope: BackupScope, mask: bool) -> ExportManifest:
    """The single-call export: every unit in turn (the table as one segment, the tables from one snapshot), then
    the manifest. The old manifest goes first, so a failure half way leaves no export that looks complete."""
    location.remove(EXPORT_MANIFEST)
    units = export_units(scope, 1, exports_whole_table(stores.profile, scope), tables_together=True)
    files = [file for unit in units for file in export_unit(stores, location, unit, mask).files]
    manifest = export_manifest(stores, scope, mask, files)
    write_export_manifest(location, manifest)
    return manifest


# --- import -------------------------------------------------------------------------------------------------


def clear_dynamodb_scope(stores: DataStores, scope: BackupScope, whole_table: bool) -> None:
    """Delete the scope's current items before any unit puts, so no late delete removes an imported item."""
    loaders.replace_items(stores, iter(()), None if whole_table else scope.dynamodb)


def _counted(location: ExportLocation, path: str, read: Counter[str]) -> Iterator[bytes]:
    for line in lines(location, path):
        read[path] += 1
        yield line


def import_unit(
    stores: DataStores, location: ExportLocation, manifest: ExportManifest, unit: TransferUnit
) -> TransferOutcome:
    """Load one unit; a DynamoDB unit expects the scope cleared already (`clear_dynamodb_scope`)."""
    read: Counter[str] = Counter()
    if unit.store == "postgres":
        files = [f for f in manifest.files if f.store == "postgres" and f.name in unit.names]
        counts = _import_tables(stores, location, unit.names, read)
    elif unit.store == "dynamodb":
        parts = dynamodb_files(manifest)
        files = [parts[unit.segment]]
        items = (item_from_line(line) for line in _counted(location, files[0].path, read))
        counts = loaders.put_items(stores, items, None if unit.whole_table else unit.names)
    else:
        (name,) = unit.names
        files = [f for f in manifest.files if f.store == "opensearch" and f.name == name]
        with location.reader(mappings_path(name)) as source:
            mappings = json.loads(source.read())
        documents = (json.loads(line) for line in _counted(location, file_path("opensearch", name), read))
        counts = {name: loaders.replace_index(stores, name, mappings, documents)}
    read_files = [file.model_copy(update={"rows": read[file.path]}) for file in files]
    return TransferOutcome(unit=unit, files=read_files, counts=counts)


def _import_tables(
    stores: DataStores, location: ExportLocation, tables: list[str], read: Counter[str]
) -> dict[str, int]:
    try:
        return _replace_from_rows(stores, location, tables, read)
    except psycopg2.Error as exc:
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise StoreUnavailable(f"PostgreSQL import rolled back, no table was changed: {reason}") from None


def _replace_from_rows(
    stores: DataStores, location: ExportLocation, tables: list[str], read: Counter[str]
) -> dict[str, int]:
    counts: dict[str, int] = {}
    with stores.postgres.transaction() as cursor:
        cursor.execute(sql.SQL("TRUNCATE {}").format(sql.SQL(", ").join(map(sql.Identifier, tables))))
        for table in tables:
            statement = sql.SQL("INSERT INTO {} SELECT * FROM jsonb_populate_record(NULL::{}, %s::jsonb)").format(
                sql.Identifier(table), sql.Identifier(table)
            )
            path = file_path("postgres", table)
            rows = ((line.decode(),) for line in _counted(location, path, read))
            execute_batch(cursor, statement.as_string(cursor), rows, page_size=INSERT_BATCH)
            counts[table] = read[path]
            loaders.reset_sequences(cursor, table)
    return counts


def loaded_rows(scope: BackupScope, outcomes: Iterable[TransferOutcome]) -> dict[str, int]:
    """Rows loaded per name of the scope (a DynamoDB unit also counts items of entities outside it)."""
    totals: Counter[str] = Counter()
    for outcome in outcomes:
        totals.update(outcome.counts)
    return {name: totals.get(name, 0) for name in [*scope.postgres, *scope.dynamodb, *scope.opensearch]}


def import_data(
    stores: DataStores, location: ExportLocation, manifest: ExportManifest, tables: list[str] | None
) -> dict[str, int]:
    """The single-call import: PostgreSQL first (a failure there changes nothing), then the DynamoDB scope is
    cleared and every DynamoDB file put (a single file or a fanned-out export's parts), then the indexes."""
    scope = narrow(manifest.scope, tables, "tables")
    whole = imports_whole_table(stores.profile, manifest, scope)
    outcomes = []
    cleared = False
    for unit in import_units(manifest, scope, whole):
        if unit.store == "dynamodb" and not cleared:
            clear_dynamodb_scope(stores, scope, whole)
            cleared = True
        outcomes.append(import_unit(stores, location, manifest, unit))
    return loaded_rows(scope, outcomes)
