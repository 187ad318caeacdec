"""The `sync` operation's requests (one model per action, discriminated on `action`) and its one result."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field

from dataops.models import ActionOutput, LeasedRequest, OperationRequest, OperationResult
from dataops.reconcile.resolve import Strategy
from dataops.segmented_compare import MAX_SHARES, CompareShare

# A name becomes an S3 key: letters, digits, '.', '_' and '-' only, so it can never leave sync-points/.
SYNC_POINT_NAME = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$"

IndexedEntity = Annotated[str | None, Field(description="One indexed entity; all indexed entities when absent.")]
ReportLimit = Annotated[int, Field(ge=0, le=10000, description="Most differences listed in the result.")]
SyncPointName = Annotated[str, Field(pattern=SYNC_POINT_NAME, description="Sync point name (sync-point actions).")]


class ComparedEntities(OperationRequest):
    """The actions that compare the stores key by key: which entities, and how many differences are listed."""

    entity: IndexedEntity = None
    report_limit: ReportLimit = 200


class FullSync(ComparedEntities):
    """Make one store match the other: every difference is won by the source side."""

    action: Literal["dynamo-to-os", "os-to-dynamo"]


class DetectConflicts(ComparedEntities):
    """List every key where the stores differ, and which side was updated last."""

    action: Literal["detect-conflicts"]


class ResolveConflicts(ComparedEntities):
    """Pick a winner per differing key by a strategy, and write it to the other side."""

    action: Literal["resolve-conflicts"]
    strategy: Strategy = Field(default="latest", description="resolve-conflicts: latest, dynamo_wins, opensearch_wins.")


class TakeSyncPoint(OperationRequest):
    """Record per store, per key range, a count and a content hash, in S3 under the sync point's name."""

    action: Literal["sync-point"]
    name: SyncPointName
    entity: IndexedEntity = None
    ranges: int = Field(default=16, ge=1, le=256, description="Key ranges a sync point hashes separately.")


class ValidateSyncPoint(OperationRequest):
    """Compare the stores now with a recorded sync point (its own entities and ranges)."""

    action: Literal["validate-sync-point"]
    name: SyncPointName
    report_limit: ReportLimit = 200


Direction = Literal["dynamo-to-os", "os-to-dynamo"]
SyncDirection = Annotated[
    Direction, Field(description="Which store is the source: dynamo-to-os or os-to-dynamo (the sync workflow's).")
]
# Each unit lists at most this many differences, so the Map's collected outcomes stay far under 256 KB.
UNIT_LISTING = 20


class PlanSync(ComparedEntities):
    """The sync workflow's first step: take the lease, cut the table into segments and each index into slices."""

    action: Literal["plan"]
    direction: SyncDirection = "dynamo-to-os"
    segments: int | None = Field(
        default=None, ge=1, le=MAX_SHARES, description="Units per store (default: one per 100,000 records)."
    )


class SyncJobStep(LeasedRequest):
    """A sync workflow step after plan: it works under the lease that plan took."""

    job: str = Field(min_length=1, description="The sync job's id, as plan named it.")
    direction: SyncDirection = "dynamo-to-os"


class SyncUnit(CompareShare):
    """One share of the stores, and how many of its differences the unit lists."""

    lists: int = Field(default=UNIT_LISTING, ge=0, le=UNIT_LISTING)


class SyncUnitOutcome(BaseModel):
    unit: SyncUnit
    counts: dict[str, int]
    differences: list[dict[str, Any]] = []
    unlisted: int = 0


class SyncUnitRequest(SyncJobStep):
    """The sync workflow's Map: sync one planned unit (the source side wins every difference in it)."""

    action: Literal["unit"]
    unit: SyncUnit = Field(description="One of the units plan returned.")


class FinalizeSync(SyncJobStep):
    """The sync workflow's last step: add up the units' outcomes, refresh the indexes, release the lease."""

    action: Literal["finalize"]
    entity: IndexedEntity = None
    report_limit: ReportLimit = 200
    outcomes: list[SyncUnitOutcome] = Field(description="Every unit's outcome, as the Map collected them.")


class AbortSync(SyncJobStep):
    """The sync workflow's catch: release the lease and audit why the workflow stopped."""

    action: Literal["abort"]
    reason: str | None = Field(default=None, description="Why the workflow stopped (kept in the audit).")


SyncRequest = (
    FullSync
    | DetectConflicts
    | ResolveConflicts
    | TakeSyncPoint
    | ValidateSyncPoint
    | PlanSync
    | SyncUnitRequest
    | FinalizeSync
    | AbortSync
)


class SyncOutput(ActionOutput):
    """What a sync action returns besides counts: the differences, resolutions or drifted ranges it lists; and for
    the workflow's actions, the job, the planned units and a unit's outcome."""

    differences: list[dict[str, Any]] = []
    job: dict[str, Any] | None = None
    units: list[SyncUnit] = []
    outcome: SyncUnitOutcome | None = None


class SyncResult(OperationResult, SyncOutput):
    pass
