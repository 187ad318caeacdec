"""`migrate`: versioned, transactional, locked, drift-checked migrations for PostgreSQL and DynamoDB."""

from __future__ import annotations

from typing import Any

from dataops.errors import InvalidRequest
from dataops.migration_history import current_version, version_key
from dataops.operations.framework import Action, Lease, Operation
from dataops.operations.migrate import fanout
from dataops.operations.migrate.engine import (
    BEFORE_FIRST,
    MigrationFailed,
    MigrationRun,
    find_migration,
    load_migrations,
    open_run,
    pending_of,
    resolve_target,
    run_outcome,
    states_of,
)
from dataops.operations.migrate.history import PostgresHistory, history_for
from dataops.operations.migrate.lint import DatabaseFacts, MigrationLinter, model_columns
from dataops.operations.migrate.models import (
    AbortMigrations,
    ApplyMigrations,
    FinalizeMigrations,
    LintFinding,
    LintMigrations,
    ListMigrations,
    MigrateOutput,
    MigrateRequest,
    MigrateResult,
    MigrationState,
    MigrationUnitRequest,
    PlanMigrations,
    RollBackMigrations,
    RunMigration,
    ShowMigrationStatus,
    TargetedChange,
    ValidateMigrations,
)
from dataops.stores.data_stores import DataStores


def show_status(request: ShowMigrationStatus, stores: DataStores) -> MigrateOutput:
    with open_run(stores, dry_run=request.dry_run) as run:
        return run_outcome(run)


def list_files(request: ListMigrations, stores: DataStores) -> MigrateOutput:
    # The files alone: listing needs no store, so it works before anything is deployed.
    files = [
        MigrationState(version=m.version, name=m.name, description=m.description, state="pending", checksum=m.checksum)
        for m in load_migrations(stores)
    ]
    return MigrateOutput(counts={"migrations": len(files)}, migrations=files)


def apply(request: ApplyMigrations, stores: DataStores) -> MigrateOutput:
    with open_run(stores, dry_run=request.dry_run) as run:
        target = resolve_target(run.migrations, request.target)
        with run.exclusive():
            entries = run.history.entries()
            run.check_drift(entries, request.repair)
            for migration in pending_of(run.migrations, entries, target):
                run.up(migration)
        if not request.dry_run:
            return run_outcome(run)
        findings = findings_of(run, LintMigrations.model_fields["large_table_rows"].default)
        run.warnings.extend(finding_line(finding) for finding in findings)
        return run_outcome(run).model_copy(update={"findings": findings})


def lint(request: LintMigrations, stores: DataStores) -> MigrateOutput:
    """A dry run of every pending migration, then the rules over the SQL it would run."""
    with open_run(stores, dry_run=True) as run:
        entries = run.history.entries()
        for migration in pending_of(run.migrations, entries, None):
            run.up(migration)
        findings = findings_of(run, request.large_table_rows)
        run.warnings.extend(finding_line(finding) for finding in findings)
        return run_outcome(run, valid=not findings).model_copy(update={"findings": findings})


def findings_of(run: MigrationRun, large_table_rows: int) -> list[LintFinding]:
    """Lint the SQL of the run's up() steps against the live database (DynamoDB-only profiles have no DDL)."""
    history = run.history
    if not isinstance(history, PostgresHistory):
        return []
    files = {migration.version: migration for migration in run.migrations}
    try:
        with history.connection.cursor() as cursor:
            linter = MigrationLinter(DatabaseFacts(cursor, large_table_rows), model_columns(run.stores.profile))
            return [
                finding
                for step in run.steps
                if step.direction == "up"
                for finding in linter.lint(
                    step.version, step.name, step.sql, transactional=files[step.version].transactional
                )
            ]
    finally:
        history.connection.rollback()


def finding_line(finding: LintFinding) -> str:
    return f"migration {finding.version} ({finding.name}): {finding.rule}: {finding.message}; fix: {finding.fix}"


