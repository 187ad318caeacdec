"""Repairs found during validation, queued and written in batches; in a dry run they are only reported.

DynamoDB is the source of truth for indexed entities, so a repaired or deleted item also updates its document.
"""

from __future__ import annotations

from typing import Any

from psycopg2 import sql

from dataops.operations.validate.report import AppliedFix, IssueLog, Store
from dataops.operations.validate.undo import FixSnapshot, before_images
from dataops.profiles.model import EntityDefinition
from dataops.profiles.rules import Severity
from dataops.records import document_for, item_for, record_from_item
from dataops.stores.data_stores import DataStores

FLUSH_EVERY = 100


class FixPlan:
    def __init__(self, stores: DataStores, log: IssueLog, *, apply: bool, snapshot: FixSnapshot | None = None) -> None:
        self.stores = stores
        self.log = log
        self.apply = apply
        # Where each batch's before-images go, before the batch is written (so `undo-fix` can put them back).
        self.snapshot = snapshot
        self._puts: list[dict[str, Any]] = []
        self._deletes: list[dict[str, Any]] = []
        self._documents: list[dict[str, Any]] = []
        self._rows: list[tuple[str, tuple[str, ...], tuple[Any, ...]]] = []

    def _table_key(self, item: dict[str, Any]) -> dict[str, Any]:
        design = self.stores.profile.table
        names = [design.partition_key.name] + ([design.sort_key.name] if design.sort_key else [])
        return {name: item[name] for name in names}

    def _note(self, entity: str, key: str, store: Store, rule: str, action: Any, severity: Severity) -> None:
        fix = AppliedFix(entity=entity, key=key, store=store, rule=rule, action=action, done=self.apply)
        self.log.add_fix(fix, severity)
        if len(self._puts) + len(self._deletes) + len(self._documents) + len(self._rows) >= FLUSH_EVERY:
            self.flush()

    def update_item(
        self, entity: EntityDefinition, key: str, rules: list[tuple[str, Severity]], item: dict[str, Any],
        record: dict[str, Any],
    ) -> None:  # fmt: skip
        """Write the repaired record; one write may settle several rules' issues on the same item."""
        new_item = item_for(self.stores.profile, entity, record)
        if self._table_key(new_item) != self._table_key(item):
            self._deletes.append(self._table_key(item))
        self._puts.append(new_item)
        if entity.opensearch is not None:
            self._queue_index(entity, record)
        for rule, severity in rules:
            self._note(entity.name, key, "dynamodb", rule, "update", severity)

    def delete_item(
        self, entity: EntityDefinition, key: str, rules: list[tuple[str, Severity]], item: dict[str, Any]
    ) -> None:
        """Remove the item (and its document); every issue it carried goes with it."""
        self._deletes.append(self._table_key(item))
        if entity.opensearch is not None:
            doc_id, _ = document_for(entity, record_from_item(self.stores.profile, item))
            self._queue_document_delete(entity, doc_id)
        for rule, severity in rules:
            self._note(entity.name, key, "dynamodb", rule, "delete", severity)

    def index_document(
        self, entity: EntityDefinition, key: str, rule: str, severity: Severity, record: dict[str, Any]
    ) -> None:
        self._queue_index(entity, record)
        self._note(entity.name, key, "opensearch", rule, "index", severity)

    def delete_document(self, entity: EntityDefinition, key: str, rule: str, severity: Severity) -> None:
        self._queue_document_delete(entity, key)
        self._note(entity.name, key, "opensearch", rule, "delete-document", severity)

    def delete_row(
        self, entity: EntityDefinition, key: str, rule: str, severity: Severity, primary_key: tuple[Any, ...]
    ) -> None:
        assert entity.postgres is not None  # noqa: S101 - only PostgreSQL checks call this
        self._rows.append((entity.postgres.table, entity.postgres.primary_key, primary_key))
        self._note(entity.name, key, "postgres", rule, "delete", severity)

    def _index_name(self, entity: EntityDefinition) -> str:
        assert entity.opensearch is not None  # noqa: S101 - callers pass indexed entities
        return self.stores.settings.resolved_index(entity.opensearch.index_base_name)

    def _queue_index(self, entity: EntityDefinition, record: dict[str, Any]) -> None:
        doc_id, document = document_for(entity, record)
        self._documents.append(
            {"_op_type": "index", "_index": self._index_name(entity), "_id": doc_id, "_source": document}
        )

    def _queue_document_delete(self, entity: EntityDefinition, doc_id: str) -> None:
        self._documents.append({"_op_type": "delete", "_index": self._index_name(entity), "_id": doc_id})

    def flush(self) -> None:
        puts, deletes, documents, rows = self._puts, self._deletes, self._documents, self._rows
        self._puts, self._deletes, self._documents, self._rows = [], [], [], []
        if not self.apply:
            return
        if self.snapshot is not None:
            self.snapshot.save(before_images(self.stores, puts, deletes, documents, rows))
        if deletes:
            self.stores.table.batch_delete(deletes)
        if puts:
            self.stores.table.batch_write(puts)
        if documents:
            self.stores.search.bulk(documents)
            for index in {action["_index"] for action in documents}:
                self.stores.search.refresh(index)
        if rows:
            with self.stores.postgres.transaction() as cursor:
                for table, columns, values in rows:
                    condition = sql.SQL(" AND ").join(
                        sql.SQL("{} = %s").format(sql.Identifier(column)) for column in columns
                    )
                    cursor.execute(sql.SQL("DELETE FROM {} WHERE {}").format(sql.Identifier(table), condition), values)
