"""The `migrate` operation's requests (one model per action, discriminated on `action`) and its one result."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field, field_validator

from dataops.models import ActionOutput, LeasedRequest, OperationRequest, OperationResult
from dataops.operations.migrate.files import VERSION_PATTERN
from dataops.segmented_compare import MAX_SHARES

MigrationStateName = Literal["applied", "pending", "failed", "drifted", "missing_file"]


class ShowMigrationStatus(OperationRequest):
    """Each migration applied, pending, failed or drifted, with applied time and duration."""

    # The action a bare `{}` means; the model's default lets it be built without one too.
    action: Literal["status"] = "status"


class ListMigrations(OperationRequest):
    """The migration files, in order; reads no store, so it works before anything is deployed."""

    action: Literal["list"]


class ValidateMigrations(OperationRequest):
    """Run each applied migration's validate() and compare recorded checksums with the files."""

    action: Literal["validate"]


class LintMigrations(OperationRequest):
    """Flag risky DDL in the pending migrations (as a dry run captures it), each finding with its fix."""

    action: Literal["lint"]
    large_table_rows: int = Field(
        default=100_000,
        ge=0,
        description="Tables over this many rows are large: an index, rewrite or volatile default there is flagged.",
    )


class MigrationChange(OperationRequest):
    """What the actions that run up() or down() share: they refuse drifted applied files unless told to repair."""

    repair: bool = Field(
        default=False, description="Accept edited (drifted) applied files: record their new checksums, then go on."
    )


class TargetedChange(MigrationChange):
    """apply and rollback: the whole sequence of migrations, up to (or back to) a target."""

    target: str | None = Field(
        default=None,
        description="apply: stop after this version; rollback: undo down to (not including) it, '0' for all.",
    )

    @field_validator("target", mode="before")
    @classmethod
    def _target_is_a_version(cls, value: object) -> object:
        # A JSON or CLI `1` for version "1" is what the user meant.
        if isinstance(value, int) and not isinstance(value, bool):
            value = str(value)
        if isinstance(value, str):
            text = value.strip()
            if text.startswith("-"):
                raise ValueError(f"a target version must not be below zero (got {text!r})")
            if not VERSION_PATTERN.match(text):
                raise ValueError(f"must be a version such as 20241203120000 or 1.2.0 (got {text!r})")
            return text
        return value


class ApplyMigrations(TargetedChange):
    """Apply every pending migration, or those up to `target`."""

    action: Literal["apply"]


class RollBackMigrations(TargetedChange):
    """Run down() in reverse order back to `target`, or undo only the last applied migration."""

    action: Literal["rollback"]


class RunMigration(MigrationChange):
    """Apply one migration, named by version, name or file slug."""

    action: Literal["run"]
    migration: str = Field(min_length=1, description="The migration's version, name or file slug.")


class PlanMigrations(TargetedChange):
    """The migrate workflow's first step: take the lease, apply what needs no fan-out, cut the item steps of the
    rest into one unit per scan segment of the table."""

    action: Literal["plan"]
    segments: int | None = Field(
        default=None,
        ge=1,
        le=MAX_SHARES,
        description="Units (scan segments of the table); default: one per 100,000 items read over all item steps.",
    )


class ItemStep(BaseModel):
    """One `migrate_items` call of a migration's up(), as plan recorded it."""

    entity: str
    from_version: str
    to_version: str
    version_field: str = "schemaVersion"
    index: str | None = Field(
        default=None, description="The search index the step keeps in step (none: no live index at that point)."
    )


class PlannedMigration(BaseModel):
    """A migration of the job: units carry out its item steps segment by segment, finalize the rest of it."""

    version: str
    name: str
    checksum: str = Field(description="The file's checksum when plan ran; a unit or finalize refuses another.")
    item_steps: list[ItemStep] = Field(default=[], description="Its item steps, in the order up() makes them.")


class MigrationSegment(BaseModel):
    """One unit of a migrate job: one scan segment of the table."""

    segment: int = Field(ge=0)


class MigrationUnitOutcome(BaseModel):
    unit: MigrationSegment
    items: dict[str, dict[str, int]] = Field(description="By version: items scanned, changed and re-indexed.")
    duration_ms: dict[str, int] = Field(default={}, description="By version: how long its item steps took.")


