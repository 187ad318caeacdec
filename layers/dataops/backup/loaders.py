"""Writing backup objects back into the stores.

PostgreSQL: one transaction for every table (TRUNCATE, COPY FROM, keys and indexes rebuilt, sequences reset): all or
nothing. DynamoDB: the scope's current items are deleted, then the backup's items are written with parallel
BatchWriteItem (UnprocessedItems retried), so a re-run converges on the backup's state; the items are already in the
wire format, so each request body is one json.dumps, sent by a client of its own that skips botocore's validation and
serializer. OpenSearch: the index is recreated with the backed-up mappings and bulk loaded.
"""

from __future__ import annotations

import json
import sqlite3
import tempfile
from collections.abc import Callable, Collection, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import psycopg2
from psycopg2 import sql

from dataops.backup.dumpers import copy_statement, item_from_line
from dataops.backup.manifest import BackupManifest, ObjectEntry
from dataops.backup.streams import DecodedReader, read_lines
from dataops.errors import StoreUnavailable
from dataops.stores.data_stores import DataStores
from dataops.stores.dynamodb_wire import WRITERS, wire_json

# psycopg2 reads COPY input in 8 KiB calls by default; large reads cut the Python work per row.
COPY_READ_BYTES = 1024 * 1024
REBUILD_MEMORY = "256MB"

OpenObject = Callable[[ObjectEntry], DecodedReader]


def object_opener(stores: DataStores, manifest: BackupManifest, data_key: bytes | None) -> OpenObject:
    def open_object(entry: ObjectEntry) -> DecodedReader:
        return DecodedReader(stores.backups.open_read(entry.key), manifest.backup_id, entry.key, data_key)

    return open_object


def _verify_fully_read(reader: DecodedReader, entry: ObjectEntry) -> None:
    """The bytes just loaded must be the ones validated: a change since then aborts (and rolls back PostgreSQL)."""
    if reader.decoder.sha256.hexdigest() != entry.sha256:
        raise StoreUnavailable(f"backup object {entry.key} changed while it was being restored; restore aborted")


Layer = tuple[list[ObjectEntry], OpenObject]


def restore_postgres(
    stores: DataStores, entries: list[ObjectEntry], open_object: OpenObject, increments: list[Layer] | None = None
) -> dict[str, int]:
    """One transaction for the base and every increment on top: all tables end as the newest backup saw them,
    or (on any error) none is changed."""
    tables = [e.name for e in entries]
    try:
        with stores.postgres.transaction() as cursor, _foreign_keys_checked_at_end(cursor, tables):
            # The rebuilds after the load sort whole tables: give them room (this transaction only).
            cursor.execute("SET LOCAL maintenance_work_mem = %s", (REBUILD_MEMORY,))
            with _unique_keys_built_after_load(cursor, tables):
                loaded = _replace_tables(cursor, entries, open_object)
            # Increments upsert with ON CONFLICT, which needs the primary keys back first.
            for layer_entries, open_layer in increments or []:
                loaded = _apply_increment(cursor, layer_entries, open_layer, loaded)
            for table in loaded:
                reset_sequences(cursor, table)
        return loaded
    except psycopg2.Error as exc:
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise StoreUnavailable(f"PostgreSQL restore rolled back, no table was changed: {reason}") from None


def _qualified(tables: list[str]) -> list[str]:
    return [f"public.{t}" for t in tables]


