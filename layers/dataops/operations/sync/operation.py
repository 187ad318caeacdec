"""`sync`: full syncs both ways, conflict detection and resolution, and sync points, for indexed entities."""

from __future__ import annotations

import time
from collections import Counter
from typing import Any, Literal

from pydantic import Field

from dataops.compare import ComparisonTally, compare_entity, indexed_entity
from dataops.errors import InvalidRequest
from dataops.models import OperationRequest, OperationResult, utc_now
from dataops.operations.framework import Action, Operation, elapsed_ms, status_for
from dataops.operations.sync.resolve import Chooser, Strategy, chooser, resolve
from dataops.operations.sync.sync_points import drift, load_sync_point, sync_point_key, take_sync_point
from dataops.profiles.model import EntityDefinition
from dataops.stores.data_stores import DataStores

SyncAction = Literal[
    "dynamo-to-os", "os-to-dynamo", "detect-conflicts", "resolve-conflicts", "sync-point", "validate-sync-point"
]
MUTATING_ACTIONS = {"dynamo-to-os", "os-to-dynamo", "resolve-conflicts", "sync-point"}
NAMED_ACTIONS = {"sync-point", "validate-sync-point"}
# A name becomes an S3 key: letters, digits, '.', '_' and '-' only, so it can never leave sync-points/.
SYNC_POINT_NAME = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$"


class SyncRequest(OperationRequest):
    action: SyncAction = Field(description="What to do; see the README's sync section.")
    entity: str | None = Field(default=None, description="One indexed entity; all indexed entities when absent.")
    strategy: Strategy = Field(default="latest", description="resolve-conflicts: latest, dynamo_wins, opensearch_wins.")
    name: str | None = Field(default=None, pattern=SYNC_POINT_NAME, description="Sync point name (sync-point actions).")
    ranges: int = Field(default=16, ge=1, le=256, description="Key ranges a sync point hashes separately.")
    report_limit: int = Field(default=200, ge=0, le=10000, description="Most differences listed in the result.")


class SyncResult(OperationResult):
    differences: list[dict[str, Any]] = []


def check_sync(request: SyncRequest, stores: DataStores) -> None:
    if request.action in NAMED_ACTIONS and not request.name:
        raise InvalidRequest.for_field("name", f"required for action {request.action!r}")
    entities = target_entities(request, stores)
    if not entities:
        raise InvalidRequest.for_field(
            "entity", f"profile {stores.profile.name!r} indexes no entity in OpenSearch; there is nothing to sync"
        )
    if request.action == "validate-sync-point":
        load_sync_point(stores, request.name or "")


def target_entities(request: SyncRequest, stores: DataStores) -> list[EntityDefinition]:
    if request.entity:
        return [indexed_entity(stores.profile, request.entity)]
    return [entity for entity, _ in stores.profile.search_indexes() if entity.dynamodb is not None]


def _fixed(winner: Literal["dynamodb", "opensearch"], reason: str) -> Chooser:
    return lambda _difference: (winner, reason)


CHOOSERS: dict[str, Chooser] = {
    "dynamo-to-os": _fixed("dynamodb", "full sync: DynamoDB is the source"),
    "os-to-dynamo": _fixed("opensearch", "full sync: OpenSearch is the source"),
}


def _apply(request: SyncRequest, stores: DataStores, result: dict[str, Any]) -> None:
    choose = CHOOSERS.get(request.action) or chooser(request.strategy)
    outcomes: Counter[str] = Counter()
    unchanged = 0
    for entity in target_entities(request, stores):
        tally = ComparisonTally()
        differences = compare_entity(stores, entity, tally)
        for resolution in resolve(stores, entity, differences, choose, dry_run=request.dry_run):
            outcomes[resolution.outcome] += 1
            _listed(request, result, resolution.model_dump())
        unchanged += tally.matching
    result["counts"] = {**dict(outcomes), "unchanged": unchanged}


def _detect(request: SyncRequest, stores: DataStores, result: dict[str, Any]) -> None:
    kinds: Counter[str] = Counter()
    newer: Counter[str] = Counter()
    matching = 0
    for entity in target_entities(request, stores):
        tally = ComparisonTally()
        for difference in compare_entity(stores, entity, tally):
            kinds[difference.kind] += 1
            newer[f"newer_{difference.newer}"] += 1
            _listed(request, result, difference.model_dump())
        matching += tally.matching
    result["counts"] = {**dict(kinds), **dict(newer), "matching": matching, "conflicts": sum(kinds.values())}


def _sync_point(request: SyncRequest, stores: DataStores, result: dict[str, Any]) -> None:
    name = request.name or ""
    point = take_sync_point(stores, target_entities(request, stores), name, request.ranges)
    key = sync_point_key(name)
    if not request.dry_run:
        stores.backups.put_json(key, point.model_dump(mode="json"))
    result["counts"] = {
        f"{entity}_{store}": s.count for entity, per in point.entities.items() for store, s in per.items()
    }
    result["details"] = {"location": f"s3://{stores.backups.bucket}/{key}", "stores_agree": point.stores_agree()}


def _validate_sync_point(request: SyncRequest, stores: DataStores, result: dict[str, Any]) -> None:
    recorded = load_sync_point(stores, request.name or "")
    entities = [indexed_entity(stores.profile, name) for name in recorded.entities]
    current = take_sync_point(stores, entities, recorded.name, recorded.ranges)
    changed = drift(recorded, current)
    for item in changed:
        _listed(request, result, item.model_dump())
    result["counts"] = {"drifted_ranges": len(changed)}
    result["details"] = {
        "matches": not changed,
        "recorded_at": recorded.created_at.isoformat(),
        "stores_agree_now": current.stores_agree(),
    }


def _listed(request: SyncRequest, result: dict[str, Any], entry: dict[str, Any]) -> None:
    listed: list[dict[str, Any]] = result.setdefault("differences", [])
    if len(listed) < request.report_limit:
        listed.append(entry)
    else:
        result["unlisted"] = result.get("unlisted", 0) + 1


ACTIONS = {
    "dynamo-to-os": _apply,
    "os-to-dynamo": _apply,
    "resolve-conflicts": _apply,
    "detect-conflicts": _detect,
    "sync-point": _sync_point,
    "validate-sync-point": _validate_sync_point,
}


def run_sync(request: SyncRequest, stores: DataStores) -> SyncResult:
    started_at, started = utc_now(), time.monotonic()
    result: dict[str, Any] = {}
    ACTIONS[request.action](request, stores, result)
    warnings = []
    if unlisted := result.pop("unlisted", 0):
        warnings.append(f"{unlisted} more entries are not listed (report_limit={request.report_limit})")
    return SyncResult(
        operation="sync",
        action=request.action,
        status=status_for(request),
        profile=stores.profile.name,
        started_at=started_at,
        duration_ms=elapsed_ms(started),
        counts=result.get("counts", {}),
        details=result.get("details", {}),
        differences=result.get("differences", []),
        warnings=warnings,
    )


SYNC = Operation(
    name="sync",
    result_model=SyncResult,
    actions=(
        Action(SyncRequest, run_sync, mutates=lambda request: request.action in MUTATING_ACTIONS, check=check_sync),
    ),
    lock_lease_seconds=900,
)
