"""The `restore` operation's requests (one model per action, discriminated on `action`) and its one result."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from dataops.backup.verify import ObjectProblem
from dataops.config import behaviour_defaults
from dataops.errors import DataOpsError
from dataops.models import ActionOutput, LeasedRequest, OperationRequest, OperationResult
from dataops.reconcile.settle import SETTLE_INDEX_DESCRIPTION


def _default_tables() -> list[str] | None:
    configured = behaviour_defaults().restore_tables
    return [name.strip() for name in configured.split(",") if name.strip()] if configured else None


class RestoreUnit(BaseModel):
    """One Map item of the restore workflow: small (an object key and names), never data."""

    model_config = ConfigDict(extra="forbid")

    store: Literal["dynamodb", "postgres", "opensearch", "chain"]
    names: list[str] = Field(description="The entities, tables or index base names this unit restores.")
    key: str | None = Field(default=None, description="dynamodb, opensearch: the one backup object it reads.")
    whole_table: bool = Field(default=False, description="dynamodb: every item of the object, whatever its entity.")


class UnitOutcome(BaseModel):
    model_config = ConfigDict(extra="forbid")

    unit: RestoreUnit
    counts: dict[str, int]


class RestoreScope(OperationRequest):
    """Which backup, and which part of it."""

    backup: str = Field(description="A backup id, a snapshot name, or 'latest' (the newest complete backup).")
    tables: list[str] | None = Field(
        default_factory=_default_tables, description="Restore only these (env RESTORE_TABLES, comma separated)."
    )

    @field_validator("backup")
    @classmethod
    def _backup_is_named(cls, value: str) -> str:
        if not value:
            raise ValueError("must be a backup id, a snapshot name or 'latest'")
        return value


class RestoreBackup(RestoreScope):
    """Restore in one call: validate the backup, take a safety backup, load every store."""

    action: Literal["restore"] = "restore"
    safety_backup: bool = Field(default=True, description="Back up what is about to be replaced first.")
    settle_index: bool = Field(default=True, description=SETTLE_INDEX_DESCRIPTION)


class PlanRestore(RestoreScope):
    """The restore workflow's first step: validate, take the lease and the safety backup, list the units."""

    action: Literal["plan"]
    safety_backup: bool = Field(default=True, description="Back up what is about to be replaced first.")


class LeasedStep(LeasedRequest):
    """A restore workflow step after plan: it writes under the lease that plan took."""

    backup: str = Field(min_length=1, description="The backup id that plan resolved.")


class RestoreUnitRequest(LeasedStep):
    """The restore workflow's Map: restore one planned unit."""

    action: Literal["unit"]
    unit: RestoreUnit = Field(description="One of the units plan returned.")


class FinalizeRestore(LeasedStep):
    """The restore workflow's last step: check the units' counts and the stores, release the lease."""

    action: Literal["finalize"]
    tables: list[str] | None = Field(
        default_factory=_default_tables, description="The tables the plan restored (env RESTORE_TABLES)."
    )
    outcomes: list[UnitOutcome] = Field(description="Every unit's outcome, as the Map collected them.")


class AbortRestore(LeasedStep):
    """The restore workflow's catch: release the lease and audit why the workflow stopped."""

    action: Literal["abort"]
    reason: str | None = Field(default=None, description="Why the workflow stopped (kept in the audit).")


RestoreRequest = RestoreBackup | PlanRestore | RestoreUnitRequest | FinalizeRestore | AbortRestore


class TablePreview(BaseModel):
    name: str
    store: str
    rows_now: int | None
    rows_after: int


class RestoreOutput(ActionOutput):
    """What a restore action returns besides counts: the backup, per-table previews, units and problems."""

    backup: dict[str, Any]
    tables: list[TablePreview] = []
    problems: list[ObjectProblem] = []
    safety_backup_id: str | None = None
    units: list[RestoreUnit] = []
    outcome: UnitOutcome | None = None


class RestoreResult(OperationResult, RestoreOutput):
    pass


class BrokenBackup(DataOpsError):
    code = "BrokenBackup"


class LeaseLost(DataOpsError):
    """The restore workflow's lock lease is gone (released by an abort, or expired and taken by another run)."""

    code = "LeaseLost"
