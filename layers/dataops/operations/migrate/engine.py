"""The migration engine: status, apply, run, rollback and validate over a profile's migration files."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass
from pathlib import Path

from dataops.errors import DataOpsError, InvalidRequest, UnknownName
from dataops.migration_history import HistoryEntry, current_version_of, error_line, version_key
from dataops.operations.framework import elapsed_ms
from dataops.operations.migrate.context import WHOLE, MigrationContext, Part
from dataops.operations.migrate.files import MigrationFile, discover
from dataops.operations.migrate.history import (
    MigrationHistory,
    StepFailed,
    history_for,
    now_entry,
    recorded,
)
from dataops.operations.migrate.models import MigrateOutput, MigrationState, MigrationStepReport
from dataops.operations.migrate.safety import StepSafety
from dataops.stores.data_stores import DataStores

BEFORE_FIRST = "0"
# States that need someone to look: the result warns about each.
TROUBLED_STATES = ("failed", "drifted", "missing_file")


class MigrationFailed(DataOpsError):
    """A migration raised: its transaction was rolled back (PostgreSQL) and the run stopped there."""

    code = "MigrationFailed"


def migrations_folder(stores: DataStores) -> Path | None:
    if stores.settings.migrations_path:
        return Path(stores.settings.migrations_path)
    return stores.profile.migrations_dir


def load_migrations(stores: DataStores) -> list[MigrationFile]:
    return discover(migrations_folder(stores))


def states_of(migrations: list[MigrationFile], entries: dict[str, HistoryEntry]) -> list[MigrationState]:
    states: list[MigrationState] = []
    for migration in migrations:
        entry = entries.get(migration.version)
        state = MigrationState(
            version=migration.version,
            name=migration.name,
            description=migration.description,
            state="pending",
            checksum=migration.checksum,
            transactional=migration.transactional,
        )
        if entry is not None:
            state.applied_at, state.duration_ms = entry.applied_at, entry.duration_ms
            state.recorded_checksum, state.error = entry.checksum, entry.error
            if entry.outcome == "failed":
                state.state = "failed"
            elif entry.checksum != migration.checksum:
                state.state = "drifted"
            else:
                state.state = "applied"
        states.append(state)
    known = {migration.version for migration in migrations}
    for version, entry in entries.items():
        if version not in known:
            states.append(
                MigrationState(
                    version=version,
                    name=entry.name,
                    state="missing_file",
                    applied_at=entry.applied_at,
                    duration_ms=entry.duration_ms,
                    recorded_checksum=entry.checksum,
                    error=entry.error,
                    transactional=entry.transactional,
                )
            )
    states.sort(key=lambda state: version_key(state.version))
    return states


def current_version_of_states(states: list[MigrationState]) -> str | None:
    applied = [state.version for state in states if state.state in {"applied", "drifted", "missing_file"}]
    return max(applied, key=version_key) if applied else None


def pending_of(
    migrations: list[MigrationFile], entries: dict[str, HistoryEntry], target: tuple[int, ...] | None
) -> list[MigrationFile]:
    """What apply runs, in order: every migration not applied (a failed one again), up to the target."""
    pending = []
    for migration in migrations:
        entry = entries.get(migration.version)
        if entry is not None and entry.outcome == "applied":
            continue
        if target is not None and migration.sort_key > target:
            break
        pending.append(migration)
    return pending


def find_migration(migrations: list[MigrationFile], reference: str) -> MigrationFile:
    for migration in migrations:
        if migration.matches(reference):
            return migration
    raise UnknownName("migration", reference, (m.version for m in migrations))


def resolve_target(migrations: list[MigrationFile], target: str | None) -> tuple[int, ...] | None:
    if target is None:
        return None
    if set(target.replace(".", "")) == {"0"}:
        return (0,)
    if not any(migration.version == target for migration in migrations):
        raise UnknownName("target", target, [BEFORE_FIRST, *(m.version for m in migrations)])
    return version_key(target)


@dataclass
class MigrationRun:
    """One request's work: the files, the history, and the step reports it builds up."""

    stores: DataStores
    migrations: list[MigrationFile]
    history: MigrationHistory
    dry_run: bool

    def __post_init__(self) -> None:
        self.steps: list[MigrationStepReport] = []
        self.warnings: list[str] = []

    def exclusive(self) -> AbstractContextManager[None]:
        return nullcontext() if self.dry_run else self.history.exclusive()

    def check_drift(self, entries: dict[str, HistoryEntry], repair: bool) -> None:
        drifted = [state for state in states_of(self.migrations, entries) if state.state == "drifted"]
        if not drifted:
            return
        if not repair:
            listing = "; ".join(
                f"{state.version} ({state.name}) recorded {state.recorded_checksum} now {state.checksum}"
                for state in drifted
            )
            raise InvalidRequest.for_field(
                "repair",
                f"applied migration files were edited: {listing}. Restore the files, or pass repair=true to "
                "accept the edits and record their new checksums",
            )
        for state in drifted:
            migration = find_migration(self.migrations, state.version)
            entry = entries[state.version]
            if not self.dry_run:
                repaired = entry.model_copy(update={"checksum": migration.checksum})
                self.history.run_step(lambda _ctx: None, dry_run=False, record=recorded(repaired), forget=None)
            self.steps.append(
                MigrationStepReport(
                    version=migration.version,
                    name=migration.name,
                    direction="repair",
                    outcome="planned" if self.dry_run else "repaired",
                    duration_ms=0,
                    actions=[f"checksum {entry.checksum} -> {migration.checksum}"],
                )
            )

    def up(self, migration: MigrationFile, part: Part = WHOLE, *, spent_ms: int = 0) -> MigrationContext:
        """Run up() and record the migration applied: all of it (apply), or the part that a fanned-out job's
        finalize carries out, with the time its units spent (`spent_ms`) counted in."""
        return self._step(migration, "up", part, spent_ms=spent_ms)

    def prepare(self, migration: MigrationFile, part: Part) -> MigrationContext:
        """Run a part of up() that leaves the migration pending (a fanned-out job's plan); a failure is recorded
        as apply's would be."""
        return self._step(migration, "up", part, record=False)

    def down(self, migration: MigrationFile) -> MigrationContext:
        return self._step(migration, "down")

    def _step(
        self, migration: MigrationFile, direction: str, part: Part = WHOLE, *, record: bool = True, spent_ms: int = 0
    ) -> MigrationContext:
        """Run one step and append its report to `steps`."""
        # A fanned-out migration's time is its units' and finalize's: it is recorded and reported as one step.
        started = time.monotonic() - spent_ms / 1000
        body = migration.up if direction == "up" else migration.down
        transactional = migration.transactional
        try:
            context = self.history.run_step(
                body,
                dry_run=self.dry_run,
                record=(
                    lambda: now_entry(
                        migration.version,
                        migration.name,
                        migration.checksum,
                        elapsed_ms(started),
                        "applied",
                        transactional=transactional,
                    )
                )
                if direction == "up" and record
                else None,
                forget=migration.version if direction == "down" else None,
                part=part,
                safety=StepSafety.of(migration, self.stores.settings),
            )
        except StepFailed as failure:
            error = failed_step_error(failure)
            self.steps.append(self._report(migration, direction, "failed", started, failure.context, error))
            if direction == "up" and not self.dry_run:
                self.history.record_failure(
                    now_entry(
                        migration.version,
                        migration.name,
                        migration.checksum,
                        elapsed_ms(started),
                        "failed",
                        error,
                        transactional=transactional,
                    )
                )
            done = sum(1 for step in self.steps if step.outcome in {"applied", "rolled_back"})
            how = "failed and was rolled back" if failure.rolled_back else "failed outside a transaction"
            raise MigrationFailed(
                f"migration {migration.version} ({migration.name}) {direction} {how}: {error}; "
                f"the run stopped there after {done} completed step(s)"
            ) from None
        done_outcome = "applied" if direction == "up" else "rolled_back"
        outcome = "planned" if self.dry_run or not record else done_outcome
        self.steps.append(self._report(migration, direction, outcome, started, context))
        return context

    def _report(
        self,
        migration: MigrationFile,
        direction: str,
        outcome: str,
        started: float,
        context: MigrationContext,
        error: str | None = None,
    ) -> MigrationStepReport:
        return MigrationStepReport.model_validate(
            {
                "version": migration.version,
                "name": migration.name,
                "direction": direction,
                "outcome": outcome,
                "duration_ms": elapsed_ms(started),
                "sql": context.statements,
                "actions": context.actions,
                "items": dict(context.items),
                "error": error,
                "transactional": migration.transactional,
            }
        )

    def validate(self, migration: MigrationFile, entry: HistoryEntry) -> bool:
        started = time.monotonic()
        problems: list[str] = []
        if entry.checksum != migration.checksum:
            problems.append(f"checksum recorded {entry.checksum} but the file is now {migration.checksum}")
        context = MigrationContext(self.stores, dry_run=True)
        if migration.validate is not None:
            checker = migration.validate

            def check(ctx: MigrationContext) -> None:
                if checker(ctx) is False:
                    problems.append("validate() returned False")

            try:
                context = self.history.run_step(check, dry_run=True, record=None, forget=None)
            except StepFailed as failure:
                problems.append(f"validate() raised {error_line(failure.error)}")
        self.steps.append(
            self._report(
                migration, "validate", "invalid" if problems else "valid", started, context, "; ".join(problems) or None
            )
        )
        return not problems