@contextmanager
def _foreign_keys_checked_at_end(cursor: Any, tables: list[str]) -> Iterator[None]:
    """Foreign keys touching the restored tables, and their secondary indexes, are dropped for the load and added
    back at the end of the same transaction, as pg_restore does for a full restore: one set-based check and one
    index build instead of work per row; any row that breaks a key still rolls the whole restore back."""
    qualified = _qualified(tables)
    cursor.execute(
        "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint "
        "WHERE contype = 'f' AND (conrelid = ANY(%s::regclass[]) OR confrelid = ANY(%s::regclass[]))",
        (qualified, qualified),
    )
    constraints = cursor.fetchall()
    # Indexes behind a constraint (primary key, unique) are the constraints themselves: handled below.
    cursor.execute(
        "SELECT indexrelid::regclass::text, pg_get_indexdef(indexrelid) FROM pg_index WHERE indrelid = "
        "ANY(%s::regclass[]) AND NOT EXISTS (SELECT 1 FROM pg_constraint WHERE conindid = pg_index.indexrelid)",
        (qualified,),
    )
    indexes = cursor.fetchall()
    for table, name, _definition in constraints:
        cursor.execute(sql.SQL("ALTER TABLE {} DROP CONSTRAINT {}").format(sql.SQL(table), sql.Identifier(name)))
    for index, _definition in indexes:
        cursor.execute(sql.SQL("DROP INDEX {}").format(sql.SQL(index)))
    yield
    # Names and definitions below come from the catalog (regclass text is already quoted), not from input.
    for _index, definition in indexes:
        cursor.execute(sql.SQL(definition))
    _add_constraints(cursor, constraints)


@contextmanager
def _unique_keys_built_after_load(cursor: Any, tables: list[str]) -> Iterator[None]:
    """Primary keys and unique constraints of the restored tables are dropped for the base load and added back
    right after it: one sorted index build per key instead of a B-tree insert per row (the biggest cost of COPY
    into a table with a text key). A duplicate key in the backup fails the ADD, which rolls everything back.
    Foreign keys that need these keys are already dropped (`_foreign_keys_checked_at_end`)."""
    cursor.execute(
        "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint "
        "WHERE contype IN ('p', 'u') AND conrelid = ANY(%s::regclass[]) AND NOT EXISTS (SELECT 1 FROM pg_index "
        # A clustering or replica-identity index would lose that mark if dropped: such a key stays.
        "WHERE indexrelid = conindid AND (indisclustered OR indisreplident))",
        (_qualified(tables),),
    )
    constraints = cursor.fetchall()
    for table, name, _definition in constraints:
        cursor.execute(sql.SQL("ALTER TABLE {} DROP CONSTRAINT {}").format(sql.SQL(table), sql.Identifier(name)))
    yield
    _add_constraints(cursor, constraints)


def _add_constraints(cursor: Any, constraints: list[tuple[str, str, str]]) -> None:
    for table, name, definition in constraints:
        cursor.execute(
            sql.SQL("ALTER TABLE {} ADD CONSTRAINT {} {}").format(
                sql.SQL(table), sql.Identifier(name), sql.SQL(definition)
            )
        )


def _replace_tables(cursor: Any, entries: list[ObjectEntry], open_object: OpenObject) -> dict[str, int]:
    loaded: dict[str, int] = {}
    tables = [entry.name for entry in entries]
    cursor.execute(
        sql.SQL("TRUNCATE {}").format(
            sql.SQL(", ").join(sql.SQL("{}.{}").format(sql.Identifier("public"), sql.Identifier(t)) for t in tables)
        )
    )
    # COPY FREEZE writes rows already frozen (no hint-bit rewrite by the index builds, key checks or the next
    # reads); allowed because the TRUNCATE above is in this transaction. Partitioned tables refuse it.
    cursor.execute(
        "SELECT relname FROM pg_class WHERE oid = ANY(%s::regclass[]) AND relkind = 'r'", (_qualified(tables),)
    )
    plain = {row[0] for row in cursor.fetchall()}
    for entry in entries:
        _copy_in(cursor, entry.name, entry, open_object, freeze=entry.name in plain)
        loaded[entry.name] = entry.rows
    return loaded


