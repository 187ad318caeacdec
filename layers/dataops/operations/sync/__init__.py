"""The `sync` operation and the continuous stream sync between DynamoDB and OpenSearch.

Its single-call actions compare and write in one invocation; the sync workflow's actions (plan, unit, finalize,
abort) fan a full sync out over Step Functions, so the size of a table is never the limit.
"""

from __future__ import annotations

from typing import Any

from dataops.operations.framework import Action, Lease, Operation
from dataops.operations.sync import fanout
from dataops.operations.sync.models import (
    AbortSync,
    DetectConflicts,
    FinalizeSync,
    FullSync,
    PlanSync,
    ResolveConflicts,
    SyncOutput,
    SyncRequest,
    SyncResult,
    SyncUnitRequest,
    TakeSyncPoint,
    ValidateSyncPoint,
)
from dataops.operations.sync.operation import (
    check_entities,
    check_sync_point,
    detect_conflicts,
    full_sync,
    resolve_conflicts,
    sync_point,
    validate_sync_point,
)

SYNC: Operation[Any, SyncResult] = Operation(
    name="sync",
    result_model=SyncResult,
    actions=(
        Action(FullSync, full_sync, mutates=True, check=check_entities),
        Action(DetectConflicts, detect_conflicts, check=check_entities),
        Action(ResolveConflicts, resolve_conflicts, mutates=True, check=check_entities),
        Action(TakeSyncPoint, sync_point, mutates=True, check=check_entities),
        Action(ValidateSyncPoint, validate_sync_point, check=check_sync_point),
        # The workflow's actions share one lease across their invocations: units run in parallel under it.
        Action(PlanSync, fanout.plan, check=check_entities, lease=Lease.TAKE),
        Action(SyncUnitRequest, fanout.unit, lease=Lease.KEEP),
        Action(FinalizeSync, fanout.finalize, check=check_entities, lease=Lease.RELEASE),
        Action(AbortSync, fanout.abort, lease=Lease.ABANDON),
    ),
    lock_lease_seconds=900,
)

__all__ = ["SYNC", "SyncOutput", "SyncRequest", "SyncResult"]