def failed_step_error(failure: StepFailed) -> str:
    """The error, and for a step that ran outside a transaction what it leaves behind and how to go on."""
    error = error_line(failure.error)
    if failure.rolled_back:
        return error
    statement = failure.context.failed_statement
    if statement is None:
        return f"{error}; the statements it ran before stay applied"
    shown = " ".join(statement.split())
    advice = "make its statements safe to run again (IF NOT EXISTS) and apply again"
    if "concurrently" in shown.lower():
        advice = "a failed CREATE INDEX CONCURRENTLY leaves an INVALID index: drop it, then apply again"
    return f"{error}; failing statement: {shown}; the statements before it stay applied: {advice}"


def run_outcome(run: MigrationRun, valid: bool | None = None) -> MigrateOutput:
    """Every migration's state once the run is done (read while its history is still open)."""
    entries = run.history.entries()
    states = states_of(run.migrations, entries)
    counts = {
        state: sum(1 for s in states if s.state == state) for state in ("applied", "pending", "failed", "drifted")
    }
    counts["steps"] = len(run.steps)
    troubled = [
        f"migration {state.version} ({state.name}) is {state.state.replace('_', ' ')}"
        for state in states
        if state.state in TROUBLED_STATES
    ]
    return MigrateOutput(
        counts=counts,
        warnings=[*run.warnings, *troubled],
        current_version=current_version_of(entries),
        migrations=states,
        steps=run.steps,
        valid=valid,
    )


@contextmanager
def open_run(stores: DataStores, *, dry_run: bool) -> Iterator[MigrationRun]:
    """Files are loaded (and refused if malformed) before any store is touched."""
    migrations = load_migrations(stores)
    history = history_for(stores)
    try:
        yield MigrationRun(stores, migrations, history, dry_run)
    finally:
        history.close()