def _copy_in(
    cursor: Any,
    table: str,
    entry: ObjectEntry,
    open_object: OpenObject,
    *,
    temporary: bool = False,
    freeze: bool = False,
) -> None:
    reader = open_object(entry)
    if freeze:
        statement = sql.SQL("COPY {}.{} ({}) FROM STDIN WITH (FORMAT text, FREEZE)").format(
            sql.Identifier("public"), sql.Identifier(table), sql.SQL(", ").join(map(sql.Identifier, entry.columns))
        )
    else:
        statement = copy_statement(table, entry.columns, "FROM STDIN", temporary=temporary)
    cursor.copy_expert(statement.as_string(cursor), reader, size=COPY_READ_BYTES)
    _verify_fully_read(reader, entry)


def _key_match(table: str, other: str, columns: list[str]) -> sql.Composable:
    return sql.SQL(" AND ").join(
        sql.SQL("{}.{} = {}.{}").format(
            sql.Identifier(other), sql.Identifier(c), sql.Identifier(table), sql.Identifier(c)
        )
        for c in columns
    )


def _apply_increment(
    cursor: Any, entries: list[ObjectEntry], open_object: OpenObject, loaded: dict[str, int]
) -> dict[str, int]:
    """Children first: drop what the increment's key lists no longer hold (a whole-table object replaces its table);
    then parents first: upsert changed rows, load whole tables."""
    data = {e.name: e for e in entries if e.role == "data"}
    keys = {e.name: e for e in entries if e.role == "keys"}
    order = [e.name for e in entries if e.role == "data"]
    for table in reversed(order):
        if table in keys:
            scratch = f"dataops_keys_{table}"
            key_columns = keys[table].columns
            cursor.execute(
                sql.SQL("CREATE TEMP TABLE {} ON COMMIT DROP AS SELECT {} FROM {} WITH NO DATA").format(
                    sql.Identifier(scratch), sql.SQL(", ").join(map(sql.Identifier, key_columns)), sql.Identifier(table)
                )
            )
            _copy_in(cursor, scratch, keys[table], open_object, temporary=True)
            cursor.execute(
                sql.SQL("DELETE FROM {} WHERE NOT EXISTS (SELECT 1 FROM {} WHERE {})").format(
                    sql.Identifier(table), sql.Identifier(scratch), _key_match(table, scratch, key_columns)
                )
            )
            cursor.execute(sql.SQL("DROP TABLE {}").format(sql.Identifier(scratch)))
        else:
            cursor.execute(sql.SQL("DELETE FROM {}").format(sql.Identifier(table)))
    for table in order:
        entry = data[table]
        if table not in keys:
            _copy_in(cursor, table, entry, open_object)
            loaded[table] = entry.rows
            continue
        scratch = f"dataops_changes_{table}"
        columns = entry.columns
        cursor.execute(
            sql.SQL("CREATE TEMP TABLE {} ON COMMIT DROP AS SELECT {} FROM {} WITH NO DATA").format(
                sql.Identifier(scratch), sql.SQL(", ").join(map(sql.Identifier, columns)), sql.Identifier(table)
            )
        )
        _copy_in(cursor, scratch, entry, open_object, temporary=True)
        key_columns = keys[table].columns
        updates = [c for c in columns if c not in key_columns]
        cursor.execute(
            sql.SQL("INSERT INTO {} ({}) SELECT {} FROM {} ON CONFLICT ({}) DO UPDATE SET {}").format(
                sql.Identifier(table),
                sql.SQL(", ").join(map(sql.Identifier, columns)),
                sql.SQL(", ").join(map(sql.Identifier, columns)),
                sql.Identifier(scratch),
                sql.SQL(", ").join(map(sql.Identifier, key_columns)),
                sql.SQL(", ").join(
                    sql.SQL("{} = EXCLUDED.{}").format(sql.Identifier(c), sql.Identifier(c)) for c in updates
                ),
            )
        )
        cursor.execute(sql.SQL("DROP TABLE {}").format(sql.Identifier(scratch)))
        loaded[table] = keys[table].rows
    return loaded


