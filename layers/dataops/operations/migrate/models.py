"""The `migrate` operation's requests (one model per action, discriminated on `action`) and its one result."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field, field_validator

from dataops.models import ActionOutput, OperationRequest, OperationResult
from dataops.operations.migrate.files import VERSION_PATTERN

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


MigrateRequest = (
    ShowMigrationStatus | ListMigrations | ApplyMigrations | RunMigration | RollBackMigrations | ValidateMigrations
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


class MigrateOutput(ActionOutput):
    """What a migrate action returns besides counts: every migration's state and the steps this run took."""

    current_version: str | None = None
    migrations: list[MigrationState] = []
    steps: list[MigrationStepReport] = []
    # validate only; the CLI exits 1 on False, while the status stays succeeded (the run itself did not fail).
    valid: bool | None = None


class MigrateResult(OperationResult, MigrateOutput):
    pass
