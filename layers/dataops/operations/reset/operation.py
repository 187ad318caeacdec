"""`reset`: bring the stores to a named state (clear + seed, or clear + restore), clear stores, snapshot and
restore through the backup capability, and validate that the stores still hold what the last state promised.
"""

from __future__ import annotations

from typing import Any

from dataops.backup import catalog as backup_catalog
from dataops.errors import UnknownName
from dataops.operations.backup import BACKUP
from dataops.operations.backup.models import CreateBackup
from dataops.operations.framework import Action, Operation
from dataops.operations.reset.clear import clear, data_stores_of
from dataops.operations.reset.models import (
    ClearStores,
    ListStates,
    NamedSnapshot,
    ReachState,
    ResetOutput,
    ResetResult,
    RestoreSnapshot,
    SeedState,
    StateInfo,
    StateSeeding,
    TakeSnapshot,
    ValidateState,
)
from dataops.operations.reset.promise import (
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
from dataops.operations.seed.operation import DATASET_CLOCK, catalog_of, preflight, seed_scenario, totals
from dataops.profiles.model import ResetState, SeedContext
from dataops.reconcile.settle import settled
from dataops.stores.data_stores import DataStores

# What a nested backup or restore result contributes to reset's own `backup` field.
NESTED_RESULT_FIELDS = {"backup", "counts"}


def check_state(request: StateSeeding, stores: DataStores) -> None:
    """An unknown state is refused before the lock, so it writes nothing, not even an audit record."""
    catalog_of(stores).state(request.state)


def check_expected_state(request: ValidateState, stores: DataStores) -> None:
    if request.state:
        catalog_of(stores).state(request.state)


def check_store(request: ClearStores, stores: DataStores) -> None:
    # The model knows every store there is; only the profile knows which of them it uses.
    if request.store != "all":
        valid = [*data_stores_of(stores), "all"]
        if request.store not in valid:
            raise UnknownName("store", request.store, valid)


def check_snapshot(request: TakeSnapshot, stores: DataStores) -> None:
    BACKUP.check(snapshot_request(request), stores)


def check_restore(request: RestoreSnapshot, stores: DataStores) -> None:
    RESTORE.check(restore_request(request), stores)


def restore_request(request: NamedSnapshot) -> RestoreBackup:
    restore: RestoreBackup = RESTORE.parse({"backup": request.name, "dry_run": request.dry_run})
    return restore


def snapshot_request(request: NamedSnapshot) -> CreateBackup:
    snapshot: CreateBackup = BACKUP.parse(
        {"action": "create", "kind": "snapshot", "name": request.name, "dry_run": request.dry_run}
    )
    return snapshot


def _context(request: StateSeeding, state: ResetState) -> SeedContext:
    return SeedContext(seed=request.seed, clock=DATASET_CLOCK, copies=state.copies)


def reach_state(request: StateSeeding, stores: DataStores, *, clear_first: bool) -> ResetOutput:
    """Clear (when `clear_first` and the state asks for it), then seed or restore the state, and record its promise
    unless this is a dry run."""
    state = catalog_of(stores).state(request.state)
    output = ResetOutput(state=state.name)
    if state.restore_latest_backup:
        # Resolve first: with no backup to restore, nothing is cleared.
        latest = backup_catalog.resolve(stores, "latest", "state")
        if clear_first:
            output.cleared = clear(stores, "all", dry_run=request.dry_run)
        restore = RESTORE.parse({"backup": latest.backup_id, "safety_backup": False, "dry_run": request.dry_run})
        restored = RESTORE.execute(restore, stores)
        output.backup = restored.model_dump(mode="json", include=NESTED_RESULT_FIELDS)
        if restored.failure:
            return output.failed_because(f"the restore of {latest.backup_id} failed: {restored.failure}")
        if not request.dry_run:
            output.promise = promise_from_stores(state.name, stores)
            record_promise(stores, output.promise)
        return output
    scenario = catalog_of(stores).scenario(state.scenario) if state.scenario else None
    if scenario is not None:
        preflight(stores, scenario, _context(request, state))
    if clear_first and state.clear:
        output.cleared = clear(stores, "all", dry_run=request.dry_run)
    tallies: list[StoreTally] = []
    if scenario is not None:
        options = SeedOptions(
            skip_existing=request.skip_existing,
            dry_run=request.dry_run,
            # After a clear nothing exists: skip the existence reads and count everything as created.
            check_existing=not (clear_first and state.clear),
        )
        tallies = seed_scenario(stores, scenario, _context(request, state), options)
    output.tallies, output.counts = tallies, totals(tallies)
    if request.dry_run:
        return output
    output.promise = promise_from_tallies(state.name, request.seed, stores, tallies)
    record_promise(stores, output.promise)
    # The state is reached once the index equals the table (the clear's late stream records included).
    return settled(stores, output, dynamodb=[entity.name for entity in stores.profile.entities_in("dynamodb")])


def list_states(request: ListStates, stores: DataStores) -> ResetOutput:
    return ResetOutput(
        states=[
            StateInfo(name=state.name, description=state.description, actions=state.actions)
            for state in catalog_of(stores).states
        ]
    )


def clear_then_reach(request: ReachState, stores: DataStores) -> ResetOutput:
    return reach_state(request, stores, clear_first=True)


def seed_state(request: SeedState, stores: DataStores) -> ResetOutput:
    return reach_state(request, stores, clear_first=False)


def clear_stores(request: ClearStores, stores: DataStores) -> ResetOutput:
    cleared = clear(stores, request.store, dry_run=request.dry_run)
    return ResetOutput(cleared=cleared, counts={store: sum(counts.values()) for store, counts in cleared.items()})


def validate(request: ValidateState, stores: DataStores) -> ResetOutput:
    promise = load_promise(stores)
    if promise is None:
        nothing = "no reset state has been reached yet; nothing to validate against"
        return ResetOutput(warnings=[nothing]).failed_if(True)
    output = ResetOutput(state=promise.state, promise=promise)
    if request.state and request.state != promise.state:
        output.warnings.append(f"the last state reached was {promise.state!r}, not {request.state!r}")
        output.failed_if(True)
    output.differences = compare(promise, observe(stores))
    output.counts = {"differences": len(output.differences)}
    return output.failed_if(bool(output.differences))


def take_snapshot(request: TakeSnapshot, stores: DataStores) -> ResetOutput:
    created = BACKUP.execute(snapshot_request(request), stores)
    return ResetOutput(backup=created.model_dump(mode="json", include=NESTED_RESULT_FIELDS))


def restore_snapshot(request: RestoreSnapshot, stores: DataStores) -> ResetOutput:
    restored = RESTORE.execute(restore_request(request), stores)
    output = ResetOutput(backup=restored.model_dump(mode="json", include=NESTED_RESULT_FIELDS))
    if restored.failure:
        return output.failed_because(f"the restore of snapshot {request.name} failed: {restored.failure}")
    if not request.dry_run:
        # The stores now hold whatever the snapshot held, so that is the state validate compares with.
        output.promise = promise_from_stores(f"snapshot:{request.name}", stores)
        record_promise(stores, output.promise)
    return output


RESET: Operation[Any, ResetResult] = Operation(
    name="reset",
    result_model=ResetResult,
    actions=(
        Action(ListStates, list_states),
        Action(ReachState, clear_then_reach, mutates=True, check=check_state),
        Action(SeedState, seed_state, mutates=True, check=check_state),
        Action(ClearStores, clear_stores, mutates=True, check=check_store),
        Action(ValidateState, validate, check=check_expected_state),
        Action(TakeSnapshot, take_snapshot, mutates=True, check=check_snapshot),
        Action(RestoreSnapshot, restore_snapshot, mutates=True, check=check_restore),
    ),
    lock_lease_seconds=300,
)

__all__ = ["RESET"]
