"""What a scheduled `monitor check` reads of the data: a bounded random sample, never the whole table.

A check runs every 5 minutes, 288 times a day. It used to count every item (a projected scan of the whole table)
and compare every item with OpenSearch (a second full scan, plus a scan of every index). A scan is charged on the
bytes read, projection or not: at 1M items of 1 KB, one eventually consistent scan costs about 125,000 read units,
so two per check came to about 72M read units a day. The full comparison stays where it belongs, in
`validate consistency` and the syncs, which are run on purpose.

A sample instead reads one segment of a parallel scan, chosen at random, with as many segments as make a segment
about VALIDATION_SAMPLE items per entity type (the health check's sample size): every check reads a different
share, and successive checks cover the table. Its items of indexed entities are looked up in OpenSearch by id, and
one random slice of each index (of about a fifth as many documents) is looked up in DynamoDB by key, so an orphan
document is found too: the units of a fanned-out sync (`segmented_compare`), one of each, picked at random. Per
entity counts are the segment's counts scaled by the number of segments (exact when one segment is the table).

At 1M items of 1 KB in 3 entity types, a check reads about 15,000 items of the table (about 1,900 read units)
and about 1,000 keys per index (about 500 read units, each item rounded up to 4 KB), besides the health check's
validation sample (about 1,900): about 4,300 read units a check, 1.2M a day, about 60x fewer than before.
"""

from __future__ import annotations

import math
import random
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from dataops.compare import ComparisonTally, entity_index
from dataops.config import behaviour_defaults
from dataops.profiles.model import EntityDefinition
from dataops.segmented_compare import segment_differences, slice_differences
from dataops.stores.data_stores import DataStores

# A segment holds about the health check's validation sample (VALIDATION_SAMPLE, 5000 by default) per entity type,
# and a slice about a fifth as many documents: enough that a systematic fault (a stalled stream, a failed reindex)
# shows in every check, small enough that 288 checks a day cost little.
DOCUMENTS_PER_ITEMS = 5
KINDS = ("missing_in_opensearch", "different", "missing_in_dynamodb")


@dataclass
class TableSample:
    """One random segment of the table (its items' counts per entity type) and, per indexed entity, what the
    segment's items and one random slice of its index found."""

    segment: int
    segments: int
    counts: Counter[str] = field(default_factory=Counter)
    tallies: dict[str, ComparisonTally] = field(default_factory=dict)
    slices: dict[str, str] = field(default_factory=dict)

    @property
    def exact(self) -> bool:
        return self.segments == 1

    def estimated_count(self, entity: str) -> int:
        return self.counts[entity] * self.segments

    def differing(self) -> int:
        return sum(sum(tally.kinds.values()) for tally in self.tallies.values())

    def details(self) -> dict[str, Any]:
        return {
            "segment": f"{self.segment + 1} of {self.segments}",
            "items_read": sum(self.counts.values()),
            "counts_exact": self.exact,
            "consistency": {
                name: {"items": tally.dynamodb, "documents": tally.opensearch, "slice": self.slices.get(name),
                       **{kind: tally.kinds.get(kind, 0) for kind in KINDS}}
                for name, tally in self.tallies.items()
            },
        }  # fmt: skip


def sample_sizes() -> tuple[int, int]:
    """(items per entity type in a segment, documents in a slice)."""
    items = behaviour_defaults().validation_sample
    return items, max(1, items // DOCUMENTS_PER_ITEMS)


def sample_stores(
    stores: DataStores,
    indexed: list[EntityDefinition],
    rng: random.Random,
    items_per_entity: int | None = None,
) -> TableSample:
    """Read one random segment of the table and one random slice of each `indexed` entity's index."""
    items, documents = sample_sizes()
    per_segment = (items_per_entity or items) * max(1, len(stores.profile.entities_in("dynamodb")))
    # DynamoDB refreshes its item count about every six hours: a table that has just grown reads a larger segment.
    segments = max(1, math.ceil(stores.table.item_count() / per_segment))
    sample = TableSample(segment=rng.randrange(segments), segments=segments)
    sample.tallies = {entity.name: ComparisonTally() for entity in indexed}
    for _ in segment_differences(stores, indexed, sample.segment, segments, sample.tallies, sample.counts):
        pass
    for entity in indexed:
        slices = max(1, math.ceil((stores.search.count(entity_index(stores, entity)) or 0) / documents))
        chosen = rng.randrange(slices)
        sample.slices[entity.name] = f"{chosen + 1} of {slices}"
        for _ in slice_differences(stores, entity, chosen, slices, sample.tallies[entity.name]):
            pass
    return sample
