"""Applying differences: every full sync and conflict resolution is "for each difference, one side wins".

`dynamo-to-os` is DynamoDB winning every difference, `os-to-dynamo` OpenSearch winning every one, and
`resolve-conflicts` picks the winner per key by its strategy. Differences stream in from the comparison engine
and are written in batches, so memory stays bounded by one batch.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from itertools import islice
from typing import Any, Literal

from pydantic import BaseModel

from dataops.compare import RecordDifference
from dataops.profiles.model import EntityDefinition
from dataops.reconcile.dynamo_writes import item_key, key_record, record_from_document
from dataops.reconcile.search_writes import CurrentDocument, SearchChange, apply_search_changes
from dataops.reconcile.versions import document_version
from dataops.records import document_for, item_for, record_from_item
from dataops.stores.data_stores import DataStores

Winner = Literal["dynamodb", "opensearch"]
Strategy = Literal["latest", "dynamo_wins", "opensearch_wins"]
BATCH = 2000


class Resolution(BaseModel):
    """What happened to one differing key."""

    entity: str
    key: str
    kind: str
    fields: list[str]
    newer: str
    winner: Winner
    action: Literal["index_document", "delete_document", "write_item", "delete_item"]
    outcome: str
    reason: str


Chooser = Callable[[RecordDifference], tuple[Winner, str]]


def chooser(strategy: Strategy) -> Chooser:
    """The winner of a difference, and why."""

    def choose(difference: RecordDifference) -> tuple[Winner, str]:
        if strategy == "dynamo_wins":
            return "dynamodb", "dynamo_wins"
        if strategy == "opensearch_wins":
            return "opensearch", "opensearch_wins"
        if difference.newer in ("dynamodb", "opensearch"):
            side: Winner = "dynamodb" if difference.newer == "dynamodb" else "opensearch"
            if difference.kind == "different":
                return side, f"latest: {side} was updated last"
            return side, f"latest: only {side} holds the key (no deletion is recorded)"
        return "dynamodb", f"latest: update timestamps are {difference.newer}; DynamoDB is the system of record"

    return choose


def resolve(
    stores: DataStores,
    entity: EntityDefinition,
    differences: Iterable[RecordDifference],
    choose: Chooser,
    *,
    dry_run: bool,
) -> Iterator[Resolution]:
    iterator = iter(differences)
    while batch := list(islice(iterator, BATCH)):
        yield from _resolve_batch(stores, entity, batch, choose, dry_run=dry_run)


class _Plan:
    """One batch's writes, grouped by store, with the resolution each write reports."""

    def __init__(self) -> None:
        self.settled: list[Resolution] = []
        self.search_changes: list[tuple[SearchChange, Resolution]] = []
        self.item_puts: list[tuple[dict[str, Any], Resolution]] = []
        self.item_deletes: list[tuple[dict[str, Any], Resolution]] = []
        # The update timestamp each DynamoDB write expects to find, so a newer write is never overwritten.
        self.compared_stamps: dict[str, Any] = {}
        # The table key behind each indexed document, to read the item again before a forced re-creation.
        self.item_keys: dict[str, dict[str, Any]] = {}


def _plan(stores: DataStores, entity: EntityDefinition, batch: list[RecordDifference], choose: Chooser) -> _Plan:
    updated_at = stores.profile.table.updated_at_attribute
    plan = _Plan()
    for difference in batch:
        winner, reason = choose(difference)
        base = {
            "entity": entity.name,
            "key": difference.key,
            "kind": difference.kind,
            "fields": difference.fields,
            "newer": difference.newer,
            "winner": winner,
            "reason": reason,
            "outcome": "dry_run",
        }
        if winner == "dynamodb" and difference.dynamodb_record is not None:
            _, document = document_for(entity, difference.dynamodb_record)
            change = SearchChange(difference.key, document, document_version(difference.dynamodb_record, updated_at))
            plan.search_changes.append((change, Resolution(**base, action="index_document")))
            plan.item_keys[difference.key] = item_key(entity, difference.dynamodb_record)
        elif winner == "dynamodb":
            resolution = Resolution(**base, action="delete_document")
            key = item_key(entity, key_record(entity, difference.key, difference.opensearch_document))
            if stores.table.get(key) is not None:
                # The item appeared after the scan (a stream change): the document is not an orphan any more.
                plan.settled.append(resolution.model_copy(update={"outcome": "skipped_changed"}))
            else:
                plan.search_changes.append((SearchChange(difference.key, None, None), resolution))
        elif difference.opensearch_document is not None:
            record, problem = record_from_document(entity, difference.opensearch_document, difference.dynamodb_record)
            resolution = Resolution(**base, action="write_item")
            if record is None:
                plan.settled.append(resolution.model_copy(update={"outcome": "skipped_incomplete", "reason": problem}))
            else:
                plan.item_puts.append((item_for(stores.profile, entity, record), resolution))
                if difference.dynamodb_record is not None:
                    plan.compared_stamps[difference.key] = difference.dynamodb_record.get(updated_at)
        else:
            plan.item_deletes.append((difference.dynamodb_record or {}, Resolution(**base, action="delete_item")))
    return plan


