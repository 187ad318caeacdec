"""What every validation pass shares: the stores, the request's scope, the checker, the log and the fixes."""

from __future__ import annotations

import string
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import psycopg2.extras
from psycopg2 import sql

from dataops.operations.validate.checker import RecordChecker
from dataops.operations.validate.fixes import FixPlan
from dataops.operations.validate.report import IssueLog, ValidationIssue
from dataops.profiles.model import EntityDefinition
from dataops.stores.data_stores import DataStores

BATCH = 500


@dataclass
class Coverage:
    """How much of one entity a validation read: all of it, or a sample of `checked` out of about `total`."""

    checked: int = 0
    total: int | None = None
    estimated: bool = False

    @property
    def sampled(self) -> bool:
        return self.total is None or self.checked < self.total

    def describe(self, entity: str) -> str:
        about = "~" if self.estimated else ""
        total = "?" if self.total is None else f"{about}{self.total}"
        return f"checked {self.checked} of {total} {entity}"


@dataclass
class ValidationContext:
    stores: DataStores
    categories: set[str]
    entities: set[str]
    checker: RecordChecker
    log: IssueLog
    fixes: FixPlan
    fix: bool
    warnings: list[str] = field(default_factory=list)
    checked: dict[str, int] = field(default_factory=dict)
    # Schema and rule checks read at most this many records per entity (None: every record).
    sample_per_entity: int | None = None
    coverage: dict[str, Coverage] = field(default_factory=dict)

    def wants(self, category: str) -> bool:
        return category in self.categories

    def in_scope(self, entity: EntityDefinition) -> bool:
        return entity.name in self.entities

    def count(self, store: str, records: int = 1) -> None:
        self.checked[store] = self.checked.get(store, 0) + records

    def report(self, issue: ValidationIssue) -> None:
        self.log.add(issue)


class ParentKeys:
    """Key values of parent entities, loaded once per (entity, field) by a projected scan or a streamed SELECT.

    Only the referenced field's values are kept, never whole records. With `lookup` (a sampled validation), a
    DynamoDB parent whose table key is built from that field alone is not scanned: `confirm` looks up just the
    values a batch of children names (key-only BatchGetItem), so a sample's references cost its own size.
    """

    def __init__(self, stores: DataStores, *, lookup: bool = False) -> None:
        self.stores = stores
        self.lookup = lookup
        self._values: dict[tuple[str, str], set[str]] = {}
        self._asked: dict[tuple[str, str], set[str]] = {}

    def values(self, parent: EntityDefinition, parent_field: str) -> set[str]:
        wanted = (parent.name, parent_field)
        if wanted not in self._values:
            self._values[wanted] = self._load(parent, parent_field)
        return self._values[wanted]

    def confirm(self, parent: EntityDefinition, parent_field: str, candidates: set[str]) -> None:
        """Learn which of `candidates` exist, when looked up rather than scanned; else a no-op."""
        wanted = (parent.name, parent_field)
        if not self._looked_up(parent, parent_field) or (wanted in self._values and wanted not in self._asked):
            return
        known, asked = self._values.setdefault(wanted, set()), self._asked.setdefault(wanted, set())
        fresh = sorted(candidates - asked)
        if not fresh:
            return
        asked.update(fresh)
        assert parent.dynamodb is not None  # noqa: S101 - _looked_up checked it
        table = self.stores.profile.table
        key_names = [table.partition_key.name, *([table.sort_key.name] if table.sort_key else [])]
        keys = {}
        for value in fresh:
            rendered = parent.dynamodb.render({parent_field: value}, include_index_keys=False)
            keys[tuple(rendered[name] for name in key_names)] = value
        for found in self.stores.table.existing_keys(dict(zip(key_names, key, strict=True)) for key in keys):
            known.add(keys[tuple(str(found[name]) for name in key_names)])

    def _looked_up(self, parent: EntityDefinition, parent_field: str) -> bool:
        placement = parent.dynamodb
        return (
            self.lookup
            and placement is not None
            and {name for template in placement.key_templates.values() for name in _fields(template)} == {parent_field}
        )

    def _load(self, parent: EntityDefinition, parent_field: str) -> set[str]:
        if parent.dynamodb is not None:
            type_attribute = self.stores.profile.table.entity_type_attribute
            return {
                str(item[parent_field])
                for item in self.stores.table.scan(projection=[type_attribute, parent_field])
                if item.get(type_attribute) == parent.name and parent_field in item
            }
        assert parent.postgres is not None  # noqa: S101 - an entity lives in DynamoDB or PostgreSQL
        query = sql.SQL("SELECT {} FROM {} WHERE {} IS NOT NULL").format(
            sql.Identifier(parent_field), sql.Identifier(parent.postgres.table), sql.Identifier(parent_field)
        )
        return {str(row[0]) for row in stream_rows(self.stores, query)}


def _fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def stream_rows(
    stores: DataStores, query: sql.Composable, params: tuple[Any, ...] = (), *, as_dicts: bool = False
) -> Iterator[Any]:
    """Rows from a server-side cursor, fetched a page at a time, so a large table never sits in memory."""
    factory = psycopg2.extras.RealDictCursor if as_dicts else None
    yield from stores.postgres.stream(query, params, cursor_factory=factory)
