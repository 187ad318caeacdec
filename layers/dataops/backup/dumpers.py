"""Reading each store into backup objects: DynamoDB scan segments, PostgreSQL COPY, OpenSearch scroll."""

from __future__ import annotations

import base64
import json
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from typing import Any

import psycopg2.extensions
from psycopg2 import sql

from dataops.backup.streams import ObjectWriter
from dataops.stores.data_stores import DataStores

OpenWriter = Callable[[str, str, int, str], AbstractContextManager[ObjectWriter]]


def _wire_default(value: Any) -> Any:
    if isinstance(value, bytes | bytearray):
        return base64.b64encode(value).decode()
    raise TypeError(f"cannot serialise {type(value).__name__}")


def dynamo_line(item: dict[str, Any]) -> bytes:
    """One item in DynamoDB JSON (the wire format), so numbers keep their exact digits."""
    return json.dumps(item, separators=(",", ":"), default=_wire_default).encode() + b"\n"


def _decode_binary(value: dict[str, Any]) -> dict[str, Any]:
    ((kind, inner),) = value.items()
    if kind == "B":
        return {"B": base64.b64decode(inner)}
    if kind == "BS":
        return {"BS": [base64.b64decode(part) for part in inner]}
    if kind == "M":
        return {"M": {name: _decode_binary(part) for name, part in inner.items()}}
    if kind == "L":
        return {"L": [_decode_binary(part) for part in inner]}
    return value


def item_from_line(line: bytes) -> dict[str, Any]:
    item: dict[str, Any] = json.loads(line)
    if b'"B' in line:
        return wire_item(item)
    return item


def wire_item(item: dict[str, Any]) -> dict[str, Any]:
    """An item in DynamoDB JSON as json.loads gives it back, with its binary values decoded again."""
    return {name: _decode_binary(value) for name, value in item.items()}


def scan_segment(
    stores: DataStores,
    segment: int,
    total_segments: int,
    entities: list[str] | None,
    *,
    since: str | None = None,
    keys_only: bool = False,
) -> Iterator[dict[str, Any]]:
    """Raw items of one parallel-scan segment. `entities` narrows to those entity types (None = every item);
    `since` to items updated at or after it (items without the update attribute always count as changed);
    `keys_only` projects the key attributes and the entity type."""
    table = stores.profile.table
    request: dict[str, Any] = {
        "Segment": segment,
        "TotalSegments": total_segments,
        # No page Limit: DynamoDB's own 1 MB page bounds memory, and on MiniStack each page costs time that
        # grows with the table (1,000-item pages made a 100k-item backup 10x slower).
        "ConsistentRead": True,
    }
    names: dict[str, str] = {}
    values: dict[str, Any] = {}
    filters: list[str] = []
    if entities is not None:
        placeholders = [f":e{i}" for i in range(len(entities))]
        filters.append(f"#entity IN ({', '.join(placeholders)})")
        names["#entity"] = table.entity_type_attribute
        values.update({p: {"S": name} for p, name in zip(placeholders, entities, strict=True)})
    if since is not None:
        filters.append("(attribute_not_exists(#updated) OR #updated >= :since)")
        names["#updated"] = table.updated_at_attribute
        values[":since"] = {"S": since}
    if keys_only:
        projected = [table.partition_key.name, table.entity_type_attribute]
        projected += [table.sort_key.name] if table.sort_key else []
        names.update({f"#k{i}": attribute for i, attribute in enumerate(projected)})
        request["ProjectionExpression"] = ", ".join(f"#k{i}" for i in range(len(projected)))
    if filters:
        request["FilterExpression"] = " AND ".join(filters)
    if names:
        request["ExpressionAttributeNames"] = names
    if values:
        request["ExpressionAttributeValues"] = values
    yield from stores.table.scan_wire(**request)


def dump_dynamodb_segment(
    stores: DataStores,
    segment: int,
    total_segments: int,
    entities: list[str] | None,
    out: ObjectWriter,
    *,
    since: str | None = None,
    keys_only: bool = False,
) -> Counter[str]:
    """Writes the segment's items; returns how many of each entity type it held."""
    attribute = stores.profile.table.entity_type_attribute
    per_entity: Counter[str] = Counter()
    for item in scan_segment(stores, segment, total_segments, entities, since=since, keys_only=keys_only):
        per_entity[item.get(attribute, {}).get("S", "(none)")] += 1
        out.write(dynamo_line(item))
    out.rows = sum(per_entity.values())
    return per_entity


def table_columns(cursor: psycopg2.extensions.cursor, table: str, schema: str = "public") -> list[str]:
    cursor.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_schema = %s AND table_name = %s "
        "ORDER BY ordinal_position",
        (schema, table),
    )
    return [str(row[0]) for row in cursor.fetchall()]


def copy_statement(table: str, columns: list[str], direction: str, *, temporary: bool = False) -> sql.Composed:
    """COPY in text format: one row per line (newlines inside values are escaped), so validation counts rows.
    A temporary (scratch) table lives in the session's own schema, so it is named without `public`."""
    target = (
        sql.Identifier(table) if temporary else sql.SQL("{}.{}").format(sql.Identifier("public"), sql.Identifier(table))
    )
    return sql.SQL("COPY {} ({}) {} WITH (FORMAT text)").format(
        target, sql.SQL(", ").join(map(sql.Identifier, columns)), sql.SQL(direction)
    )


def dump_postgres_changes(
    cursor: psycopg2.extensions.cursor,
    table: str,
    columns: list[str],
    updated_column: str,
    since: str,
    out: ObjectWriter,
) -> None:
    """Rows updated at or after `since`, in COPY text format with the table's columns."""
    query = sql.SQL("COPY (SELECT {} FROM {}.{} WHERE {} >= %s) TO STDOUT WITH (FORMAT text)").format(
        sql.SQL(", ").join(map(sql.Identifier, columns)),
        sql.Identifier("public"),
        sql.Identifier(table),
        sql.Identifier(updated_column),
    )
    cursor.copy_expert(cursor.mogrify(query, (since,)).decode(), out)
    out.rows = cursor.rowcount


def dump_postgres_keys(
    cursor: psycopg2.extensions.cursor, table: str, key_columns: tuple[str, ...], out: ObjectWriter
) -> None:
    query = sql.SQL("COPY (SELECT {} FROM {}.{}) TO STDOUT WITH (FORMAT text)").format(
        sql.SQL(", ").join(map(sql.Identifier, key_columns)), sql.Identifier("public"), sql.Identifier(table)
    )
    cursor.copy_expert(query.as_string(cursor), out)
    out.rows = cursor.rowcount


def begin_snapshot(cursor: psycopg2.extensions.cursor) -> None:
    """The first statement of the transaction: every table is then read from one consistent snapshot."""
    cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")


def dump_postgres_table(cursor: psycopg2.extensions.cursor, table: str, out: ObjectWriter) -> list[str]:
    columns = table_columns(cursor, table)
    if not columns:
        raise LookupError(table)
    cursor.copy_expert(copy_statement(table, columns, "TO STDOUT").as_string(cursor), out)
    out.rows = cursor.rowcount
    return columns


def dump_index(stores: DataStores, index: str, out: ObjectWriter) -> dict[str, Any]:
    """Documents as `{"_id", "_source"}` lines; returns the live index's mappings."""
    mappings = stores.search.mappings(index)
    for hit in stores.search.scan(index, size=1000):
        out.write(json.dumps({"_id": hit["_id"], "_source": hit["_source"]}, separators=(",", ":")).encode() + b"\n")
        out.rows += 1
    return mappings
