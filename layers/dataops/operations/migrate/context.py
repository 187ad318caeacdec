"""What a migration's `up`, `down` and `validate` receive: SQL that is captured (and run unless dry), and
batched, idempotent item migrations over DynamoDB that keep the search index in step.

A context carries out all of a migration's calls (`WHOLE`, as apply does) or a `Part` of them: a fanned-out job
(fanout.py) runs the same up() once per part, so migration files never know which part they are in.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import psycopg2.extensions
from psycopg2 import sql

from dataops.errors import ConfigurationError, DataOpsError
from dataops.operations.migrate.models import ItemStep
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


class PlanNotKept(DataOpsError):
    """up() made other item steps than plan recorded for it (it decides on data that changed since plan)."""

    code = "PlanNotKept"


@dataclass(frozen=True)
class Part:
    """Which of a migration's calls a context carries out; a call left out does nothing (item steps are still
    recorded in `item_steps`, which is how plan learns them)."""

    sql: bool = True
    mappings: bool = True
    items: bool = True
    # Item steps scan only this segment (of `segments`) of the table: one unit's share.
    segment: int | None = None
    segments: int = 1
    # The item steps plan recorded: up() must make exactly these, and each re-indexes where plan said it would.
    planned: tuple[ItemStep, ...] | None = None


WHOLE = Part()


class MigrationContext:
    """One migration's view of the stores. In a dry run every write is computed and recorded, none is made."""

    def __init__(
        self,
        stores: DataStores,
        *,
        dry_run: bool,
        cursor: psycopg2.extensions.cursor | None = None,
        part: Part = WHOLE,
    ) -> None:
        self.stores = stores
        self.profile: Profile = stores.profile
        self.dry_run = dry_run
        self.part = part
        self._cursor = cursor
        self.statements: list[str] = []
        self.actions: list[str] = []
        self.items: Counter[str] = Counter()
        self.item_steps: list[ItemStep] = []
        # The statement that raised, if one did: a failure report and a lock-timeout diagnosis name it.
        self.failed_statement: str | None = None

    def _postgres(self) -> psycopg2.extensions.cursor:
        if self._cursor is None:
            raise ConfigurationError(f"profile {self.profile.name!r} has no PostgreSQL; this migration needs it")
        return self._cursor

    def execute(self, statement: Statement, params: SqlParameters = None) -> None:
        """Run one SQL statement in the migration's transaction; its exact text is kept for the report."""
        if not self.part.sql:
            return
        cursor = self._postgres()
        text = cursor.mogrify(statement, params).decode()
        self.statements.append(text)
        if not self.dry_run:
            try:
                cursor.execute(statement, params)
            except Exception:
                self.failed_statement = text
                raise

    def query(self, statement: Statement, params: SqlParameters = None) -> list[tuple[Any, ...]]:
        """Read-only SQL, which runs even in a dry run (for `validate` and for decisions in `up`)."""
        cursor = self._postgres()
        cursor.execute(statement, params)
        return list(cursor.fetchall())

    def ensure_search_mapping(self, entity_name: str) -> None:
        """Give the entity's search index the profile's mapping (new fields are added in place)."""
        placement = self.profile.entity(entity_name).opensearch
        if placement is None or not self.profile.uses_opensearch or not self.part.mappings:
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
        step = self._item_step(entity, from_version, to_version, version_field)
        self.actions.append(f"{entity_name} items {from_version} -> {to_version}{self._share()}")
        if not self.part.items:
            return
        batch: list[Record] = []
        for record in self._records_of(entity, self.part.segment):
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
                self._write(entity, batch, step.index)
                batch = []
        if batch:
            self._write(entity, batch, step.index)

    def _share(self) -> str:
        if not self.part.items:
            return " (by the job's units)"
        return "" if self.part.segment is None else f" (segment {self.part.segment} of {self.part.segments})"

    def finish(self) -> None:
        """Once up() returns: a context that keeps to a plan checks that up() made every planned item step."""
        planned = self.part.planned
        if planned is not None and len(self.item_steps) != len(planned):
            raise PlanNotKept(
                f"up() made {len(self.item_steps)} item step(s) where plan recorded {len(planned)}; plan the job again"
            )

    def _item_step(self, entity: EntityDefinition, from_version: str, to_version: str, field: str) -> ItemStep:
        """Record the step; under a plan, check it is the planned one and keep the plan's choice of index (which
        was made where apply makes it, after the mappings of the migrations before it)."""
        step = ItemStep(entity=entity.name, from_version=from_version, to_version=to_version, version_field=field)
        planned = self.part.planned
        if planned is None:
            step.index = self._live_index(entity)
        else:
            expected = planned[len(self.item_steps)] if len(self.item_steps) < len(planned) else None
            if expected is None or expected.model_copy(update={"index": None}) != step:
                raise PlanNotKept(
                    f"up() made item step {step.entity} {from_version} -> {to_version}, which plan did not record "
                    "as its next one; plan the job again"
                )
            step = expected
        self.item_steps.append(step)
        return step

    def items_at(self, entity_name: str, version: str, *, version_field: str = "schemaVersion") -> int:
        """How many `entity_name` items are at `version` (for `validate`: none should be left behind)."""
        entity = self.profile.entity(entity_name)
        return sum(
            1 for record in self._records_of(entity) if str(record.get(version_field, LEGACY_SCHEMA_VERSION)) == version
        )

    def _records_of(self, entity: EntityDefinition, segment: int | None = None) -> Iterator[Record]:
        type_attribute = self.profile.table.entity_type_attribute
        # Pages are capped so memory stays a few pages deep even where the server does not cap them at 1 MB.
        if segment is None:
            items = self.stores.table.scan(page_size=SCAN_PAGE_SIZE)
        else:
            items = self.stores.table.scan_segment(segment, self.part.segments, page_size=SCAN_PAGE_SIZE)
        for item in items:
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