def reset_sequences(cursor: Any, table: str) -> None:
    """Serial and identity columns continue after the restored maximum, so new rows never collide."""
    cursor.execute(
        "SELECT attname, pg_get_serial_sequence(quote_ident(%s), attname) FROM pg_attribute "
        "WHERE attrelid = quote_ident(%s)::regclass AND attnum > 0 AND NOT attisdropped",
        (table, table),
    )
    for column, sequence in cursor.fetchall():
        if sequence is None:
            continue
        cursor.execute(
            sql.SQL("SELECT setval(%s, COALESCE((SELECT max({}) FROM {}), 0) + 1, false)").format(
                sql.Identifier(column), sql.Identifier(table)
            ),
            (sequence,),
        )


def write_requests(stores: DataStores, requests: Iterable[dict[str, Any]]) -> int:
    """Parallel BatchWriteItem of wire-format Put/Delete requests (the restore writer on its own); the count sent."""
    return stores.table_writer.write(requests)


def _current_keys(stores: DataStores, entities: list[str] | None) -> Iterator[dict[str, Any]]:
    table = stores.profile.table
    key_names = [table.partition_key.name] + ([table.sort_key.name] if table.sort_key else [])
    request: dict[str, Any] = {
        "ProjectionExpression": ", ".join(f"#k{i}" for i in range(len(key_names))),
        "ExpressionAttributeNames": {f"#k{i}": name for i, name in enumerate(key_names)},
    }
    if entities is not None:
        placeholders = [f":e{i}" for i in range(len(entities))]
        request["FilterExpression"] = f"#entity IN ({', '.join(placeholders)})"
        request["ExpressionAttributeNames"]["#entity"] = table.entity_type_attribute
        request["ExpressionAttributeValues"] = {p: {"S": e} for p, e in zip(placeholders, entities, strict=True)}
    yield from stores.table.scan_wire(**request)


def read_items(entries: list[ObjectEntry], open_object: OpenObject) -> Iterator[dict[str, Any]]:
    """The wire-format items of DynamoDB backup objects, each object checked against its manifest hash when read."""
    for entry in entries:
        reader = open_object(entry)
        for line in read_lines(reader):
            yield item_from_line(line)
        _verify_fully_read(reader, entry)


def restore_dynamodb(
    stores: DataStores, entries: list[ObjectEntry], entities: list[str] | None, open_object: OpenObject
) -> dict[str, int]:
    """`entities` None replaces the whole table; otherwise only items of those entity types."""
    return replace_items(stores, read_items(entries, open_object), entities)


def _counted_puts(
    stores: DataStores, items: Iterable[dict[str, Any]], entities: Collection[str] | None, counts: dict[str, int]
) -> Iterator[dict[str, Any]]:
    """Put requests for the items in scope (`entities` None: all), counting them per entity type in `counts`."""
    attribute = stores.profile.table.entity_type_attribute
    wanted = set(entities) if entities is not None else None
    for item in items:
        entity = item.get(attribute, {}).get("S", "(none)")
        if wanted is None or entity in wanted:
            counts[entity] = counts.get(entity, 0) + 1
            yield {"PutRequest": {"Item": item}}


def put_items(stores: DataStores, items: Iterable[dict[str, Any]], entities: Collection[str] | None) -> dict[str, int]:
    """Write the items in scope (no deletes: the caller cleared the scope first); counts per entity type."""
    counts: dict[str, int] = {}
    write_requests(stores, _counted_puts(stores, items, entities, counts))
    return counts


def replace_items(stores: DataStores, items: Iterable[dict[str, Any]], entities: list[str] | None) -> dict[str, int]:
    """Delete the scope's current items, then write `items` (wire format) that fall in the scope.

    Deletes finish before the first put, so an item present in both is never lost to a late delete."""
    counts: dict[str, int] = {}
    with ThreadPoolExecutor(max_workers=WRITERS, thread_name_prefix="restore-dynamodb") as pool:
        deletes = ({"DeleteRequest": {"Key": key}} for key in _current_keys(stores, entities))
        stores.table_writer.write_in(pool, deletes)
        stores.table_writer.write_in(pool, _counted_puts(stores, items, entities, counts))
    return counts


