"""`monitor`: check (record metrics, raise and clear alerts), report (trends), alerts, clear-alerts, test-alerts.

A check runs every health check once and reads its metrics from them: each store's response time, the error
rate (failing checks / checks, besides data validation), validation errors, pending migrations and backup age;
plus item and document counts from `status` and the DynamoDB-vs-OpenSearch inconsistency count.
"""

from __future__ import annotations

import os
import time
from typing import Any, Literal

from aws_lambda_powertools import Metrics
from aws_lambda_powertools.metrics import MetricUnit
from pydantic import Field, field_validator

from dataops.compare import compare_entity
from dataops.models import OperationRequest, OperationResult, utc_now
from dataops.operations.framework import Action, Operation, elapsed_ms, status_for
from dataops.operations.health import HealthRequest, run_health
from dataops.operations.monitor.alerts import (
    DEFAULT_THRESHOLDS,
    Alert,
    AlertBook,
    AlertPublisher,
    AlertSeverity,
    Delivery,
    SnsPublisher,
    breaches,
)
from dataops.operations.monitor.history import record_metrics, trend_report
from dataops.operations.status import StatusRequest, run_status
from dataops.stores import aws
from dataops.stores.data_stores import DataStores

# Latency of these checks is the store's response time.
STORE_CHECKS = {
    "DynamoDB table": "dynamodb",
    "PostgreSQL": "postgres",
    "OpenSearch": "opensearch",
    "Backup bucket": "s3",
}

emf = Metrics(namespace="DataOps", service="dataops")


class MonitorRequest(OperationRequest):
    action: Literal["check", "report", "alerts", "clear-alerts", "test-alerts"] = "check"
    severity: AlertSeverity | None = Field(default=None, description="alerts: only this severity.")
    thresholds: dict[str, float] = Field(default={}, description="Override alert limits by key.")
    limit: int = Field(default=100, ge=1, le=1000, description="report: the newest N checks.")
    publish: bool = Field(default=True, description="check: publish raised/cleared alerts to the SNS topic.")

    @field_validator("thresholds")
    @classmethod
    def _known_threshold_keys(cls, value: dict[str, float]) -> dict[str, float]:
        if unknown := sorted(set(value) - set(DEFAULT_THRESHOLDS)):
            raise ValueError(f"unknown threshold key(s) {unknown}; valid: {', '.join(DEFAULT_THRESHOLDS)}")
        return value

    def limits(self) -> dict[str, float]:
        return {key: self.thresholds.get(key, threshold.limit) for key, threshold in DEFAULT_THRESHOLDS.items()}


class MonitorResult(OperationResult):
    metrics: dict[str, float | None] = {}
    alerts: list[Alert] = []
    raised: list[Alert] = []
    cleared: list[Alert] = []
    report: dict[str, Any] = {}
    published: list[str] = []
    publish_errors: list[str] = Field(default=[], description="Notices that could not be sent, and why.")


def collect_metrics(stores: DataStores) -> dict[str, float | None]:
    health = run_health(HealthRequest(), stores)
    by_name = {check.name: check for check in health.checks}
    metrics: dict[str, float | None] = {
        f"response_time_ms:{store}": float(by_name[name].latency_ms)
        for name, store in STORE_CHECKS.items()
        if name in by_name
    }
    # Data validation has its own metric and threshold; the error rate is about stores and resources.
    probes = [check for check in health.checks if check.name != "Data Validation"]
    metrics["error_rate"] = sum(check.status == "fail" for check in probes) / max(1, len(probes))
    if validation := by_name.get("Data Validation"):
        metrics["validation_errors"] = float(validation.details.get("errors", 0)) if validation.details else None
    if migrations := by_name.get("Migrations"):
        metrics["pending_migrations"] = float(len(migrations.details.get("pending", [])))
    if backup := by_name.get("Backup freshness"):
        age = backup.details.get("age_hours")
        metrics["backup_age_hours"] = None if age is None else float(age)
    for row in run_status(StatusRequest(), stores).entities:
        for store in ("dynamodb", "postgres", "opensearch"):
            count = getattr(row, store)
            if count is not None:
                metrics[f"records:{store}.{row.entity}"] = float(count)
    if stores.profile.uses_opensearch:
        metrics["inconsistencies"] = float(
            sum(1 for entity, _ in stores.profile.search_indexes() for _ in compare_entity(stores, entity))
        )
    return metrics


def emit_metrics(metrics: dict[str, float | None]) -> None:
    """CloudWatch EMF through Powertools; the Lambda handler's log_metrics flushes them. Outside Lambda the
    history in the control table is the record, and nothing is printed into the CLI's output."""
    if "AWS_LAMBDA_FUNCTION_NAME" not in os.environ:
        return
    for name, value in metrics.items():
        if value is not None:
            unit = MetricUnit.Milliseconds if name.startswith("response_time") else MetricUnit.Count
            emf.add_metric(name=name.replace(":", "_").replace(".", "_"), unit=unit, value=value)


def run_monitor(request: MonitorRequest, stores: DataStores, publisher: AlertPublisher | None = None) -> MonitorResult:
    started_at, started = utc_now(), time.monotonic()
    if publisher is None:
        publisher = SnsPublisher(aws.client(stores.settings, "sns"), stores.settings.resolved_alert_topic_arn())
    book = AlertBook(stores.control, publisher, stores.profile.name)
    fields: dict[str, Any] = {}
    if request.action == "check":
        metrics = collect_metrics(stores)
        emit_metrics(metrics)
        breached = breaches(metrics, request.limits())
        fields["metrics"] = metrics
        if request.dry_run:
            fields["details"] = {"would_alert": sorted(breached)}
        else:
            fields["details"] = {"recorded": record_metrics(stores.control, metrics)}
            raised, cleared = book.reconcile(breached, request.limits())
            fields.update(raised=raised, cleared=cleared, alerts=book.active())
            if request.publish:
                _delivered(fields, book.publish(raised, cleared))
    elif request.action == "report":
        fields["report"] = trend_report(stores.control, request.limit)
    elif request.action == "alerts":
        fields["alerts"] = book.active(request.severity)
    elif request.action == "clear-alerts":
        active = book.active()
        fields["cleared"] = active if request.dry_run else book.clear_all()
    else:
        test = Alert(
            alert_id="test", metric="test", severity="info", status="active", value=None, threshold=0,
            message="dataops test alert: the alert topic delivers", raised_at=started_at.isoformat(),
        )  # fmt: skip
        if not request.dry_run:
            _delivered(fields, book.publish([test], []))
    alerts = fields.get("alerts", [])
    return MonitorResult(
        operation="monitor",
        action=request.action,
        status=status_for(request),
        profile=stores.profile.name,
        started_at=started_at,
        duration_ms=elapsed_ms(started),
        counts={
            "active_alerts": len(alerts),
            "raised": len(fields.get("raised", [])),
            "cleared": len(fields.get("cleared", [])),
        },
        **fields,
    )


def _delivered(fields: dict[str, Any], delivery: Delivery) -> None:
    fields["published"] = delivery.message_ids
    if delivery.errors:
        fields["publish_errors"] = delivery.errors
        fields["warnings"] = [f"alert notice not delivered: {error}" for error in delivery.errors]


MONITOR = Operation(name="monitor", result_model=MonitorResult, actions=(Action(MonitorRequest, run_monitor),))
