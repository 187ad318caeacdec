"""The `backup` operation's request and result, shared by its actions, the handler, workflows and the CLI."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field, field_validator

from dataops.backup.catalog import BackupSummary
from dataops.backup.create import BackupUnit, UnitOutcome
from dataops.backup.manifest import BACKUP_ID_PATTERN
from dataops.backup.verify import ObjectProblem
from dataops.config import behaviour_defaults
from dataops.models import OperationRequest, OperationResult
from dataops.operations.framework import elapsed_ms, status_for
from dataops.stores.data_stores import DataStores

BackupAction = Literal["create", "list", "validate", "cleanup", "export", "import", "plan", "unit", "finalize", "copy"]
NAME_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$"


class BackupRequest(OperationRequest):
    action: BackupAction
    backup: str | None = Field(default=None, description="validate: backup id, snapshot name, or 'latest'.")
    name: str | None = Field(default=None, pattern=NAME_PATTERN, description="create: a name (required for snapshots).")
    kind: Literal["full", "snapshot", "incremental"] = "full"
    base: str | None = Field(
        default=None, description="create, kind incremental: the backup it builds on (id, snapshot name, 'latest')."
    )
    tables: list[str] | None = Field(
        default=None, description="create: back up only these entities, PostgreSQL tables or index base names."
    )
    compression_enabled: bool = Field(default_factory=lambda: behaviour_defaults().compression_enabled)
    encryption_enabled: bool = Field(default_factory=lambda: behaviour_defaults().encryption_enabled)
    compression_level: int = Field(default=3, ge=1, le=19)
    segments: int = Field(default=4, ge=1, le=32, description="create: parallel DynamoDB scan segments.")
    limit: int = Field(default=20, ge=1, le=1000, description="list: backups per page.")
    next_token: str | None = Field(default=None, description="list: the token a previous page returned.")
    retention_days: int = Field(default_factory=lambda: behaviour_defaults().retention_days, ge=1)
    keep_last: int = Field(default=3, ge=1, description="cleanup: always keep this many newest complete backups.")
    include_snapshots: bool = Field(default=False, description="cleanup: named snapshots may be removed too.")
    path: str | None = Field(
        default=None, description="export/import: a relative folder (local) or key prefix under exports/ (s3)."
    )
    destination: Literal["s3", "local"] = Field(
        default="s3", description="export/import: the backup bucket's exports/ prefix, or a local folder (CLI)."
    )
    mask_pii: bool = Field(default=False, description="export: deterministically mask the profile's PII fields.")
    region: str | None = Field(
        default=None, pattern=r"^[a-z]{2}(-[a-z]+)+-\d$", description="copy: the target region, e.g. eu-west-1."
    )
    bucket: str | None = Field(default=None, description="copy: target bucket (default <prefix>-backups-<region>).")
    unit: BackupUnit | None = Field(default=None, description="unit: one unit from `plan` (with `backup`).")
    outcomes: list[UnitOutcome] | None = Field(default=None, description="finalize: every unit's outcome.")

    @field_validator("next_token")
    @classmethod
    def _token_is_an_id(cls, value: str | None) -> str | None:
        if value is not None and not BACKUP_ID_PATTERN.match(value):
            raise ValueError("is not a token from a previous list")
        return value


class BackupResult(OperationResult):
    backup: dict[str, Any] | None = None
    backups: list[BackupSummary] = []
    problems: list[ObjectProblem] = []
    next_token: str | None = None
    units: list[BackupUnit] = []
    outcome: UnitOutcome | None = None


def backup_result(request: BackupRequest, stores: DataStores, started: float, **fields: Any) -> BackupResult:
    return BackupResult(
        operation="backup",
        action=request.action,
        status=fields.pop("status", status_for(request)),
        profile=stores.profile.name,
        started_at=fields.pop("started_at"),
        duration_ms=elapsed_ms(started),
        **fields,
    )