class MigrateJobStep(LeasedRequest):
    """A migrate workflow step after plan: it works under the lease plan took, on the migrations plan planned."""

    job: str = Field(min_length=1, description="The migrate job's id, as plan named it.")


class PlannedJob(MigrateJobStep):
    """The unit and finalize steps: they carry plan's migrations and segment count (from its job object)."""

    migrations: list[PlannedMigration] = Field(description="The job's migrations, in order, as plan planned them.")
    segments: int = Field(
        ge=0, le=MAX_SHARES, description="How many scan segments plan cut the table into (0: no item steps)."
    )


class MigrationUnitRequest(PlannedJob):
    """The migrate workflow's Map: carry one segment of the table through every planned item step, in order."""

    action: Literal["unit"]
    unit: MigrationSegment = Field(description="One of the units plan returned.")


class FinalizeMigrations(PlannedJob, TargetedChange):
    """The migrate workflow's last step: check that every unit's outcome is there, run the rest of each migration
    with its history row (recorded as apply records it), release the lease. It takes the step's own `target` and
    `repair` too (the workflow sends them), and checks plan's rules against them again."""

    action: Literal["finalize"]
    outcomes: list[MigrationUnitOutcome] = Field(description="Every unit's outcome, as the Map collected them.")


class AbortMigrations(MigrateJobStep):
    """The migrate workflow's catch: release the lease and audit why the workflow stopped."""

    action: Literal["abort"]
    reason: str | None = Field(default=None, description="Why the workflow stopped (kept in the audit).")
    # The workflow's catch sends what every step after plan carries; an abort needs none of it.
    migrations: list[PlannedMigration] = Field(default=[], description="As carried by the workflow (unused).")
    segments: int = Field(default=0, ge=0, le=MAX_SHARES, description="As carried by the workflow (unused).")


MigrateRequest = (
    ShowMigrationStatus
    | ListMigrations
    | ApplyMigrations
    | RunMigration
    | RollBackMigrations
    | ValidateMigrations
    | LintMigrations
    | PlanMigrations
    | MigrationUnitRequest
    | FinalizeMigrations
    | AbortMigrations
)


class MigrationState(BaseModel):
    version: str
    name: str
    description: str = ""
    state: MigrationStateName
    applied_at: datetime | None = None
    duration_ms: int | None = None
    checksum: str | None = Field(default=None, description="The file's checksum now.")
    recorded_checksum: str | None = Field(default=None, description="The checksum recorded when it was applied.")
    error: str | None = None
    transactional: bool = Field(
        default=True, description="False: it runs (or ran) statement by statement, outside a transaction."
    )


class LintFinding(BaseModel):
    """One risky statement in a migration, why it is risky, and what to write instead."""

    version: str
    name: str
    rule: str = Field(
        description="index_not_concurrent, concurrently_in_transaction, not_null_without_default, "
        "volatile_default, dropped_column_in_use, rewriting_type_change or unparsable."
    )
    table: str | None = None
    statement: str
    message: str
    fix: str


class MigrationStepReport(BaseModel):
    version: str
    name: str
    direction: Literal["up", "down", "validate", "repair"]
    outcome: Literal["applied", "rolled_back", "planned", "failed", "valid", "invalid", "repaired"]
    duration_ms: int
    sql: list[str] = Field(default=[], description="The exact SQL run (or, in a dry run, that would run).")
    actions: list[str] = []
    items: dict[str, int] = Field(default={}, description="Items scanned, changed and re-indexed.")
    error: str | None = None
    transactional: bool = True


class MigrateOutput(ActionOutput):
    """What a migrate action returns besides counts: every migration's state and the steps this run took."""

    current_version: str | None = None
    migrations: list[MigrationState] = []
    steps: list[MigrationStepReport] = []
    # validate and lint only; the CLI exits 1 on False, while the status stays succeeded (the run did not fail).
    valid: bool | None = None
    findings: list[LintFinding] = Field(default=[], description="lint, and apply's dry run: risky DDL found.")
    # The migrate workflow's actions: the job (plan's carries the lease), the planned units and a unit's outcome.
    job: dict[str, Any] | None = None
    units: list[MigrationSegment] = []
    outcome: MigrationUnitOutcome | None = None


class MigrateResult(OperationResult, MigrateOutput):
    pass
