"""The `restore` operation's request and result, shared by its actions, the handler, workflows and the CLI."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from dataops.backup.verify import ObjectProblem
from dataops.config import behaviour_defaults
from dataops.errors import DataOpsError
from dataops.models import OperationRequest, OperationResult
from dataops.operations.framework import elapsed_ms, status_for
from dataops.stores.data_stores import DataStores

RestoreAction = Literal["restore", "plan", "unit", "finalize", "abort"]


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


class RestoreRequest(OperationRequest):
    action: RestoreAction = "restore"
    backup: str = Field(description="A backup id, a snapshot name, or 'latest' (the newest complete backup).")
    tables: list[str] | None = Field(
        default_factory=_default_tables, description="Restore only these (env RESTORE_TABLES, comma separated)."
    )
    safety_backup: bool = Field(default=True, description="Back up what is about to be replaced first.")
    lease: str | None = Field(default=None, description="unit, finalize, abort: the lock lease that plan took.")
    unit: RestoreUnit | None = Field(default=None, description="unit: one of the units plan returned.")
    outcomes: list[UnitOutcome] | None = Field(default=None, description="finalize: every unit's outcome.")
    reason: str | None = Field(default=None, description="abort: why the workflow stopped (kept in the audit).")

    @field_validator("backup")
    @classmethod
    def _backup_is_named(cls, value: str) -> str:
        if not value:
            raise ValueError("must be a backup id, a snapshot name or 'latest'")
        return value


class TablePreview(BaseModel):
    name: str
    store: str
    rows_now: int | None
    rows_after: int


class RestoreResult(OperationResult):
    backup: dict[str, Any]
    tables: list[TablePreview] = []
    problems: list[ObjectProblem] = []
    safety_backup_id: str | None = None
    units: list[RestoreUnit] = []
    outcome: UnitOutcome | None = None


class BrokenBackup(DataOpsError):
    code = "BrokenBackup"


class LeaseLost(DataOpsError):
    """The restore workflow's lock lease is gone (released by an abort, or expired and taken by another run)."""

    code = "LeaseLost"


def restore_result(request: RestoreRequest, stores: DataStores, started: float, **fields: Any) -> RestoreResult:
    return RestoreResult(
        operation="restore",
        action=request.action,
        status=fields.pop("status", status_for(request)),
        profile=stores.profile.name,
        started_at=fields.pop("started_at"),
        duration_ms=elapsed_ms(started),
        **fields,
    )
