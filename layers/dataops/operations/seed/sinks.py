"""Where seeded records go: one sink per (entity, store). Each turns a record into its store's shape, finds
which keys already exist, and writes a batch. The engine decides what to write; sinks only talk to stores.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

from psycopg2 import sql
from psycopg2.extras import Json, execute_values

from dataops.errors import ConfigurationError, StoreUnavailable
from dataops.operations.seed.fingerprint import dynamodb_key
from dataops.profiles.model import EntityDefinition
from dataops.records import document_for, item_for
from dataops.stores.data_stores import DataStores

Entry = tuple[str, Any]  # (key as text, the store's payload)


class Sink(Protocol):
    entity: str
    store: str
    # Whether the engine may call this sink from worker threads (the PostgreSQL connection is shared, so not).
    concurrent: bool
    # Set by a dry run's prepare when the store is not ready: what a real run would refuse, said as a warning.
    warning: str | None

    def entry(self, values: dict[str, Any]) -> Entry: ...

    def existing(self, entries: Sequence[Entry]) -> set[str]: ...

    def write(self, entries: Sequence[Entry]) -> None: ...

    def prepare(self, *, dry_run: bool) -> None: ...

    def finish(self) -> None: ...


class DynamoSink:
    store = "dynamodb"
    concurrent = True
    warning: str | None = None

    def __init__(self, stores: DataStores, entity: EntityDefinition) -> None:
        self.entity = entity.name
        self._definition = entity
        self._stores = stores
        self._partition = stores.profile.table.partition_key.name
        sort_key = stores.profile.table.sort_key
        self._sort = sort_key.name if sort_key else None

    def entry(self, values: dict[str, Any]) -> Entry:
        item = item_for(self._stores.profile, self._definition, values)
        return dynamodb_key(item[self._partition], item.get(self._sort) if self._sort else None), item

    def _key(self, item: dict[str, Any]) -> dict[str, Any]:
        key = {self._partition: item[self._partition]}
        if self._sort:
            key[self._sort] = item[self._sort]
        return key

    def existing(self, entries: Sequence[Entry]) -> set[str]:
        found = self._stores.table.existing_keys(self._key(item) for _, item in entries)
        return {dynamodb_key(key[self._partition], key.get(self._sort) if self._sort else None) for key in found}

    def write(self, entries: Sequence[Entry]) -> None:
        self._stores.table.batch_write(item for _, item in entries)

    def prepare(self, *, dry_run: bool) -> None:
        """Nothing to create: the table is part of the deployment."""

    def finish(self) -> None:
        """BatchWriteItem is durable on return."""


class SearchSink:
    store = "opensearch"
    concurrent = True
    warning: str | None = None

    def __init__(self, stores: DataStores, entity: EntityDefinition) -> None:
        if entity.opensearch is None:
            raise ValueError(f"entity {entity.name!r} is not indexed")
        self.entity = entity.name
        self._definition = entity
        self._mappings = entity.opensearch.mappings
        self._stores = stores
        self.index = stores.search_indexes()[entity.name]

    def entry(self, values: dict[str, Any]) -> Entry:
        return document_for(self._definition, values)

    def existing(self, entries: Sequence[Entry]) -> set[str]:
        return self._stores.search.existing_ids(self.index, [doc_id for doc_id, _ in entries])

    def write(self, entries: Sequence[Entry]) -> None:
        actions = (
            {"_op_type": "index", "_index": self.index, "_id": doc_id, "_source": doc} for doc_id, doc in entries
        )
        _, failures = self._stores.search.bulk(actions)
        if failures:
            raise StoreUnavailable(f"OpenSearch index {self.index}: {len(failures)} documents failed: {failures[0]}")

    def prepare(self, *, dry_run: bool) -> None:
        """Make sure the index has its mappings before documents arrive (a dry run creates nothing)."""
        if not dry_run:
            self._stores.search.ensure_index(self.index, self._mappings)

    def finish(self) -> None:
        self._stores.search.refresh(self.index)


class PostgresSink:
    store = "postgres"
    concurrent = False

    def __init__(self, stores: DataStores, entity: EntityDefinition) -> None:
        if entity.postgres is None:
            raise ValueError(f"entity {entity.name!r} has no PostgreSQL table")
        self.entity = entity.name
        self._stores = stores
        self.table = entity.postgres.table
        self._primary_key = list(entity.postgres.primary_key)
        self._columns = list(entity.model.model_fields)
        self.warning: str | None = None

    def entry(self, values: dict[str, Any]) -> Entry:
        row = {column: _adapt(values.get(column)) for column in self._columns}
        return "|".join(str(values[column]) for column in self._primary_key), row

    def existing(self, entries: Sequence[Entry]) -> set[str]:
        if self.warning is not None:  # a dry run against a table the migrations have not created yet
            return set()
        keys = tuple(tuple(row[column] for column in self._primary_key) for _, row in entries)
        if not keys:
            return set()
        columns = sql.SQL(", ").join(map(sql.Identifier, self._primary_key))
        query = sql.SQL("SELECT {} FROM {} WHERE ({}) IN %s").format(columns, sql.Identifier(self.table), columns)
        with self._stores.postgres.transaction() as cursor:
            cursor.execute(query, (keys,))
            return {"|".join(str(value) for value in row) for row in cursor.fetchall()}

    def write(self, entries: Sequence[Entry]) -> None:
        """One INSERT ... ON CONFLICT DO UPDATE per batch: new rows are created, existing ones overwritten."""
        updates = [column for column in self._columns if column not in self._primary_key]
        statement = sql.SQL("INSERT INTO {} ({}) VALUES %s ON CONFLICT ({}) DO UPDATE SET {}").format(
            sql.Identifier(self.table),
            sql.SQL(", ").join(map(sql.Identifier, self._columns)),
            sql.SQL(", ").join(map(sql.Identifier, self._primary_key)),
            sql.SQL(", ").join(sql.SQL("{0} = EXCLUDED.{0}").format(sql.Identifier(column)) for column in updates),
        )
        rows = [tuple(row[column] for column in self._columns) for _, row in entries]
        with self._stores.postgres.transaction() as cursor:
            execute_values(cursor, statement.as_string(cursor), rows, page_size=500)

    def missing(self) -> str | None:
        """Why this sink cannot be written (its table is absent), or None."""
        if self._stores.postgres.table_exists(self.table):
            return None
        return f"PostgreSQL table {self.table!r} does not exist; apply the migrations first (dataops migrate apply)"

    def prepare(self, *, dry_run: bool) -> None:
        """The schema belongs to the migrations: a real run refuses a missing table; a dry run (say, of init, whose
        migrate step is a dry run too) counts every row as would-create and warns that migrations are pending."""
        problem = self.missing()
        if problem is None:
            return
        if not dry_run:
            raise ConfigurationError(problem)
        self.warning = (
            f"PostgreSQL table {self.table!r} does not exist yet (migrations pending): "
            f"every {self.entity} row counted as would-create"
        )

    def finish(self) -> None:
        """Each batch commits in its own transaction."""


def _adapt(value: Any) -> Any:
    return Json(value) if isinstance(value, dict | list) else value


def sinks_for(stores: DataStores, entity: EntityDefinition) -> list[Sink]:
    sinks: list[Sink] = []
    if entity.dynamodb is not None:
        sinks.append(DynamoSink(stores, entity))
    if entity.postgres is not None:
        sinks.append(PostgresSink(stores, entity))
    if entity.opensearch is not None:
        sinks.append(SearchSink(stores, entity))
    return sinks
