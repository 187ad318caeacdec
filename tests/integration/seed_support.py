"""Reading a provisioned profile's stores back, for seed and reset tests: contents, hashes, artists by scenario."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from psycopg2 import sql

from dataops.operations.migrate import MIGRATE
from dataops.stores.data_stores import DataStores


def migrated(stores: DataStores) -> DataStores:
    """agent_system's PostgreSQL tables come only from the migrations."""
    MIGRATE.run(MIGRATE.parse({"action": "apply"}), stores)
    return stores


def dynamodb_items(stores: DataStores) -> list[dict[str, Any]]:
    return sorted(stores.table.scan(), key=lambda item: (item["PK"], item["SK"]))


def search_documents(stores: DataStores) -> list[tuple[str, dict[str, Any]]]:
    documents: list[tuple[str, dict[str, Any]]] = []
    for index in stores.search_indexes().values():
        stores.search.refresh(index)
        documents.extend((hit["_id"], hit["_source"]) for hit in stores.search.scan(index))
    return sorted(documents, key=lambda pair: pair[0])


def postgres_rows(stores: DataStores) -> dict[str, list[tuple[Any, ...]]]:
    rows: dict[str, list[tuple[Any, ...]]] = {}
    for _entity, placement in stores.profile.postgres_tables():
        if not stores.postgres.table_exists(placement.table):
            continue
        with stores.postgres.transaction() as cursor:
            cursor.execute(sql.SQL("SELECT * FROM {}").format(sql.Identifier(placement.table)))
            rows[placement.table] = sorted(cursor.fetchall(), key=repr)
    return rows


def contents(stores: DataStores) -> dict[str, Any]:
    """Everything the profile's data stores hold (the control table and backups are not data)."""
    snapshot: dict[str, Any] = {"dynamodb": dynamodb_items(stores)}
    if stores.profile.uses_opensearch:
        snapshot["opensearch"] = search_documents(stores)
    if stores.profile.uses_postgres:
        snapshot["postgres"] = postgres_rows(stores)
    return snapshot


def contents_hash(stores: DataStores, *, drop: tuple[str, ...] = ()) -> str:
    """A hash of the stores' contents; `drop` leaves out fields that differ by design (e.g. per-stage names)."""
    snapshot = contents(stores)
    snapshot["dynamodb"] = [{k: v for k, v in item.items() if k not in drop} for item in snapshot["dynamodb"]]
    return hashlib.sha256(json.dumps(snapshot, sort_keys=True, default=str).encode()).hexdigest()


def audit_count(stores: DataStores) -> int:
    return sum(1 for item in stores.control.scan() if item.get("record_type") == "audit")


def artists_with_prefix(stores: DataStores, prefix: str) -> list[dict[str, Any]]:
    return [
        item
        for item in stores.table.scan()
        if item.get("entity_type") == "artist" and str(item["artistId"]).startswith(prefix)
    ]
