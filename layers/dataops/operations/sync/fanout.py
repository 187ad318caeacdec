"""The sync workflow: a full sync (dynamo-to-os or os-to-dynamo) fanned out over Step Functions.

plan takes the lease and cuts the work into shares: segments of the table's scan, and slices of each entity's
index (segmented_compare says why the two kinds together find every difference once). A Map runs `unit` per
share, in parallel, each under the lease and well inside one invocation; `finalize` adds the outcomes up,
refreshes the indexes and releases the lease; `abort` releases it when the workflow stops.

A unit is safe to repeat: it writes the source side's version of each difference under the same conditional and
versioned writes as the single-call sync, so a second run finds nothing left to change.
"""

from __future__ import annotations

import uuid
from collections import Counter

from dataops.compare import ComparisonTally, RecordDifference
from dataops.errors import InvalidRequest
from dataops.operations.framework import held_lease
from dataops.operations.sync.models import (
    UNIT_LISTING,
    AbortSync,
    FinalizeSync,
    PlanSync,
    SyncOutput,
    SyncUnit,
    SyncUnitOutcome,
    SyncUnitRequest,
)
from dataops.operations.sync.operation import SOURCES, Listing, target_entities
from dataops.profiles.model import EntityDefinition
from dataops.reconcile.resolve import BATCH as RESOLVE_BATCH
from dataops.reconcile.resolve import resolve
from dataops.segmented_compare import share_differences, shares_for
from dataops.stores.data_stores import DataStores

# The differences a whole workflow lists at most (its units share them), whatever report_limit says: every unit's
# listing travels through the Map's state, which Step Functions caps at 256 KB.
WORKFLOW_LISTING = 200


def plan(request: PlanSync, stores: DataStores) -> SyncOutput:
    entities = target_entities(stores, request.entity)
    names = [entity.name for entity in entities]
    segments = request.segments or shares_for(stores.table.item_count())
    units = [SyncUnit(side="dynamodb", entities=names, segment=s, segments=segments) for s in range(segments)]
    for name, index in stores.search_indexes().items():
        if name in names:
            slices = request.segments or shares_for(stores.search.count(index) or 0)
            units += [SyncUnit(side="opensearch", entities=[name], segment=s, segments=slices) for s in range(slices)]
    lists = min(UNIT_LISTING, min(request.report_limit, WORKFLOW_LISTING) // len(units))
    units = [unit.model_copy(update={"lists": lists}) for unit in units]
    counts = {"units": len(units), "table_segments": segments}
    if request.dry_run:
        return SyncOutput(units=units, counts=counts, details={"direction": request.direction, "entities": names})
    job = {"job_id": f"{request.direction}-{uuid.uuid4().hex[:12]}", "lease": held_lease().token}
    return SyncOutput(job={**job, "direction": request.direction}, units=units, counts=counts)


def unit(request: SyncUnitRequest, stores: DataStores) -> SyncOutput:
    share = request.unit
    choose = SOURCES[request.direction]
    tallies = {name: ComparisonTally() for name in share.entities}
    listing = Listing(share.lists)
    outcomes: Counter[str] = Counter()
    # Differences arrive a fetch batch (200) at a time; they are written a resolve batch at a time, as in the
    # single call, since each write batch ends with an index refresh and small ones cost 4x the throughput.
    pending: dict[str, tuple[EntityDefinition, list[RecordDifference]]] = {}

    def write(entity: EntityDefinition, differences: list[RecordDifference]) -> None:
        for resolution in resolve(stores, entity, differences, choose, dry_run=False):
            outcomes[resolution.outcome] += 1
            listing.add(resolution.model_dump())

    for entity, differences in share_differences(stores, share, tallies):
        _, buffered = pending.setdefault(entity.name, (entity, []))
        buffered.extend(differences)
        if len(buffered) >= RESOLVE_BATCH:
            write(entity, buffered)
            pending[entity.name] = (entity, [])
    for entity, buffered in pending.values():
        if buffered:
            write(entity, buffered)
    counts = {
        **dict(outcomes),
        "unchanged": sum(tally.matching for tally in tallies.values()),
        f"read_{share.side}": sum(getattr(tally, share.side) for tally in tallies.values()),
    }
    outcome = SyncUnitOutcome(unit=share, counts=counts, differences=listing.entries, unlisted=listing.unlisted)
    return SyncOutput(job={"job_id": request.job}, outcome=outcome, counts=counts)


def missing_shares(request: FinalizeSync, stores: DataStores) -> list[str]:
    """The shares no outcome covers: every table segment, and every slice of each synced entity's index."""
    covered: dict[tuple[str, str], set[int]] = {}
    cut: dict[tuple[str, str], int] = {}
    for outcome in request.outcomes:
        share = outcome.unit
        side: tuple[str, str] = (share.side, share.entities[0] if share.side == "opensearch" else "table")
        covered.setdefault(side, set()).add(share.segment)
        cut[side] = share.segments
    expected: list[tuple[str, str]] = [("dynamodb", "table")]
    expected += [("opensearch", entity.name) for entity in target_entities(stores, request.entity)]
    missing = []
    for side in expected:
        absent = sorted(set(range(cut.get(side, 1))) - covered.get(side, set()))
        missing += [f"{side[0]} {side[1]} share {segment}" for segment in absent]
    return missing


def finalize(request: FinalizeSync, stores: DataStores) -> SyncOutput:
    if missing := missing_shares(request, stores):
        raise InvalidRequest.for_field("outcomes", f"units missing: {', '.join(missing[:10])}; run the sync again")
    totals: Counter[str] = Counter()
    listing = Listing(request.report_limit)
    unlisted = 0
    for outcome in request.outcomes:
        totals.update(outcome.counts)
        for entry in outcome.differences:
            listing.add(entry)
        unlisted += outcome.unlisted
    # What the units wrote becomes searchable before the workflow says it is done.
    synced = {entity.name for entity in target_entities(stores, request.entity)}
    for name, index in stores.search_indexes().items():
        if name in synced and stores.search.index_exists(index):
            stores.search.refresh(index)
    output = listing.output(dict(totals), {"direction": request.direction, "units": len(request.outcomes)})
    output.job = {"job_id": request.job}
    if unlisted:
        output.warnings.append(f"{unlisted} more differences were not listed by the units (counts are complete)")
    failed = totals.get("failed", 0)
    return output.failed_because(f"{failed} difference(s) could not be written" if failed else None)


def abort(request: AbortSync, stores: DataStores) -> SyncOutput:
    """Say whether the lease was still this job's; the framework releases it and audits why it stopped. Units that
    ran have written their share; a new sync run finishes the rest."""
    return SyncOutput(
        job={"job_id": request.job},
        details={"lock_released": held_lease().holds(), "reason": request.reason},
    ).failed_because(request.reason or "the sync workflow stopped")
