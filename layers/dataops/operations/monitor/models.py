"""The `monitor` operation's requests (one model per action, discriminated on `action`) and its one result."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field, field_validator

from dataops.models import ActionOutput, OperationRequest, OperationResult
from dataops.operations.monitor.alerts import DEFAULT_THRESHOLDS, Alert, AlertSeverity


class CheckMetrics(OperationRequest):
    """Record one set of metrics, raise and clear alerts on the thresholds, and publish what changed."""

    action: Literal["check"] = "check"
    thresholds: dict[str, float] = Field(default={}, description="Override alert limits by key.")
    publish: bool = Field(default=True, description="check: publish raised/cleared alerts to the SNS topic.")

    @field_validator("thresholds")
    @classmethod
    def _known_threshold_keys(cls, value: dict[str, float]) -> dict[str, float]:
        if unknown := sorted(set(value) - set(DEFAULT_THRESHOLDS)):
            raise ValueError(f"unknown threshold key(s) {unknown}; valid: {', '.join(DEFAULT_THRESHOLDS)}")
        return value

    def limits(self) -> dict[str, float]:
        return {key: self.thresholds.get(key, threshold.limit) for key, threshold in DEFAULT_THRESHOLDS.items()}


class TrendReport(OperationRequest):
    """Min, median, max and latest per metric over the newest checks."""

    action: Literal["report"]
    limit: int = Field(default=100, ge=1, le=1000, description="report: the newest N checks.")


class ListAlerts(OperationRequest):
    """The active alerts, optionally of one severity."""

    action: Literal["alerts"]
    severity: AlertSeverity | None = Field(default=None, description="alerts: only this severity.")


class ClearAlerts(OperationRequest):
    """Mark every active alert cleared by hand (the alert history keeps them)."""

    action: Literal["clear-alerts"]


class SendTestAlert(OperationRequest):
    """Publish a test notice, to prove the alert topic delivers."""

    action: Literal["test-alerts"]


MonitorRequest = CheckMetrics | TrendReport | ListAlerts | ClearAlerts | SendTestAlert


class MonitorOutput(ActionOutput):
    """What a monitor action returns besides counts: metrics, alerts and their changes, trends, notices sent."""

    metrics: dict[str, float | None] = {}
    alerts: list[Alert] = []
    raised: list[Alert] = []
    cleared: list[Alert] = []
    report: dict[str, Any] = {}
    published: list[str] = []
    publish_errors: list[str] = Field(default=[], description="Notices that could not be sent, and why.")

    def with_alert_counts(self) -> MonitorOutput:
        """Every action counts the same three lists, whichever of them it filled, so results compare."""
        self.counts = {"active_alerts": len(self.alerts), "raised": len(self.raised), "cleared": len(self.cleared)}
        return self


class MonitorResult(OperationResult, MonitorOutput):
    pass
