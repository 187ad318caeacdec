"""`migrate`: versioned, transactional, locked, drift-checked migrations for PostgreSQL and DynamoDB."""

from __future__ import annotations

import time

from dataops.errors import InvalidRequest
from dataops.migration_history import current_version, current_version_of, version_key
from dataops.models import utc_now
from dataops.operations.framework import Action, Operation, elapsed_ms, status_for
from dataops.operations.migrate.engine import (
    BEFORE_FIRST,
    MigrationFailed,
    MigrationRun,
    find_migration,
    load_migrations,
    open_run,
    resolve_target,
    states_of,
)
from dataops.operations.migrate.history import history_for
from dataops.operations.migrate.models import MigrateRequest, MigrateResult, MigrationState
from dataops.stores.data_stores import DataStores

MUTATING_ACTIONS = frozenset({"apply", "run", "rollback"})


def _apply(run: MigrationRun, request: MigrateRequest) -> None:
    target = resolve_target(run.migrations, request.target)
    with run.exclusive():
        entries = run.history.entries()
        run.check_drift(entries, request.repair)
        for migration in run.migrations:
            entry = entries.get(migration.version)
            if entry is not None and entry.outcome == "applied":
                continue
            if target is not None and migration.sort_key > target:
                break
            run.up(migration)


def _run_one(run: MigrationRun, request: MigrateRequest) -> None:
    migration = find_migration(run.migrations, request.migration or "")
    with run.exclusive():
        entries = run.history.entries()
        run.check_drift(entries, request.repair)
        entry = entries.get(migration.version)
        if entry is not None and entry.outcome == "applied":
            run.warnings.append(f"migration {migration.version} ({migration.name}) is already applied; nothing to do")
            return
        run.up(migration)


def _rollback(run: MigrationRun, request: MigrateRequest) -> None:
    target = resolve_target(run.migrations, request.target)
    with run.exclusive():
        entries = run.history.entries()
        run.check_drift(entries, request.repair)
        applied = sorted(
            (version for version, entry in entries.items() if entry.outcome == "applied"), key=version_key, reverse=True
        )
        applied = applied[:1] if target is None else [version for version in applied if version_key(version) > target]
        if not applied:
            run.warnings.append("nothing to roll back")
        files = {migration.version: migration for migration in run.migrations}
        if missing := [version for version in applied if version not in files]:
            raise InvalidRequest.for_field(
                "target", f"applied migration(s) {', '.join(missing)} have no file to run down() from; restore them"
            )
        for version in applied:
            run.down(files[version])


def _validate(run: MigrationRun) -> bool:
    entries = run.history.entries()
    valid = True
    for migration in run.migrations:
        entry = entries.get(migration.version)
        if entry is not None and entry.outcome == "applied":
            valid = run.validate(migration, entry) and valid
    return valid


def check_migrate_request(request: MigrateRequest, stores: DataStores) -> None:
    """Before any lock or write: every file loads, and the named target or migration exists."""
    migrations = load_migrations(stores)
    if request.action in {"apply", "rollback"}:
        resolve_target(migrations, request.target)
    if request.migration is not None:
        find_migration(migrations, request.migration)


def run_migrate(request: MigrateRequest, stores: DataStores) -> MigrateResult:
    started_at, started = utc_now(), time.monotonic()
    common = {
        "operation": "migrate",
        "action": request.action,
        "status": status_for(request),
        "profile": stores.profile.name,
        "started_at": started_at,
    }
    if request.action == "list":
        # The files alone: listing needs no store, so it works before anything is deployed.
        files = [
            MigrationState(
                version=m.version, name=m.name, description=m.description, state="pending", checksum=m.checksum
            )
            for m in load_migrations(stores)
        ]
        return MigrateResult(
            **common, duration_ms=elapsed_ms(started), counts={"migrations": len(files)}, migrations=files
        )
    with open_run(stores, request) as run:
        valid: bool | None = None
        if request.action == "apply":
            _apply(run, request)
        elif request.action == "run":
            _run_one(run, request)
        elif request.action == "rollback":
            _rollback(run, request)
        elif request.action == "validate":
            valid = _validate(run)
        entries = run.history.entries()
    states = states_of(run.migrations, entries)
    counts = {
        state: sum(1 for s in states if s.state == state) for state in ("applied", "pending", "failed", "drifted")
    }
    counts["steps"] = len(run.steps)
    for state in states:
        if state.state in {"failed", "drifted", "missing_file"}:
            run.warnings.append(f"migration {state.version} ({state.name}) is {state.state.replace('_', ' ')}")
    return MigrateResult(
        **common,
        duration_ms=elapsed_ms(started),
        counts=counts,
        warnings=run.warnings,
        current_version=current_version_of(entries),
        migrations=states,
        steps=run.steps,
        valid=valid,
    )


def migration_states(stores: DataStores) -> list[MigrationState]:
    history = history_for(stores)
    try:
        return states_of(load_migrations(stores), history.entries())
    finally:
        history.close()


MIGRATE = Operation(
    name="migrate",
    result_model=MigrateResult,
    actions=(
        Action(
            MigrateRequest,
            run_migrate,
            mutates=lambda request: request.action in MUTATING_ACTIONS,
            check=check_migrate_request,
        ),
    ),
)

__all__ = [
    "BEFORE_FIRST",
    "MIGRATE",
    "MigrateRequest",
    "MigrateResult",
    "MigrationFailed",
    "current_version",
    "migration_states",
    "run_migrate",
]
