"""What a migration's `up`, `down` and `validate` receive: SQL that is captured (and run unless dry), and
batched, idempotent item migrations over DynamoDB that keep the search index in step.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

import psycopg2.extensions
from psycopg2 import sql

from dataops.errors import ConfigurationError, DataOpsError
from dataops.profiles.model import EntityDefinition, Profile
from dataops.records import document_for, item_for, record_from_item
from dataops.stores.data_stores import DataStores

Record = dict[str, Any]
RecordTransform = Callable[[Record], Record]
Statement = str | sql.Composable
SqlParameters = Sequence[Any] | Mapping[str, Any] | None

ITEM_BATCH_SIZE = 25
SCAN_PAGE_SIZE = 250
LEGACY_SCHEMA_VERSION = "1.0.0"


class MigrationContext:
    """One migration's view of the stores. In a dry run every write is computed and recorded, none is made."""

    def __init__(self, stores: DataStores, *, dry_run: bool, cursor: psycopg2.extensions.cursor | None = None) -> None:
        self.stores = stores
        self.profile: Profile = stores.profile
        self.dry_run = dry_run
        self._cursor = cursor
        self.statements: list[str] = []
        self.actions: list[str] = []
        self.items: Counter[str] = Counter()

    def _postgres(self) -> psycopg2.extensions.cursor:
        if self._cursor is None:
            raise ConfigurationError(f"profile {self.profile.name!r} has no PostgreSQL; this migration needs it")
        return self._cursor

    def execute(self, statement: Statement, params: SqlParameters = None) -> None:
        """Run one SQL statement in the migration's transaction; its exact text is kept for the report."""
        cursor = self._postgres()
        self.statements.append(cursor.mogrify(statement, params).decode())
        if not self.dry_run:
            cursor.execute(statement, params)

    def query(self, statement: Statement, params: SqlParameters = None) -> list[tuple[Any, ...]]:
        """Read-only SQL, which runs even in a dry run (for `validate` and for decisions in `up`)."""
        cursor = self._postgres()
        cursor.execute(statement, params)
        return list(cursor.fetchall())

    def ensure_search_mapping(self, entity_name: str) -> None:
        """Give the entity's search index the profile's mapping (new fields are added in place)."""
        placement = self.profile.entity(entity_name).opensearch
        if placement is None or not self.profile.uses_opensearch:
            return
        index = self.stores.search_indexes()[entity_name]
        self.actions.append(f"put mapping of index {index}")
        if not self.dry_run:
            self.stores.search.ensure_index(index, placement.mappings)

    def migrate_items(
        self,
        entity_name: str,
        *,
        from_version: str,
        to_version: str,
        transform: RecordTransform,
        version_field: str = "schemaVersion",
    ) -> None:
        """Carry every `entity_name` item at `from_version` to `to_version`, 25 to a batch.

        Items record their own version, so a run that died halfway is finished by the next one without
        touching what it already changed. Changed items are re-indexed when the entity is searchable.
        """
        entity = self.profile.entity(entity_name)
        self.actions.append(f"{entity_name} items {from_version} -> {to_version}")
        index = self._live_index(entity)
        batch: list[Record] = []
        for record in self._records_of(entity):
            self.items["scanned"] += 1
            if str(record.get(version_field, LEGACY_SCHEMA_VERSION)) != from_version:
                continue
            migrated = transform(dict(record))
            migrated[version_field] = to_version
            self.items["changed"] += 1
            if self.dry_run:
                continue
            batch.append(migrated)
            if len(batch) >= ITEM_BATCH_SIZE:
                self._write(entity, batch, index)
                batch = []
        if batch:
            self._write(entity, batch, index)

    def items_at(self, entity_name: str, version: str, *, version_field: str = "schemaVersion") -> int:
        """How many `entity_name` items are at `version` (for `validate`: none should be left behind)."""
        entity = self.profile.entity(entity_name)
        return sum(
            1 for record in self._records_of(entity) if str(record.get(version_field, LEGACY_SCHEMA_VERSION)) == version
        )

    def _records_of(self, entity: EntityDefinition) -> Iterator[Record]:
        type_attribute = self.profile.table.entity_type_attribute
        # Pages are capped so memory stays a few pages deep even where the server does not cap them at 1 MB.
        for item in self.stores.table.scan(page_size=SCAN_PAGE_SIZE):
            if item.get(type_attribute) == entity.name:
                yield record_from_item(self.profile, item)

    def _live_index(self, entity: EntityDefinition) -> str | None:
        if entity.opensearch is None or not self.profile.uses_opensearch:
            return None
        index = self.stores.search_indexes()[entity.name]
        return index if self.stores.search.index_exists(index) else None

    def _write(self, entity: EntityDefinition, records: list[Record], index: str | None) -> None:
        self.stores.table.batch_write(item_for(self.profile, entity, record) for record in records)
        if index is None:
            return
        actions = []
        for record in records:
            document_id, document = document_for(entity, record)
            actions.append(
                {"_op_type": "index", "_index": index, "_id": document_id, "_source": fit_mapping(entity, document)}
            )
        indexed, failures = self.stores.search.bulk(actions)
        self.items["reindexed"] += indexed
        if failures:
            raise DataOpsError(f"index {index} refused {len(failures)} document(s): {failures[0]}")


def fit_mapping(entity: EntityDefinition, document: Record) -> Record:
    """Leave out a legacy-shaped value (bare strings where the mapping now holds objects): the index keeps the
    latest mapping, and such a field becomes searchable once its own migration has reshaped it.
    """
    properties = entity.opensearch.mappings.get("properties", {}) if entity.opensearch else {}
    fitted: Record = {}
    for field, value in document.items():
        if "properties" in properties.get(field, {}):
            values = value if isinstance(value, list) else [value]
            if any(not isinstance(element, dict) for element in values):
                continue
        fitted[field] = value
    return fitted
