"""The `sync` operation's requests (one model per action, discriminated on `action`) and its one result."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field

from dataops.models import ActionOutput, OperationRequest, OperationResult
from dataops.operations.sync.resolve import Strategy

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


SyncRequest = FullSync | DetectConflicts | ResolveConflicts | TakeSyncPoint | ValidateSyncPoint


class SyncOutput(ActionOutput):
    """What a sync action returns besides counts: the differences, resolutions or drifted ranges it lists."""

    differences: list[dict[str, Any]] = []


class SyncResult(OperationResult, SyncOutput):
    pass