def run_one(request: RunMigration, stores: DataStores) -> MigrateOutput:
    with open_run(stores, dry_run=request.dry_run) as run:
        migration = find_migration(run.migrations, request.migration)
        with run.exclusive():
            entries = run.history.entries()
            run.check_drift(entries, request.repair)
            entry = entries.get(migration.version)
            if entry is not None and entry.outcome == "applied":
                run.warnings.append(
                    f"migration {migration.version} ({migration.name}) is already applied; nothing to do"
                )
            else:
                run.up(migration)
        return run_outcome(run)


def roll_back(request: RollBackMigrations, stores: DataStores) -> MigrateOutput:
    with open_run(stores, dry_run=request.dry_run) as run:
        target = resolve_target(run.migrations, request.target)
        with run.exclusive():
            entries = run.history.entries()
            run.check_drift(entries, request.repair)
            applied = sorted(
                (version for version, entry in entries.items() if entry.outcome == "applied"),
                key=version_key,
                reverse=True,
            )
            # Without a target only the last one is undone: a rollback of everything must be asked for ('0').
            applied = applied[:1] if target is None else [v for v in applied if version_key(v) > target]
            if not applied:
                run.warnings.append("nothing to roll back")
            files = {migration.version: migration for migration in run.migrations}
            if missing := [version for version in applied if version not in files]:
                raise InvalidRequest.for_field(
                    "target",
                    f"applied migration(s) {', '.join(missing)} have no file to run down() from; restore them",
                )
            for version in applied:
                run.down(files[version])
        return run_outcome(run)


def validate(request: ValidateMigrations, stores: DataStores) -> MigrateOutput:
    with open_run(stores, dry_run=request.dry_run) as run:
        entries = run.history.entries()
        valid = True
        for migration in run.migrations:
            entry = entries.get(migration.version)
            if entry is not None and entry.outcome == "applied":
                # Every applied migration is validated, even after one is found invalid, so all problems show.
                valid = run.validate(migration, entry) and valid
        return run_outcome(run, valid)


def check_target(request: TargetedChange, stores: DataStores) -> None:
    """Before the lock: every file loads, and the target is one of them (or '0')."""
    resolve_target(load_migrations(stores), request.target)


def check_migration(request: RunMigration, stores: DataStores) -> None:
    """Before the lock: every file loads, and the named migration is one of them."""
    find_migration(load_migrations(stores), request.migration)


def run_migrate(request: MigrateRequest, stores: DataStores) -> MigrateResult:
    """One action without the framework's lease lock (and audit): only the migrations' own exclusion applies."""
    return MIGRATE.execute(request, stores)


def migration_states(stores: DataStores) -> list[MigrationState]:
    history = history_for(stores)
    try:
        return states_of(load_migrations(stores), history.entries())
    finally:
        history.close()


MIGRATE: Operation[Any, MigrateResult] = Operation(
    name="migrate",
    result_model=MigrateResult,
    actions=(
        Action(ShowMigrationStatus, show_status),
        Action(ListMigrations, list_files),
        Action(ApplyMigrations, apply, mutates=True, check=check_target),
        Action(RunMigration, run_one, mutates=True, check=check_migration),
        Action(RollBackMigrations, roll_back, mutates=True, check=check_target),
        Action(ValidateMigrations, validate),
        Action(LintMigrations, lint),
        # The migrate workflow's actions share one lease across their invocations: units run in parallel under it.
        Action(PlanMigrations, fanout.plan, check=check_target, lease=Lease.TAKE),
        Action(MigrationUnitRequest, fanout.unit, check=fanout.check_unit, lease=Lease.KEEP),
        Action(FinalizeMigrations, fanout.finalize, check=fanout.check_finalize, lease=Lease.RELEASE),
        Action(AbortMigrations, fanout.abort, lease=Lease.ABANDON),
    ),
    default_action="status",
    # The lease spans a whole migrate workflow (plan, units, finalize): long enough for the Map's gaps.
    lock_lease_seconds=300,
)

__all__ = [
    "BEFORE_FIRST",
    "MIGRATE",
    "MigrateOutput",
    "MigrateRequest",
    "MigrateResult",
    "MigrationFailed",
    "current_version",
    "migration_states",
    "run_migrate",
]