def _resolve_batch(
    stores: DataStores,
    entity: EntityDefinition,
    batch: list[RecordDifference],
    choose: Chooser,
    *,
    dry_run: bool,
) -> Iterator[Resolution]:
    plan = _plan(stores, entity, batch, choose)
    yield from plan.settled
    if dry_run:
        yield from (resolution for _, resolution in plan.search_changes)
        yield from (resolution for _, resolution in plan.item_puts)
        yield from (resolution for _, resolution in plan.item_deletes)
        return
    if plan.search_changes:
        index = stores.settings.resolved_index(entity.opensearch.index_base_name)  # type: ignore[union-attr]
        changes = [change for change, _ in plan.search_changes]
        results = apply_search_changes(
            stores.search, index, changes, force=True, current=_current_document(stores, entity, plan.item_keys)
        )
        for (_, resolution), result in zip(plan.search_changes, results, strict=True):
            update: dict[str, Any] = {"outcome": "skipped_newer" if result.outcome == "stale" else result.outcome}
            if result.error:
                update["reason"] = result.error
            yield resolution.model_copy(update=update)
        stores.search.refresh(index)
    for item, resolution in plan.item_puts:
        yield _put_item(stores, item, resolution, plan.compared_stamps.get(resolution.key))
    for record, resolution in plan.item_deletes:
        yield _delete_item(stores, entity, record, resolution)


def _current_document(
    stores: DataStores, entity: EntityDefinition, item_keys: dict[str, dict[str, Any]]
) -> CurrentDocument:
    def current(change: SearchChange) -> dict[str, Any] | None:
        item = stores.table.get(item_keys[change.key])
        return None if item is None else document_for(entity, record_from_item(stores.profile, item))[1]

    return current


def _put_item(stores: DataStores, item: dict[str, Any], resolution: Resolution, compared_stamp: Any) -> Resolution:
    """Create only where no item exists, update only the item that was compared; otherwise `skipped_changed`."""
    updated_at = stores.profile.table.updated_at_attribute
    partition_key = stores.profile.table.partition_key.name
    if resolution.kind == "missing_in_dynamodb":
        written = stores.table.put_if(item, "attribute_not_exists(#k)", names={"#k": partition_key})
        outcome = "created"
    elif compared_stamp is not None:
        written = stores.table.put_if(item, "#u = :u", {":u": compared_stamp}, {"#u": updated_at})
        outcome = "updated"
    else:
        written = stores.table.put_if(item, "attribute_exists(#k)", names={"#k": partition_key})
        outcome = "updated"
    return resolution.model_copy(update={"outcome": outcome if written else "skipped_changed"})


def _delete_item(
    stores: DataStores, entity: EntityDefinition, record: dict[str, Any], resolution: Resolution
) -> Resolution:
    """Delete only if the item still carries the update timestamp that was compared, so a newer write survives."""
    updated_at = stores.profile.table.updated_at_attribute
    key = item_key(entity, record)
    if updated_at in record:
        deleted = stores.table.delete_if(key, "#u = :u", {":u": record[updated_at]}, {"#u": updated_at})
    else:
        name, value = next(iter(key.items()))
        deleted = stores.table.delete_if(key, "#k = :k", {":k": value}, {"#k": name})
    return resolution.model_copy(update={"outcome": "deleted" if deleted else "skipped_changed"})
