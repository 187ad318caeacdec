"""Alerts: thresholds over the metrics of a check, alert state and history in the control table, SNS notices.

An alert is published when it is raised and when it clears, not on every check while it stays active.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Literal, Protocol

from aws_lambda_powertools import Logger
from pydantic import BaseModel

from dataops.models import utc_now
from dataops.stores.dynamodb import DynamoTable
from dataops.stores.sns import PublishFailed

AlertSeverity = Literal["critical", "warning", "info"]
ALERT_SEVERITIES: tuple[AlertSeverity, ...] = ("critical", "warning", "info")
ALERT_PK = "ALERT"
ALERT_HISTORY_PK = "ALERT_HISTORY"
HISTORY_DAYS = 30

logger = Logger(child=True)


@dataclass(frozen=True)
class Threshold:
    """An alert fires when the metric exceeds `limit` (or is absent, for `missing_fires`)."""

    severity: AlertSeverity
    limit: float
    description: str
    missing_fires: bool = False


# Defaults; a request may override any limit by key. Seed 000's recommended monitoring sets the last three.
DEFAULT_THRESHOLDS: dict[str, Threshold] = {
    "response_time_ms": Threshold("warning", 2000, "a store answered slower than {limit} ms"),
    "error_rate": Threshold("critical", 0.0, "health checks failing: rate above {limit}"),
    "inconsistencies": Threshold("warning", 0, "DynamoDB and OpenSearch disagree on over {limit} sampled record(s)"),
    "backup_age_hours": Threshold("warning", 24, "the latest complete backup is older than {limit} h", True),
    "pending_migrations": Threshold("warning", 0, "more than {limit} migration(s) pending"),
    "validation_errors": Threshold("critical", 0, "more than {limit} data validation error(s)"),
}


class Alert(BaseModel):
    alert_id: str
    metric: str
    severity: AlertSeverity
    status: Literal["active", "cleared"]
    value: float | None = None
    threshold: float
    message: str
    raised_at: str
    cleared_at: str | None = None


class AlertPublisher(Protocol):
    def publish(self, subject: str, message: str) -> str:
        """The delivered message's id; raises PublishFailed when it cannot be delivered."""
        ...


@dataclass(frozen=True)
class Delivery:
    """Message ids of the notices sent, and why any could not be sent."""

    message_ids: list[str]
    errors: list[str]


def breaches(metrics: dict[str, float | None], limits: dict[str, float]) -> dict[str, tuple[str, float | None]]:
    """alert id -> (threshold key, value) for every metric over its limit. Per-store metrics are `key:store`."""
    found: dict[str, tuple[str, float | None]] = {}
    for name, value in metrics.items():
        key = name.split(":", 1)[0]
        threshold = DEFAULT_THRESHOLDS.get(key)
        if threshold is None:
            continue
        if (value is None and threshold.missing_fires) or (value is not None and value > limits[key]):
            found[name] = (key, value)
    return found


class AlertBook:
    """Active alerts and their history in the control table."""

    def __init__(self, table: DynamoTable, publisher: AlertPublisher | None, profile: str) -> None:
        self.table = table
        self.publisher = publisher
        self.profile = profile

    def active(self, severity: AlertSeverity | None = None) -> list[Alert]:
        alerts = [Alert(**_fields(item)) for item in self.table.query("PK = :pk", {":pk": ALERT_PK})]
        return [a for a in alerts if a.status == "active" and (severity is None or a.severity == severity)]

    def reconcile(
        self, breached: dict[str, tuple[str, float | None]], limits: dict[str, float]
    ) -> tuple[list[Alert], list[Alert]]:
        """Raise new breaches, clear active alerts no longer breached; returns (raised, cleared)."""
        now = utc_now().isoformat()
        current = {alert.alert_id: alert for alert in self.active()}
        raised, cleared = [], []
        for alert_id, (key, value) in sorted(breached.items()):
            threshold = DEFAULT_THRESHOLDS[key]
            shown = "none" if value is None else f"{value:g}"
            message = f"{alert_id} = {shown}: " + threshold.description.format(limit=f"{limits[key]:g}")
            alert = Alert(
                alert_id=alert_id, metric=key, severity=threshold.severity, status="active", value=value,
                threshold=limits[key], message=message,
                raised_at=current[alert_id].raised_at if alert_id in current else now,
            )  # fmt: skip
            self._save(alert)
            if alert_id not in current:
                raised.append(alert)
                self._history(alert, "raised", now)
        for alert_id, alert in current.items():
            if alert_id not in breached:
                done = alert.model_copy(update={"status": "cleared", "cleared_at": now})
                self._save(done)
                self._history(done, "cleared", now)
                cleared.append(done)
        return raised, cleared

    def clear_all(self) -> list[Alert]:
        now = utc_now().isoformat()
        cleared = []
        for alert in self.active():
            done = alert.model_copy(update={"status": "cleared", "cleared_at": now})
            self._save(done)
            self._history(done, "cleared by hand", now)
            cleared.append(done)
        return cleared

    def publish(self, raised: list[Alert], cleared: list[Alert]) -> Delivery:
        """Send one notice; a failed send is returned, logged and written to the alert history, never raised: the
        alerts are already stored, and a monitoring check must not be lost because its notice was."""
        if self.publisher is None or not (raised or cleared):
            return Delivery([], [])
        worst = next((s for s in ALERT_SEVERITIES if any(a.severity == s for a in raised)), "info")
        subject = f"dataops {self.profile}: {len(raised)} alert(s) raised, {len(cleared)} cleared [{worst}]"
        body = {
            "profile": self.profile,
            "raised": [alert.model_dump() for alert in raised],
            "cleared": [alert.model_dump() for alert in cleared],
        }
        try:
            return Delivery([self.publisher.publish(subject, json.dumps(body, indent=2))], [])
        except PublishFailed as exc:
            logger.warning("alert notice not delivered", extra={"error": str(exc), "subject": subject})
            now = utc_now().isoformat()
            for alert in (*raised, *cleared):
                self._history(alert, f"notice not delivered: {exc}", now)
            return Delivery([], [str(exc)])

    def _save(self, alert: Alert) -> None:
        self.table.put({"PK": ALERT_PK, "SK": alert.alert_id, "record_type": "alert", **_storable(alert)})

    def _history(self, alert: Alert, event: str, at: str) -> None:
        expires = int(utc_now().timestamp()) + HISTORY_DAYS * 86400
        self.table.put(
            {"PK": ALERT_HISTORY_PK, "SK": f"{at}#{alert.alert_id}", "record_type": "alert_event", "event": event,
             "expires_at": expires, **_storable(alert)}
        )  # fmt: skip


def _storable(alert: Alert) -> dict[str, Any]:
    return {name: value for name, value in alert.model_dump().items() if value is not None}


def _fields(item: dict[str, Any]) -> dict[str, Any]:
    names = Alert.model_fields
    return {name: (float(value) if name in ("value", "threshold") else value)
            for name, value in item.items() if name in names}  # fmt: skip
