"""`reset`: bring the stores to a named state (clear + seed, or clear + restore), clear stores, snapshot and
restore through the backup capability, and validate that the stores still hold what the last state promised.
"""

from __future__ import annotations

import time
from typing import Any, Literal

from pydantic import BaseModel, Field, model_validator

from dataops.backup import catalog as backup_catalog
from dataops.config import behaviour_defaults
from dataops.errors import UnknownName
from dataops.models import OperationRequest, OperationResult, OperationStatus, utc_now
from dataops.operations.backup import BACKUP
from dataops.operations.backup.models import CreateBackup
from dataops.operations.framework import Action, Operation, elapsed_ms, status_for
from dataops.operations.reset.clear import clear, data_stores_of
from dataops.operations.reset.promise import (
    Difference,
    StatePromise,
    compare,
    load_promise,
    observe,
    promise_from_stores,
    promise_from_tallies,
    record_promise,
)
from dataops.operations.restore import RESTORE
from dataops.operations.restore.models import RestoreBackup
from dataops.operations.seed.engine import SeedOptions, StoreTally
from dataops.operations.seed.operation import (
    DATASET_CLOCK,
    DEFAULT_SEED,
    catalog_of,
    preflight,
    seed_scenario,
    totals,
)
from dataops.profiles.model import ResetState, SeedContext
from dataops.stores.data_stores import DataStores

ResetAction = Literal["list", "state", "clear", "seed-state", "validate", "snapshot", "restore"]
MUTATING: frozenset[str] = frozenset({"state", "clear", "seed-state", "snapshot", "restore"})


class ResetRequest(OperationRequest):
    action: ResetAction
    state: str | None = Field(default=None, description="state / seed-state: the state to reach; validate: expected.")
    store: Literal["dynamodb", "postgres", "opensearch", "all"] = Field(
        default="all", description="clear: which data store to empty."
    )
    name: str | None = Field(default=None, description="snapshot / restore: the snapshot name (backup's rules).")
    seed: int = Field(default=DEFAULT_SEED, ge=0, description="Seed value for the state's generated data.")
    skip_existing: bool = Field(
        default_factory=lambda: behaviour_defaults().skip_existing,
        description="seed-state only (it does not clear first): leave existing records untouched.",
    )

    @model_validator(mode="after")
    def _required_fields(self) -> ResetRequest:
        if self.action in {"state", "seed-state"} and not self.state:
            raise ValueError(f"action {self.action!r} needs 'state' (the state to reach)")
        if self.action in {"snapshot", "restore"} and not self.name:
            raise ValueError(f"action {self.action!r} needs 'name' (the snapshot name)")
        return self


class StateInfo(BaseModel):
    name: str
    description: str
    actions: list[str]


class ResetResult(OperationResult):
    state: str | None = None
    cleared: dict[str, dict[str, int]] = {}
    tallies: list[StoreTally] = []
    states: list[StateInfo] = []
    promise: StatePromise | None = None
    differences: list[Difference] = []
    backup: dict[str, Any] | None = None


def check_reset(request: ResetRequest, stores: DataStores) -> None:
    if request.action in {"state", "seed-state"} or (request.action == "validate" and request.state):
        catalog_of(stores).state(str(request.state))
    if request.action == "clear" and request.store != "all":
        valid = [*data_stores_of(stores), "all"]
        if request.store not in valid:
            raise UnknownName("store", request.store, valid)
    if request.action == "snapshot":
        BACKUP.check(_snapshot_request(request), stores)
    if request.action == "restore":
        RESTORE.check(_restore_request(request), stores)


def _restore_request(request: ResetRequest) -> RestoreBackup:
    restore: RestoreBackup = RESTORE.parse({"backup": request.name, "dry_run": request.dry_run})
    return restore


def _snapshot_request(request: ResetRequest) -> CreateBackup:
    snapshot: CreateBackup = BACKUP.parse(
        {"action": "create", "kind": "snapshot", "name": request.name, "dry_run": request.dry_run}
    )
    return snapshot


