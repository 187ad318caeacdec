"""Data and exact store snapshots for backup, restore and export tests (real stores only)."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from psycopg2 import sql

from dataops.operations.migrate import MIGRATE
from dataops.stores.data_stores import DataStores

AWKWARD_TEXT = 'line one\nline two\ttab \\ backslash "quoted" , comma ünïcødé 🙂 \r end'


def fill_dynamodb(stores: DataStores, count: int, *, tag: str = "v1") -> None:
    """Items of every DynamoDB entity of the profile, with every attribute type DynamoDB has."""
    attribute = stores.profile.table.entity_type_attribute
    entities = [entity.name for entity in stores.profile.entities_in("dynamodb")]
    items = []
    for i in range(count):
        entity = entities[i % len(entities)]
        items.append(
            {
                "PK": f"{entity.upper()}#{i:06d}",
                "SK": "PROFILE" if i % 3 else f"VERSION#{i}",
                attribute: entity,
                "label": f"{tag} {AWKWARD_TEXT if i % 7 == 0 else entity} {i}",
                "score": Decimal("4.70") if i % 2 else Decimal(i) + Decimal("0.125"),
                "big": Decimal("1234567890123456789012345678.12345678"),
                "flags": {"a", "b", f"c{i}"},
                "nested": {"list": [1, "two", {"three": [True, None]}], "empty": {}},
                "blob": bytes([i % 256, 0, 255]),
                "updatedAt": f"2026-01-01T00:00:{i % 60:02d}Z",
                "email": f"person{i}@example.com",
                "display_name": f"Person {i}",
            }
        )
    stores.table.batch_write(items)


def dynamodb_snapshot(stores: DataStores) -> list[str]:
    """Every item, exactly (wire format, sorted), for before/after comparison."""
    items: list[str] = []
    for page in stores.table.client.get_paginator("scan").paginate(TableName=stores.table.name, ConsistentRead=True):
        items.extend(json.dumps(item, sort_keys=True, default=lambda b: b.hex()) for item in page["Items"])
    return sorted(items)


def migrate(stores: DataStores) -> None:
    MIGRATE.run(MIGRATE.parse({"action": "apply"}), stores)


def fill_postgres(stores: DataStores, services: int, *, tag: str = "v1") -> None:
    with stores.postgres.transaction() as cursor:
        for i in range(services):
            cursor.execute(
                "INSERT INTO services (service_id, name, owner_team_id, tier, repository_url, created_at, updated_at,"
                " metadata) VALUES (%s, %s, %s, %s, %s, now(), now(), %s)",
                (
                    f"svc-{i:05d}",
                    f"{tag} {AWKWARD_TEXT if i % 5 == 0 else 'service'} {i}",
                    f"team-{i % 4}",
                    ("critical", "standard", "experimental")[i % 3],
                    f"https://git.example/{i}",
                    json.dumps({"i": i, "text": AWKWARD_TEXT, "null": None}),
                ),
            )
        for i in range(services * 2):
            cursor.execute(
                "INSERT INTO dependencies VALUES (%s, %s, %s, %s, now())",
                (f"dep-{i:05d}", f"svc-{i % services:05d}", f"svc-{(i + 1) % services:05d}", "runtime"),
            )
        for i in range(services):
            cursor.execute(
                "INSERT INTO policies VALUES (%s, %s, %s, %s, %s, %s, now(), now())",
                (
                    f"pol-{i:05d}",
                    f"{tag} policy {i}",
                    "service" if i % 2 else "global",
                    f"svc-{i:05d}" if i % 2 else None,
                    json.dumps({"max": i, "text": AWKWARD_TEXT}),
                    bool(i % 2),
                ),
            )


def postgres_snapshot(stores: DataStores) -> dict[str, list[str]]:
    tables: dict[str, list[str]] = {}
    with stores.postgres.transaction() as cursor:
        for _, placement in stores.profile.postgres_tables():
            cursor.execute(
                sql.SQL("SELECT to_jsonb(t)::text FROM {} t ORDER BY 1").format(sql.Identifier(placement.table))
            )
            tables[placement.table] = [row[0] for row in cursor.fetchall()]
    return tables


def fill_opensearch(stores: DataStores, count: int, *, tag: str = "v1") -> None:
    for index in stores.search_indexes().values():
        actions = [
            {
                "_index": index,
                "_id": f"artist-{i:05d}",
                "_source": {
                    "artistId": f"artist-{i:05d}",
                    "artistName": f"{tag} {AWKWARD_TEXT} {i}",
                    "styles": ["blackwork", "fineline"][: 1 + i % 2],
                    "rating": 4.5,
                    "location": {"lat": 51.5 + i / 1000, "lon": -0.1},
                    "bookingOpen": bool(i % 2),
                },
            }
            for i in range(count)
        ]
        stores.search.bulk(actions)
        stores.search.refresh(index)


def opensearch_snapshot(stores: DataStores) -> dict[str, Any]:
    snapshot: dict[str, Any] = {}
    for index in stores.search_indexes().values():
        if not stores.search.index_exists(index):
            snapshot[index] = None
            continue
        stores.search.refresh(index)
        documents = sorted(
            json.dumps([hit["_id"], hit["_source"]], sort_keys=True) for hit in stores.search.scan(index)
        )
        mapping = stores.search.client.indices.get_mapping(index=index)[index]["mappings"]
        snapshot[index] = {"documents": documents, "mappings": mapping}
    return snapshot


def everything(stores: DataStores) -> dict[str, Any]:
    state: dict[str, Any] = {"dynamodb": dynamodb_snapshot(stores)}
    if stores.profile.uses_postgres:
        state["postgres"] = postgres_snapshot(stores)
    if stores.profile.uses_opensearch:
        state["opensearch"] = opensearch_snapshot(stores)
    return state


def bucket_keys(stores: DataStores) -> list[str]:
    return sorted(entry["Key"] for entry in stores.backups.list_objects(""))
