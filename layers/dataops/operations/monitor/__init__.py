"""`monitor`: check (record metrics, raise and clear alerts), report (trends), alerts, clear-alerts, test-alerts.

A check runs every health check once and reads its metrics from them: each store's response time, the error
rate (failing checks / checks, besides data validation), validation errors, pending migrations and backup age;
plus PostgreSQL and OpenSearch counts from `status`, and from a random sample of the table (`sampling`) its
per-entity item counts and the DynamoDB-vs-OpenSearch inconsistencies it finds, so a check never reads it all.
"""

from __future__ import annotations

import os
import random
from typing import Any

from aws_lambda_powertools import Metrics
from aws_lambda_powertools.metrics import MetricUnit

from dataops.models import utc_now
from dataops.operations.framework import Action, Operation
from dataops.operations.health import HealthRequest, run_health
from dataops.operations.monitor.alerts import Alert, AlertBook, Delivery, breaches
from dataops.operations.monitor.history import record_metrics, trend_report
from dataops.operations.monitor.models import (
    CheckMetrics,
    ClearAlerts,
    ListAlerts,
    MonitorOutput,
    MonitorRequest,
    MonitorResult,
    SendTestAlert,
    TrendReport,
)
from dataops.operations.monitor.sampling import sample_stores
from dataops.operations.status import StatusRequest, run_status
from dataops.stores.data_stores import DataStores

# Latency of these checks is the store's response time.
STORE_CHECKS = {
    "DynamoDB table": "dynamodb",
    "PostgreSQL": "postgres",
    "OpenSearch": "opensearch",
    "Backup bucket": "s3",
}

emf = Metrics(namespace="DataOps", service="dataops")
MetricValues = dict[str, float | None]


def collect_metrics(stores: DataStores, rng: random.Random | None = None) -> tuple[MetricValues, dict[str, Any]]:
    """The metrics of one check, and what its data sample read (`sampling` says why it is a sample)."""
    health = run_health(HealthRequest(), stores)
    by_name = {check.name: check for check in health.checks}
    metrics: MetricValues = {
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
    for row in run_status(StatusRequest(count_dynamodb=False), stores).entities:
        for store in ("postgres", "opensearch"):
            count = getattr(row, store)
            if count is not None:
                metrics[f"records:{store}.{row.entity}"] = float(count)
    return metrics, _sampled_metrics(stores, metrics, rng or random.Random())  # noqa: S311 - picks a sample, not a secret


def _sampled_metrics(stores: DataStores, metrics: MetricValues, rng: random.Random) -> dict[str, Any]:
    if not stores.profile.uses_dynamodb:
        return {}
    indexed = [entity for entity, _ in stores.profile.search_indexes() if entity.dynamodb is not None]
    sample = sample_stores(stores, indexed, rng)
    for entity in stores.profile.entities_in("dynamodb"):
        metrics[f"records:dynamodb.{entity.name}"] = float(sample.estimated_count(entity.name))
    if stores.profile.uses_opensearch:
        metrics["inconsistencies"] = float(sample.differing())
    return sample.details()


def emit_metrics(metrics: dict[str, float | None]) -> None:
    """CloudWatch EMF through Powertools; the Lambda handler's log_metrics flushes them. Outside Lambda the
    history in the control table is the record, and nothing is printed into the CLI's output."""
    if "AWS_LAMBDA_FUNCTION_NAME" not in os.environ:
        return
    for name, value in metrics.items():
        if value is not None:
            unit = MetricUnit.Milliseconds if name.startswith("response_time") else MetricUnit.Count
            emf.add_metric(name=name.replace(":", "_").replace(".", "_"), unit=unit, value=value)


def alert_book(stores: DataStores) -> AlertBook:
    return AlertBook(stores.control, stores.alert_topic, stores.profile.name)


def delivered(output: MonitorOutput, delivery: Delivery) -> None:
    """A notice that could not be sent is said, not raised: the metrics and alerts are already stored."""
    output.published = delivery.message_ids
    output.publish_errors = delivery.errors
    output.warnings = [f"alert notice not delivered: {error}" for error in delivery.errors]


def check(request: CheckMetrics, stores: DataStores) -> MonitorOutput:
    metrics, sample = collect_metrics(stores)
    emit_metrics(metrics)
    limits = request.limits()
    breached = breaches(metrics, limits)
    if request.dry_run:
        details = {"would_alert": sorted(breached), "sample": sample}
        return MonitorOutput(metrics=metrics, details=details).with_alert_counts()
    book = alert_book(stores)
    recorded = record_metrics(stores.control, metrics)
    output = MonitorOutput(metrics=metrics, details={"recorded": recorded, "sample": sample})
    output.raised, output.cleared = book.reconcile(breached, limits)
    output.alerts = book.active()
    if request.publish:
        delivered(output, book.publish(output.raised, output.cleared))
    return output.with_alert_counts()


def report(request: TrendReport, stores: DataStores) -> MonitorOutput:
    return MonitorOutput(report=trend_report(stores.control, request.limit)).with_alert_counts()


def list_alerts(request: ListAlerts, stores: DataStores) -> MonitorOutput:
    return MonitorOutput(alerts=alert_book(stores).active(request.severity)).with_alert_counts()


def clear_alerts(request: ClearAlerts, stores: DataStores) -> MonitorOutput:
    book = alert_book(stores)
    return MonitorOutput(cleared=book.active() if request.dry_run else book.clear_all()).with_alert_counts()


def send_test_alert(request: SendTestAlert, stores: DataStores) -> MonitorOutput:
    output = MonitorOutput()
    if not request.dry_run:
        test = Alert(
            alert_id="test", metric="test", severity="info", status="active", value=None, threshold=0,
            message="dataops test alert: the alert topic delivers", raised_at=utc_now().isoformat(),
        )  # fmt: skip
        delivered(output, alert_book(stores).publish([test], []))
    return output.with_alert_counts()


# Monitoring writes only its own metric history and alert state in the control table, never the data: no action
# takes the mutation lock or leaves an audit record, so a scheduled check is never refused while a restore runs.
MONITOR: Operation[Any, MonitorResult] = Operation(
    name="monitor",
    result_model=MonitorResult,
    actions=(
        Action(CheckMetrics, check),
        Action(TrendReport, report),
        Action(ListAlerts, list_alerts),
        Action(ClearAlerts, clear_alerts),
        Action(SendTestAlert, send_test_alert),
    ),
    default_action="check",
)

__all__ = ["MONITOR", "MonitorOutput", "MonitorRequest", "MonitorResult", "collect_metrics", "emf", "emit_metrics"]