def _context(request: ResetRequest, state: ResetState) -> SeedContext:
    return SeedContext(seed=request.seed, clock=DATASET_CLOCK, copies=state.copies)


def _reach_state(request: ResetRequest, stores: DataStores, result: ResetResult, *, clear_first: bool) -> None:
    state = catalog_of(stores).state(str(request.state))
    result.state = state.name
    if state.restore_latest_backup:
        # Resolve first: with no backup to restore, nothing is cleared.
        latest = backup_catalog.resolve(stores, "latest", "state")
        if clear_first:
            result.cleared = clear(stores, "all", dry_run=request.dry_run)
        restore = RESTORE.parse({"backup": latest.backup_id, "safety_backup": False, "dry_run": request.dry_run})
        result.backup = RESTORE.execute(restore, stores).model_dump(mode="json", include={"backup", "counts"})
        if not request.dry_run:
            result.promise = promise_from_stores(state.name, stores)
        return
    scenario = catalog_of(stores).scenario(state.scenario) if state.scenario else None
    if scenario is not None:
        preflight(stores, scenario, _context(request, state))
    if clear_first and state.clear:
        result.cleared = clear(stores, "all", dry_run=request.dry_run)
    tallies: list[StoreTally] = []
    if scenario is not None:
        options = SeedOptions(
            skip_existing=request.skip_existing,
            dry_run=request.dry_run,
            # After a clear nothing exists: skip the existence reads and count everything as created.
            check_existing=not (clear_first and state.clear),
        )
        tallies = seed_scenario(stores, scenario, _context(request, state), options)
    result.tallies = tallies
    result.counts = totals(tallies)
    if not request.dry_run:
        result.promise = promise_from_tallies(state.name, request.seed, stores, tallies)


def _validate(request: ResetRequest, stores: DataStores, result: ResetResult) -> None:
    promise = load_promise(stores)
    if promise is None:
        result.status = OperationStatus.FAILED
        result.warnings.append("no reset state has been reached yet; nothing to validate against")
        return
    result.state, result.promise = promise.state, promise
    if request.state and request.state != promise.state:
        result.warnings.append(f"the last state reached was {promise.state!r}, not {request.state!r}")
        result.status = OperationStatus.FAILED
    result.differences = compare(promise, observe(stores))
    result.counts = {"differences": len(result.differences)}
    if result.differences:
        result.status = OperationStatus.FAILED


def run_reset(request: ResetRequest, stores: DataStores) -> ResetResult:
    started_at, started = utc_now(), time.monotonic()
    result = ResetResult(
        operation="reset",
        action=request.action,
        status=status_for(request),
        profile=stores.profile.name,
        started_at=started_at,
        duration_ms=0,
    )
    if request.action == "list":
        result.states = [
            StateInfo(name=state.name, description=state.description, actions=state.actions)
            for state in catalog_of(stores).states
        ]
    elif request.action in {"state", "seed-state"}:
        _reach_state(request, stores, result, clear_first=request.action == "state")
        if result.promise is not None:
            record_promise(stores, result.promise)
    elif request.action == "clear":
        result.cleared = clear(stores, request.store, dry_run=request.dry_run)
        result.counts = {store: sum(counts.values()) for store, counts in result.cleared.items()}
    elif request.action == "validate":
        _validate(request, stores, result)
    elif request.action == "snapshot":
        result.backup = BACKUP.execute(_snapshot_request(request), stores).model_dump(
            mode="json", include={"backup", "counts"}
        )
    else:
        result.backup = RESTORE.execute(_restore_request(request), stores).model_dump(
            mode="json", include={"backup", "counts"}
        )
        if not request.dry_run:
            result.promise = promise_from_stores(f"snapshot:{request.name}", stores)
            record_promise(stores, result.promise)
    result.duration_ms = elapsed_ms(started)
    return result


RESET = Operation(
    name="reset",
    result_model=ResetResult,
    actions=(Action(ResetRequest, run_reset, mutates=lambda request: request.action in MUTATING, check=check_reset),),
    lock_lease_seconds=300,
)
