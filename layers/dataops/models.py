"""The operation contract: one request model in, one result model out, shared by handlers, workflows and the CLI.

An action body returns only what is its own (an `ActionOutput`); the framework wraps it in the envelope
(`operation, action, status, profile, started_at, duration_ms, version`) to make the operation's result.
"""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum
from typing import Any, Self

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, SerializerFunctionWrapHandler, model_serializer

from dataops import __version__
from dataops.config import behaviour_defaults


class OperationRequest(BaseModel):
    """Base of every request. Unknown fields are refused so a typo never silently does nothing."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    dry_run: bool = Field(
        default_factory=lambda: behaviour_defaults().dry_run,
        description="Compute and report what would change, and write nothing (env DRY_RUN).",
    )


class LeasedRequest(OperationRequest):
    """A fanned-out job's step after plan (unit, finalize, abort): it works under the lease that plan took."""

    lease: str = Field(min_length=1, description="The lock lease that `plan` took.")


class OperationStatus(StrEnum):
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    DRY_RUN = "dry_run"


class ActionOutput(BaseModel):
    """What an action body returns: its counts, details and warnings, plus the fields of its operation's result.

    The body decides only whether it failed (`failed_if`); succeeded or dry_run follows from the request.
    """

    model_config = ConfigDict(extra="forbid")

    counts: dict[str, int] = Field(default={}, description="What the action counted: rows, items, outcomes.")
    details: dict[str, Any] = Field(default={}, description="What the action says besides counts.")
    warnings: list[str] = Field(default=[], description="What the caller should know; a warning never fails it.")
    # Private, so it never appears in the result's JSON or schema: the envelope's status says it.
    _failed: bool = PrivateAttr(default=False)
    # Why it failed, for the audit record's `error` (a workflow's finalize or abort writes one).
    _failure: str | None = PrivateAttr(default=None)

    def failed_if(self, condition: bool) -> Self:
        self._failed = self._failed or condition
        return self

    def failed_because(self, reason: str | None) -> Self:
        """Failed when there is a reason (an empty one is none); the reason goes into the audit record."""
        if reason:
            self._failed, self._failure = True, reason
        return self

    @property
    def failure(self) -> str | None:
        return self._failure

    @property
    def is_failure(self) -> bool:
        return self._failed


ENVELOPE_FIELDS = ("operation", "action", "status", "profile", "started_at", "duration_ms", "version")


class OperationResult(ActionOutput):
    """What every operation returns. It reads well in the Step Functions console and in `lambda invoke` output."""

    operation: str
    action: str
    status: OperationStatus
    profile: str
    started_at: datetime
    duration_ms: int
    version: str = Field(default=__version__, description="The dataops build that produced this result.")

    @model_serializer(mode="wrap")
    def _envelope_first(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        # An operation's result mixes in its output's fields first (pydantic orders fields base-first); the
        # envelope reads better at the top.
        data: dict[str, Any] = handler(self)
        return {**{name: data[name] for name in ENVELOPE_FIELDS if name in data}, **data}

    def to_event(self) -> dict[str, Any]:
        return self.model_dump(mode="json")


def utc_now() -> datetime:
    return datetime.now(UTC)
