"""The operation contract: one request model in, one result model out, shared by handlers, workflows and the CLI."""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from dataops.config import behaviour_defaults


class OperationRequest(BaseModel):
    """Base of every request. Unknown fields are refused so a typo never silently does nothing."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    dry_run: bool = Field(
        default_factory=lambda: behaviour_defaults().dry_run,
        description="Compute and report what would change, and write nothing (env DRY_RUN).",
    )


class OperationStatus(StrEnum):
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    DRY_RUN = "dry_run"


class OperationResult(BaseModel):
    """What every operation returns. It reads well in the Step Functions console and in `lambda invoke` output."""

    model_config = ConfigDict(extra="forbid")

    operation: str
    action: str
    status: OperationStatus
    profile: str
    started_at: datetime
    duration_ms: int
    counts: dict[str, int] = {}
    details: dict[str, Any] = {}
    warnings: list[str] = []

    def to_event(self) -> dict[str, Any]:
        return self.model_dump(mode="json")


def utc_now() -> datetime:
    return datetime.now(UTC)
