"""Settling the indexes after a bulk rewrite of DynamoDB: a restore, reset or import says it is done only once
OpenSearch equals the table for every indexed entity it wrote.

The stream sync applies each key's current item (operations/sync/stream.py), so its late records can no longer
undo the index. What it can still leave behind is a change it applied before the writer reloaded the index (a
genuine application write during a restore). Settling compares each entity with the one comparison engine and
writes DynamoDB's side of every difference (the versioned, forced write of a `dynamo-to-os` sync), then compares
again, until a comparison finds nothing or the time is up. DynamoDB is the truth here: the writer just put it
there. Memory stays at the comparison engine's (about 100 bytes per document) plus one resolution batch.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Collection, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from dataops.compare import ComparisonTally, RecordDifference, compare_entity
from dataops.models import ActionOutput
from dataops.profiles.model import EntityDefinition
from dataops.reconcile.resolve import chooser, resolve
from dataops.stores.data_stores import DataStores

# The request field of the single-call rewrites (restore, import) that turns settling off.
SETTLE_INDEX_DESCRIPTION = (
    "Succeed only once every rewritten indexed entity's OpenSearch documents equal its DynamoDB items: compare, "
    "write DynamoDB's side of each difference, compare again (up to 120 s). False leaves the index exactly as "
    "the backup or export holds it, even where that differs from the table."
)
SETTLE_SECONDS = 120.0
PAUSE_SECONDS = 1.0
LISTED = 20
REPAIRED = frozenset({"created", "updated", "deleted", "not_found"})


@dataclass
class Settlement:
    """How the indexes were settled: `agreed` once a comparison found no difference in any entity."""

    entities: list[str]
    agreed: bool = False
    comparisons: int = 0
    compared: int = 0
    repairs: Counter[str] = field(default_factory=Counter)
    # The last comparison's differences (the first LISTED of them) when the time ran out.
    remaining: list[RecordDifference] = field(default_factory=list)
    unlisted: int = 0
    seconds: float = 0.0

    def details(self) -> dict[str, Any]:
        return {
            "entities": self.entities,
            "agreed": self.agreed,
            "comparisons": self.comparisons,
            "documents_compared": self.compared,
            "repaired": dict(self.repairs),
            "seconds": round(self.seconds, 3),
            **(
                {}
                if self.agreed
                else {"differing": [d.model_dump() for d in self.remaining], "unlisted": self.unlisted}
            ),
        }

    def failure(self) -> str:
        """Why the indexes are not settled, naming the first differing keys; empty when they agree."""
        if self.agreed:
            return ""
        keys = ", ".join(f"{d.entity} {d.key} ({d.kind})" for d in self.remaining)
        more = f" and {self.unlisted} more" if self.unlisted else ""
        return (
            f"OpenSearch still differs from DynamoDB after {self.seconds:.0f} s: {keys}{more}; "
            "run `dataops sync dynamo-to-os` once the stream has caught up"
        )


def settle_indexes(
    stores: DataStores,
    entities: Sequence[EntityDefinition],
    *,
    timeout_seconds: float = SETTLE_SECONDS,
    pause_seconds: float = PAUSE_SECONDS,
) -> Settlement:
    """Compare and repair until the stores agree for every entity, or `timeout_seconds` have passed."""
    started = time.monotonic()
    settlement = Settlement(entities=[entity.name for entity in entities])
    last_seen: tuple[Any, ...] | None = None
    while True:
        repaired_before = sum(settlement.repairs.values())
        _compare_and_repair(stores, entities, settlement)
        settlement.seconds = time.monotonic() - started
        if not settlement.remaining:
            settlement.agreed = True
            return settlement
        seen = (tuple((d.entity, d.key, d.kind) for d in settlement.remaining), settlement.unlisted)
        # The same differences twice, with nothing repaired: neither the writes nor the stream are moving them.
        stuck = seen == last_seen and sum(settlement.repairs.values()) == repaired_before
        if stuck or settlement.seconds + pause_seconds > timeout_seconds:
            return settlement
        last_seen = seen
        time.sleep(pause_seconds)


def _compare_and_repair(stores: DataStores, entities: Sequence[EntityDefinition], settlement: Settlement) -> None:
    settlement.comparisons += 1
    settlement.remaining, settlement.unlisted = [], 0
    dynamo_wins = chooser("dynamo_wins")
    for entity in entities:
        tally = ComparisonTally()
        differences = _listed(settlement, compare_entity(stores, entity, tally))
        for resolution in resolve(stores, entity, differences, dynamo_wins, dry_run=False):
            if resolution.outcome in REPAIRED:
                settlement.repairs[resolution.outcome] += 1
        settlement.compared += tally.opensearch


def _listed(settlement: Settlement, differences: Iterator[RecordDifference]) -> Iterator[RecordDifference]:
    """Pass every difference through to the writer, keeping the first LISTED for the report."""
    for difference in differences:
        if len(settlement.remaining) < LISTED:
            settlement.remaining.append(difference)
        else:
            settlement.unlisted += 1
        yield difference


def rewritten_entities(
    stores: DataStores, dynamodb: Collection[str] = (), opensearch: Collection[str] = ()
) -> list[EntityDefinition]:
    """The indexed entities a bulk write touched: their items (entity names) or their index (index base names)."""
    return [
        entity
        for entity, placement in stores.profile.search_indexes()
        if entity.dynamodb is not None and (entity.name in dynamodb or placement.index_base_name in opensearch)
    ]


Output = TypeVar("Output", bound=ActionOutput)


def settled(
    stores: DataStores,
    output: Output,
    *,
    dynamodb: Collection[str] = (),
    opensearch: Collection[str] = (),
    enabled: bool = True,
) -> Output:
    """`output`, failed unless the indexes of what a bulk write touched settle; `details.index` says how."""
    entities = rewritten_entities(stores, dynamodb, opensearch)
    if not enabled or not entities:
        return output
    settlement = settle_indexes(stores, entities)
    output.details["index"] = settlement.details()
    if not settlement.agreed:
        output.warnings.append(settlement.failure())
    return output.failed_because(settlement.failure())
