"""What a scheduled `monitor check` reads of the data: a bounded random sample, never the whole table.

A check runs every 5 minutes, 288 times a day. It used to count every item (a projected scan of the whole table)
and compare every item with OpenSearch (a second full scan, plus a scan of every index). A scan is charged on the
bytes read, projection or not: at 1M items of 1 KB, one eventually consistent scan costs about 125,000 read units,
so two per check came to about 72M read units a day. The full comparison stays where it belongs, in
`validate consistency` and the syncs, which are run on purpose.

A sample instead reads one segment of a parallel scan, chosen at random, with as many segments as make a segment
about VALIDATION_SAMPLE items per entity type (the health check's sample size): every check reads a different
slice, and successive checks cover the table. Its items of indexed entities are looked up in OpenSearch by id;
documents drawn at random from each index are looked up in DynamoDB by key, so an orphan document is found too.
Per entity counts are the segment's counts scaled by the number of segments (exact when one segment is the table).

At 1M items of 1 KB in 3 entity types, a check reads about 15,000 items of the table (about 1,900 read units)
and 1,000 keys per index (about 500 read units, each item rounded up to 4 KB), besides the health check's
validation sample (about 1,900): about 4,300 read units a check, 1.2M a day, about 60x fewer than before.
"""

from __future__ import annotations

import math
import random
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from dataops.compare import ComparisonTally, differences_by_id, entity_index
from dataops.config import behaviour_defaults
from dataops.profiles.model import EntityDefinition
from dataops.records import document_for, item_key_of_document, record_from_item
from dataops.stores.data_stores import DataStores

# A segment holds about the health check's validation sample (VALIDATION_SAMPLE, 5000 by default) per entity type,
# and a fifth as many documents are drawn per index: enough that a systematic fault (a stalled stream, a failed
# reindex) shows in every check, small enough that 288 checks a day cost little.
DOCUMENTS_PER_ITEMS = 5


def sample_sizes() -> tuple[int, int]:
    """(items per entity type in a segment, documents drawn per index)."""
    items = behaviour_defaults().validation_sample
    return items, max(1, items // DOCUMENTS_PER_ITEMS)


@dataclass
class TableSample:
    """One random segment of the table: its items' counts per entity type, and how to scale them."""

    segment: int
    segments: int
    counts: Counter[str] = field(default_factory=Counter)

    @property
    def exact(self) -> bool:
        return self.segments == 1

    def estimated_count(self, entity: str) -> int:
        return self.counts[entity] * self.segments

    def details(self) -> dict[str, Any]:
        return {"segment": self.segment, "segments": self.segments, "items_read": sum(self.counts.values())}


@dataclass
class ConsistencySample:
    """Per indexed entity: how many sampled items and documents were checked, and how many of them disagree."""

    items_checked: int = 0
    documents_checked: int = 0
    missing_in_opensearch: int = 0
    different: int = 0
    missing_in_dynamodb: int = 0

    @property
    def differing(self) -> int:
        return self.missing_in_opensearch + self.different + self.missing_in_dynamodb


def segments_for(stores: DataStores, per_segment: int) -> int:
    """So that one segment holds about `per_segment` items (DynamoDB's item count is refreshed about every six
    hours, so a table that has just grown reads a larger segment until then)."""
    return max(1, math.ceil(stores.table.item_count() / per_segment))


def sample_table(
    stores: DataStores,
    indexed: list[EntityDefinition],
    items_per_entity: int | None = None,
    rng: random.Random | None = None,
) -> tuple[TableSample, dict[str, ConsistencySample]]:
    """Read one random segment; compare its items of the `indexed` entities with their OpenSearch documents."""
    profile = stores.profile
    per_segment = (items_per_entity or sample_sizes()[0]) * max(1, len(profile.entities_in("dynamodb")))
    segments = segments_for(stores, per_segment)
    segment = (rng or random.Random()).randrange(segments)  # noqa: S311 - picks a sample, not a secret
    sample = TableSample(segment=segment, segments=segments)
    by_name = {entity.name: entity for entity in indexed}
    consistency = {entity.name: ConsistencySample() for entity in indexed}
    pending: dict[str, list[tuple[str, dict[str, Any], dict[str, Any]]]] = {name: [] for name in by_name}
    type_attribute = profile.table.entity_type_attribute
    for item in stores.table.scan_segment(sample.segment, segments, page_size=500):
        name = str(item.get(type_attribute, "(none)"))
        sample.counts[name] += 1
        if name not in by_name:
            continue
        record = record_from_item(profile, item)
        doc_id, expected = document_for(by_name[name], record)
        pending[name].append((doc_id, record, expected))
        if len(pending[name]) >= 200:
            _compare(stores, by_name[name], pending[name], consistency[name])
            pending[name] = []
    for name, rest in pending.items():
        _compare(stores, by_name[name], rest, consistency[name])
    return sample, consistency


def _compare(
    stores: DataStores,
    entity: EntityDefinition,
    pending: list[tuple[str, dict[str, Any], dict[str, Any]]],
    into: ConsistencySample,
) -> None:
    tally = ComparisonTally()
    index = entity_index(stores, entity)
    exists = stores.search.index_exists(index)
    for _ in differences_by_id(stores, entity, index, pending, tally, index_exists=exists):
        pass
    into.items_checked += len(pending)
    into.missing_in_opensearch += tally.kinds.get("missing_in_opensearch", 0)
    into.different += tally.kinds.get("different", 0)


def sample_documents(
    stores: DataStores, entity: EntityDefinition, into: ConsistencySample, size: int | None = None, seed: int = 0
) -> None:
    """Draw `size` documents of the entity's index at random and count those whose item is not in the table."""
    documents = stores.search.random_sample(entity_index(stores, entity), size or sample_sizes()[1], seed)
    keys = {doc_id: item_key_of_document(entity, doc_id, source) for doc_id, source in documents.items()}
    found = {_key_of(item) for item in stores.table.get_many(keys.values(), keys_only=True)}
    into.documents_checked += len(documents)
    into.missing_in_dynamodb += sum(1 for key in keys.values() if _key_of(key) not in found)


def _key_of(key: dict[str, Any]) -> tuple[tuple[str, str], ...]:
    return tuple(sorted((name, str(value)) for name, value in key.items()))
