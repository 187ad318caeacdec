"""The comparison engine cut into units that run apart, for a fanned-out sync: each unit reads one share of one
store and looks the other store up by key, so a unit holds one batch, whatever the size of the table or index.

- A DynamoDB unit scans one segment of the table. For each batch of an indexed entity's items it fetches those
  documents by id (mget), and finds `missing_in_opensearch` and `different`.
- An OpenSearch unit scans one slice of an entity's index (a sliced scroll). For each batch of documents it asks
  DynamoDB which of their items exist (BatchGetItem of keys), and finds `missing_in_dynamodb`.

Together a table's segments and its indexes' slices find every difference that `compare.compare_entity` finds, each
exactly once, with the same normalisation. The whole-entity engine holds ~100 bytes per document; these hold none.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Mapping
from typing import Any, Literal

from pydantic import BaseModel, Field

from dataops.compare import (
    FETCH_BATCH,
    SCAN_PAGE_ITEMS,
    ComparisonTally,
    RecordDifference,
    differences_by_id,
    entity_index,
    indexed_entity,
)
from dataops.profiles.model import EntityDefinition
from dataops.records import document_for, item_key_of_document, record_from_item
from dataops.stores.data_stores import DataStores

# A unit of a fanned-out job reads about this many records: well inside one Lambda invocation's 15 minutes.
RECORDS_PER_UNIT = 100_000
# At most this many shares per store, so the Map's collected outcomes (~250 bytes each) stay far under Step
# Functions' 256 KB state; past 40M records a unit reads more than RECORDS_PER_UNIT (docs/scaling.md).
MAX_SHARES = 400

Side = Literal["dynamodb", "opensearch"]


class CompareShare(BaseModel):
    """One unit's share: segment `segment` of `segments` of the table (for `entities`), or slice `segment` of
    `segments` of one entity's index."""

    side: Side
    entities: list[str] = Field(min_length=1)
    segment: int = Field(ge=0)
    segments: int = Field(ge=1, le=MAX_SHARES)


def shares_for(records: int) -> int:
    """How many shares a store of `records` is cut into: one per RECORDS_PER_UNIT, at least one."""
    return max(1, min(MAX_SHARES, -(-records // RECORDS_PER_UNIT)))


def share_differences(
    stores: DataStores, share: CompareShare, tallies: Mapping[str, ComparisonTally]
) -> Iterator[tuple[EntityDefinition, list[RecordDifference]]]:
    """The share's differences, a batch (one entity's) at a time; `tallies` (per entity) count what was read."""
    entities = [indexed_entity(stores.profile, name) for name in share.entities]
    if share.side == "dynamodb":
        yield from segment_differences(stores, entities, share.segment, share.segments, tallies)
    else:
        [entity] = entities
        for batch in slice_differences(stores, entity, share.segment, share.segments, tallies[entity.name]):
            yield entity, batch


def segment_differences(
    stores: DataStores,
    entities: list[EntityDefinition],
    segment: int,
    segments: int,
    tallies: Mapping[str, ComparisonTally],
    seen: Counter[str] | None = None,
) -> Iterator[tuple[EntityDefinition, list[RecordDifference]]]:
    """The differences of `entities` in one segment of the table; `seen` counts every item read, by entity type."""
    by_type = {entity.name: entity for entity in entities}
    indexes = {entity.name: entity_index(stores, entity) for entity in entities}
    # An index that does not exist yet holds no documents: every item is missing there, without an mget.
    present = {name: stores.search.index_exists(index) for name, index in indexes.items()}
    type_attribute = stores.profile.table.entity_type_attribute
    pending: dict[str, list[tuple[str, dict[str, Any], dict[str, Any]]]] = {name: [] for name in by_type}

    def flush(name: str) -> tuple[EntityDefinition, list[RecordDifference]]:
        batch, pending[name] = pending[name], []
        found = differences_by_id(stores, by_type[name], indexes[name], batch, tallies[name], present[name])
        return by_type[name], list(found)

    # Pages of SCAN_PAGE_ITEMS keep a unit's memory to a few small pages (as the whole-entity scan does).
    for item in stores.table.scan_segment(segment, segments, page_size=SCAN_PAGE_ITEMS):
        name = item.get(type_attribute)
        if seen is not None:
            seen[str(name)] += 1
        if name not in by_type:
            continue
        tallies[name].dynamodb += 1
        record = record_from_item(stores.profile, item)
        doc_id, expected = document_for(by_type[name], record)
        pending[name].append((doc_id, record, expected))
        if len(pending[name]) >= FETCH_BATCH:
            yield flush(name)
    for name in by_type:
        if pending[name]:
            yield flush(name)


def slice_differences(
    stores: DataStores, entity: EntityDefinition, segment: int, segments: int, tally: ComparisonTally
) -> Iterator[list[RecordDifference]]:
    """The documents of one slice of the entity's index whose item is not in the table."""
    index = entity_index(stores, entity)
    if not stores.search.index_exists(index):
        return
    query: dict[str, Any] = {"query": {"match_all": {}}}
    if segments > 1:
        query["slice"] = {"id": segment, "max": segments}
    batch: list[tuple[str, dict[str, Any]]] = []
    for hit in stores.search.scan(index, query, size=FETCH_BATCH):
        tally.opensearch += 1
        batch.append((str(hit["_id"]), dict(hit.get("_source") or {})))
        if len(batch) >= FETCH_BATCH:
            yield _without_items(stores, entity, batch, tally)
            batch = []
    if batch:
        yield _without_items(stores, entity, batch, tally)


def _without_items(
    stores: DataStores, entity: EntityDefinition, batch: list[tuple[str, dict[str, Any]]], tally: ComparisonTally
) -> list[RecordDifference]:
    """The documents of `batch` whose item does not exist: one keys-only BatchGetItem per 100."""
    keys: dict[str, tuple[tuple[str, Any], ...] | None] = {}
    for doc_id, source in batch:
        try:
            keys[doc_id] = tuple(sorted(item_key_of_document(entity, doc_id, source).items()))
        except KeyError:
            keys[doc_id] = None  # the document lacks a key field: no item can be found for it
    wanted = [dict(key) for key in dict.fromkeys(key for key in keys.values() if key is not None)]
    existing = {tuple(sorted(found.items())) for found in stores.table.existing_keys(wanted)}
    updated_at = stores.profile.table.updated_at_attribute
    missing = []
    for doc_id, source in batch:
        if keys[doc_id] in existing:
            continue
        tally.add("missing_in_dynamodb")
        stamp = source.get(updated_at)
        missing.append(
            RecordDifference(
                entity=entity.name,
                key=doc_id,
                kind="missing_in_dynamodb",
                fields=sorted(source),
                opensearch_updated_at=stamp if isinstance(stamp, str) else None,
                newer="opensearch",
                opensearch_document=source,
            )
        )
    return missing
