"""`sync`: full syncs both ways, conflict detection and resolution, and sync points, for indexed entities."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Literal

from dataops.compare import ComparisonTally, compare_entity, indexed_entity
from dataops.errors import InvalidRequest
from dataops.operations.sync.models import (
    ComparedEntities,
    DetectConflicts,
    FullSync,
    ResolveConflicts,
    SyncOutput,
    TakeSyncPoint,
    ValidateSyncPoint,
)
from dataops.operations.sync.sync_points import drift, load_sync_point, sync_point_key, take_sync_point
from dataops.profiles.model import EntityDefinition
from dataops.reconcile.resolve import Chooser, chooser, resolve
from dataops.stores.data_stores import DataStores


def target_entities(stores: DataStores, entity: str | None) -> list[EntityDefinition]:
    if entity:
        return [indexed_entity(stores.profile, entity)]
    return [found for found, _ in stores.profile.search_indexes() if found.dynamodb is not None]


def _refuse_nothing_to_sync(stores: DataStores, entity: str | None) -> None:
    if not target_entities(stores, entity):
        raise InvalidRequest.for_field(
            "entity", f"profile {stores.profile.name!r} indexes no entity in OpenSearch; there is nothing to sync"
        )


def check_entities(request: ComparedEntities | TakeSyncPoint, stores: DataStores) -> None:
    """An unknown or unindexed entity, or a profile without search indexes, is refused before the lock."""
    _refuse_nothing_to_sync(stores, request.entity)


def check_sync_point(request: ValidateSyncPoint, stores: DataStores) -> None:
    """The sync point names its own entities, but a profile without search indexes is refused all the same."""
    _refuse_nothing_to_sync(stores, None)
    load_sync_point(stores, request.name)


@dataclass
class Listing:
    """The entries a result lists: at most `limit` of them, so a result stays small; counts are always complete."""

    limit: int
    entries: list[dict[str, Any]] = field(default_factory=list)
    unlisted: int = 0

    def add(self, entry: dict[str, Any]) -> None:
        if len(self.entries) < self.limit:
            self.entries.append(entry)
        else:
            self.unlisted += 1

    def output(self, counts: dict[str, int], details: dict[str, Any] | None = None) -> SyncOutput:
        warnings = [f"{self.unlisted} more entries are not listed (report_limit={self.limit})"] if self.unlisted else []
        return SyncOutput(counts=counts, details=details or {}, differences=self.entries, warnings=warnings)


def _fixed(winner: Literal["dynamodb", "opensearch"], reason: str) -> Chooser:
    return lambda _difference: (winner, reason)


SOURCES: dict[str, Chooser] = {
    "dynamo-to-os": _fixed("dynamodb", "full sync: DynamoDB is the source"),
    "os-to-dynamo": _fixed("opensearch", "full sync: OpenSearch is the source"),
}


def _apply(request: FullSync | ResolveConflicts, stores: DataStores, choose: Chooser) -> SyncOutput:
    listing = Listing(request.report_limit)
    outcomes: Counter[str] = Counter()
    unchanged = 0
    for entity in target_entities(stores, request.entity):
        tally = ComparisonTally()
        differences = compare_entity(stores, entity, tally)
        for resolution in resolve(stores, entity, differences, choose, dry_run=request.dry_run):
            outcomes[resolution.outcome] += 1
            listing.add(resolution.model_dump())
        unchanged += tally.matching
    return listing.output({**dict(outcomes), "unchanged": unchanged})


def full_sync(request: FullSync, stores: DataStores) -> SyncOutput:
    return _apply(request, stores, SOURCES[request.action])


def resolve_conflicts(request: ResolveConflicts, stores: DataStores) -> SyncOutput:
    return _apply(request, stores, chooser(request.strategy))


def detect_conflicts(request: DetectConflicts, stores: DataStores) -> SyncOutput:
    listing = Listing(request.report_limit)
    kinds: Counter[str] = Counter()
    newer: Counter[str] = Counter()
    matching = 0
    for entity in target_entities(stores, request.entity):
        tally = ComparisonTally()
        for difference in compare_entity(stores, entity, tally):
            kinds[difference.kind] += 1
            newer[f"newer_{difference.newer}"] += 1
            listing.add(difference.model_dump())
        matching += tally.matching
    return listing.output({**dict(kinds), **dict(newer), "matching": matching, "conflicts": sum(kinds.values())})


def sync_point(request: TakeSyncPoint, stores: DataStores) -> SyncOutput:
    point = take_sync_point(stores, target_entities(stores, request.entity), request.name, request.ranges)
    key = sync_point_key(request.name)
    if not request.dry_run:
        stores.backups.put_json(key, point.model_dump(mode="json"))
    return SyncOutput(
        counts={f"{entity}_{store}": s.count for entity, per in point.entities.items() for store, s in per.items()},
        details={"location": f"s3://{stores.backups.bucket}/{key}", "stores_agree": point.stores_agree()},
    )


def validate_sync_point(request: ValidateSyncPoint, stores: DataStores) -> SyncOutput:
    recorded = load_sync_point(stores, request.name)
    entities = [indexed_entity(stores.profile, name) for name in recorded.entities]
    current = take_sync_point(stores, entities, recorded.name, recorded.ranges)
    listing = Listing(request.report_limit)
    changed = drift(recorded, current)
    for item in changed:
        listing.add(item.model_dump())
    details = {
        "matches": not changed,
        "recorded_at": recorded.created_at.isoformat(),
        "stores_agree_now": current.stores_agree(),
    }
    return listing.output({"drifted_ranges": len(changed)}, details)
