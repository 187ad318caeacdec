"""The "Migrations" health check: pending or drifted migrations warn, a failed one fails."""

from __future__ import annotations

from dataops.checks import CheckOutcome
from dataops.operations.migrate import migration_states
from dataops.operations.migrate.engine import current_version_of_states
from dataops.stores.data_stores import DataStores


def migrations(stores: DataStores) -> CheckOutcome:
    states = migration_states(stores)
    by_state: dict[str, list[str]] = {}
    for state in states:
        by_state.setdefault(state.state, []).append(state.version)
    details = {"current_version": current_version_of_states(states), **by_state}
    if not states:
        return CheckOutcome("pass", "the profile has no migrations", details)
    if failed := by_state.get("failed"):
        return CheckOutcome("fail", f"migration(s) failed: {', '.join(failed)}", details)
    problems = [
        f"{len(by_state[state])} {state.replace('_', ' ')}"
        for state in ("drifted", "pending", "missing_file")
        if state in by_state
    ]
    if problems:
        return CheckOutcome("warn", f"migrations need attention: {', '.join(problems)}", details)
    return CheckOutcome("pass", f"all {len(states)} migrations applied; at {details['current_version']}", details)