@contextmanager
def _key_set() -> Iterator[sqlite3.Connection]:
    """A set of item keys in a temporary SQLite file: an increment lists every key of the table, which can outgrow
    a Lambda's memory; on disk each lookup is one indexed read and memory stays at SQLite's page cache."""
    with tempfile.TemporaryDirectory(prefix="dataops-keys-") as folder:
        keys = sqlite3.connect(Path(folder) / "keys.sqlite")
        try:
            # A scratch file, deleted afterwards: no journal, no syncs.
            keys.execute("PRAGMA journal_mode = OFF")
            keys.execute("PRAGMA synchronous = OFF")
            keys.execute("CREATE TABLE keys (key TEXT PRIMARY KEY) WITHOUT ROWID")
            yield keys
        finally:
            keys.close()


def apply_dynamodb_increment(
    stores: DataStores, entries: list[ObjectEntry], entities: list[str] | None, open_object: OpenObject
) -> dict[str, int]:
    """On top of the restored base: delete items the increment's key lists no longer hold, then write its changed
    items. The key lists go to a disk-backed set (`_key_set`), so memory stays flat whatever the table size."""
    table = stores.profile.table
    key_names = [table.partition_key.name] + ([table.sort_key.name] if table.sort_key else [])
    attribute = table.entity_type_attribute
    wanted = set(entities) if entities is not None else None

    def key_of(item: dict[str, Any]) -> str:
        # Binary keys arrive as bytes (from a backup line or a scan): base64, as on the wire, on both sides.
        return json.dumps([item[name] for name in key_names], sort_keys=True, default=wire_json)

    counts: dict[str, int] = {}

    def changed_items() -> Iterator[dict[str, Any]]:
        for entry in (e for e in entries if e.role == "data"):
            reader = open_object(entry)
            for line in read_lines(reader):
                item = item_from_line(line)
                entity = item.get(attribute, {}).get("S", "(none)")
                if wanted is None or entity in wanted:
                    counts[entity] = counts.get(entity, 0) + 1
                    yield {"PutRequest": {"Item": item}}
            _verify_fully_read(reader, entry)

    with _key_set() as kept:
        for entry in (e for e in entries if e.role == "keys"):
            reader = open_object(entry)
            rows = ((key_of(item_from_line(line)),) for line in read_lines(reader))
            kept.executemany("INSERT OR IGNORE INTO keys VALUES (?)", rows)
            _verify_fully_read(reader, entry)

        def is_kept(key: dict[str, Any]) -> bool:
            return kept.execute("SELECT 1 FROM keys WHERE key = ?", (key_of(key),)).fetchone() is not None

        with ThreadPoolExecutor(max_workers=WRITERS, thread_name_prefix="increment-dynamodb") as pool:
            gone = ({"DeleteRequest": {"Key": key}} for key in _current_keys(stores, entities) if not is_kept(key))
            stores.table_writer.write_in(pool, gone)
            stores.table_writer.write_in(pool, changed_items())
    return counts


def restore_index(stores: DataStores, entry: ObjectEntry, mappings: dict[str, Any], open_object: OpenObject) -> int:
    reader = open_object(entry)
    loaded = replace_index(stores, entry.name, mappings, (json.loads(line) for line in read_lines(reader)))
    _verify_fully_read(reader, entry)
    return loaded


def replace_index(
    stores: DataStores, base_name: str, mappings: dict[str, Any], documents: Iterable[dict[str, Any]]
) -> int:
    """Recreate the index with `mappings` and bulk load `{"_id", "_source"}` documents."""
    index = stores.settings.resolved_index(base_name)
    stores.search.recreate_index(index, mappings)
    actions = ({"_index": index, "_id": doc["_id"], "_source": doc["_source"]} for doc in documents)
    loaded, failures = stores.search.bulk(actions, chunk_size=1000)
    if failures:
        raise StoreUnavailable(f"OpenSearch index {index}: {len(failures)} documents failed to load")
    stores.search.refresh(index)
    return loaded
