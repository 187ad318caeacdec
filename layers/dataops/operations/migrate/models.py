"""Request and result models of the `migrate` operation."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field, field_validator, model_validator

from dataops.errors import InvalidRequest
from dataops.models import OperationRequest, OperationResult
from dataops.operations.migrate.files import VERSION_PATTERN

MigrateAction = Literal["status", "list", "apply", "run", "rollback", "validate"]
MigrationStateName = Literal["applied", "pending", "failed", "drifted", "missing_file"]


class MigrateRequest(OperationRequest):
    action: MigrateAction = "status"
    target: str | None = Field(
        default=None,
        description="apply: stop after this version; rollback: undo down to (not including) it, '0' for all.",
    )
    migration: str | None = Field(default=None, description="run: the migration's version, name or file slug.")
    repair: bool = Field(
        default=False, description="Accept edited (drifted) applied files: record their new checksums, then go on."
    )

    @field_validator("target", mode="before")
    @classmethod
    def _target_is_a_version(cls, value: object) -> object:
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

    @model_validator(mode="after")
    def _fields_fit_the_action(self) -> MigrateRequest:
        # Raised as InvalidRequest (not ValueError) so the message names the field, not the whole request.
        if self.action == "run" and not self.migration:
            raise InvalidRequest.for_field("migration", "action 'run' needs it: a version, name or file slug")
        if self.migration and self.action != "run":
            raise InvalidRequest.for_field("migration", f"only for action 'run', not {self.action!r}")
        if self.target is not None and self.action not in {"apply", "rollback"}:
            raise InvalidRequest.for_field("target", f"only for actions 'apply' and 'rollback', not {self.action!r}")
        return self


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


class MigrateResult(OperationResult):
    current_version: str | None = None
    migrations: list[MigrationState] = []
    steps: list[MigrationStepReport] = []
    valid: bool | None = None
