"""Emptying the profile's data stores. The backup bucket and the control table are never touched: backups must
survive a reset, and the control table holds the lock, the audit trail and the state promise.
"""

from __future__ import annotations

from collections import deque
from concurrent.futures import Future, ThreadPoolExecutor
from itertools import islice
from typing import Any

from psycopg2 import sql

from dataops.stores.data_stores import DataStores

DELETE_BATCH = 500
DELETE_WORKERS = 6


def data_stores_of(stores: DataStores) -> list[str]:
    profile = stores.profile
    used = [("dynamodb", profile.uses_dynamodb), ("postgres", profile.uses_postgres)]
    used.append(("opensearch", profile.uses_opensearch))
    return [store for store, present in used if present]


def clear_dynamodb(stores: DataStores, *, dry_run: bool) -> dict[str, int]:
    """Delete every item of the data table (per entity type in the result), in parallel batches."""
    table = stores.table
    key_names = [stores.profile.table.partition_key.name]
    if stores.profile.table.sort_key:
        key_names.append(stores.profile.table.sort_key.name)
    type_attribute = stores.profile.table.entity_type_attribute
    counts: dict[str, int] = {}
    items = table.scan(projection=[*key_names, type_attribute])
    in_flight: deque[Future[int]] = deque()
    with ThreadPoolExecutor(max_workers=DELETE_WORKERS, thread_name_prefix="clear") as pool:
        while batch := list(islice(items, DELETE_BATCH)):
            for item in batch:
                entity = str(item.get(type_attribute, "(untyped)"))
                counts[entity] = counts.get(entity, 0) + 1
            if dry_run:
                continue
            keys: list[dict[str, Any]] = [{name: item[name] for name in key_names} for item in batch]
            in_flight.append(pool.submit(table.batch_delete, keys))
            while len(in_flight) > DELETE_WORKERS * 2:
                in_flight.popleft().result()
        while in_flight:
            in_flight.popleft().result()
    return counts


def clear_postgres(stores: DataStores, *, dry_run: bool) -> dict[str, int]:
    """TRUNCATE the profile's tables in one statement (foreign keys between them hold); the schema stays."""
    tables = [placement.table for _, placement in stores.profile.postgres_tables()]
    present = [table for table in tables if stores.postgres.table_exists(table)]
    counts = {table: stores.postgres.count_rows(table) for table in present}
    if present and not dry_run:
        statement = sql.SQL("TRUNCATE {}").format(sql.SQL(", ").join(map(sql.Identifier, present)))
        with stores.postgres.transaction() as cursor:
            cursor.execute(statement)
    return counts


def clear_opensearch(stores: DataStores, *, dry_run: bool) -> dict[str, int]:
    """Delete every document of the profile's indexes; the indexes and their mappings stay."""
    counts: dict[str, int] = {}
    for index in stores.search_indexes().values():
        if dry_run:
            counts[index] = stores.search.count(index) or 0
        else:
            counts[index] = stores.search.delete_all(index)
    return counts


CLEARERS = {"dynamodb": clear_dynamodb, "postgres": clear_postgres, "opensearch": clear_opensearch}


def clear(stores: DataStores, store: str, *, dry_run: bool) -> dict[str, dict[str, int]]:
    """`store` is one of the profile's data stores or `all`; returns store -> (entity or table -> deleted)."""
    targets = data_stores_of(stores) if store == "all" else [store]
    return {target: CLEARERS[target](stores, dry_run=dry_run) for target in targets}
