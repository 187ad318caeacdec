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
SCAN_PAGE_ITEMS = 1000


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
        return {name: _decode_binary(value) for name, value in item.items()}
    return item


def scan_segment(
    stores: DataStores, segment: int, total_segments: int, entities: list[str] | None
) -> Iterator[dict[str, Any]]:
    """Raw items of one parallel-scan segment; `entities` narrows to those entity types (None = every item)."""
    request: dict[str, Any] = {
        "TableName": stores.table.name,
        "Segment": segment,
        "TotalSegments": total_segments,
        "ConsistentRead": True,
        "PaginationConfig": {"PageSize": SCAN_PAGE_ITEMS},
    }
    if entities is not None:
        placeholders = [f":e{i}" for i in range(len(entities))]
        request["FilterExpression"] = f"#entity IN ({', '.join(placeholders)})"
        request["ExpressionAttributeNames"] = {"#entity": stores.profile.table.entity_type_attribute}
        request["ExpressionAttributeValues"] = {p: {"S": name} for p, name in zip(placeholders, entities, strict=True)}
    for page in stores.table.client.get_paginator("scan").paginate(**request):
        yield from page["Items"]


def dump_dynamodb_segment(
    stores: DataStores, segment: int, total_segments: int, entities: list[str] | None, out: ObjectWriter
) -> Counter[str]:
    """Writes the segment's items; returns how many of each entity type it held."""
    attribute = stores.profile.table.entity_type_attribute
    per_entity: Counter[str] = Counter()
    for item in scan_segment(stores, segment, total_segments, entities):
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


def copy_statement(table: str, columns: list[str], direction: str) -> sql.Composed:
    """COPY in text format: one row per line (newlines inside values are escaped), so validation counts rows."""
    return sql.SQL("COPY {}.{} ({}) {} WITH (FORMAT text)").format(
        sql.Identifier("public"),
        sql.Identifier(table),
        sql.SQL(", ").join(map(sql.Identifier, columns)),
        sql.SQL(direction),
    )


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
    mapping = stores.search.client.indices.get_mapping(index=index)
    mappings: dict[str, Any] = next(iter(mapping.values())).get("mappings", {})
    for hit in stores.search.scan(index, size=1000):
        out.write(json.dumps({"_id": hit["_id"], "_source": hit["_source"]}, separators=(",", ":")).encode() + b"\n")
        out.rows += 1
    return mappings
