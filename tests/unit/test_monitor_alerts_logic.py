"""Alert thresholds and the alert book's raise/clear transitions, with a plain fake table and publisher."""

from __future__ import annotations

import json
from typing import Any

import pytest

from dataops.errors import InvalidRequest
from dataops.operations.monitor import MONITOR, emf, emit_metrics
from dataops.operations.monitor.alerts import AlertBook, breaches


class FakeTable:
    def __init__(self) -> None:
        self.items: dict[tuple[str, str], dict] = {}

    def put(self, item: dict) -> None:
        self.items[(item["PK"], item["SK"])] = dict(item)

    def query(self, _condition: str, values: dict, **_: object):
        return [item for (pk, _sk), item in sorted(self.items.items()) if pk == values[":pk"]]


class FakePublisher:
    def __init__(self) -> None:
        self.sent: list[tuple[str, str]] = []

    def publish(self, subject: str, message: str) -> str:
        self.sent.append((subject, message))
        return f"msg-{len(self.sent)}"


LIMITS = MONITOR.parse({"action": "check"}).limits()


def test_breaches_apply_limits_per_key_and_store():
    metrics = {"response_time_ms:postgres": 2500.0, "response_time_ms:dynamodb": 10.0, "validation_errors": 0.0,
               "backup_age_hours": None, "records:dynamodb.artist": 5.0}  # fmt: skip
    assert breaches(metrics, LIMITS) == {
        "response_time_ms:postgres": ("response_time_ms", 2500.0),
        "backup_age_hours": ("backup_age_hours", None),
    }


def test_alert_raises_once_publishes_and_clears():
    table, publisher = FakeTable(), FakePublisher()
    book = AlertBook(table, publisher, "agent_system")
    raised, cleared = book.reconcile({"validation_errors": ("validation_errors", 3.0)}, LIMITS)
    assert [a.alert_id for a in raised] == ["validation_errors"] and raised[0].severity == "critical"
    book.publish(raised, cleared)
    subject, body = publisher.sent[0]
    assert "[critical]" in subject and json.loads(body)["raised"][0]["value"] == 3.0
    raised, cleared = book.reconcile({"validation_errors": ("validation_errors", 4.0)}, LIMITS)
    assert raised == [] and cleared == [] and book.active()[0].value == 4.0
    raised, cleared = book.reconcile({}, LIMITS)
    assert [a.alert_id for a in cleared] == ["validation_errors"] and book.active() == []
    events = [item["event"] for (pk, _), item in table.items.items() if pk == "ALERT_HISTORY"]
    assert sorted(events) == ["cleared", "raised"]


@pytest.mark.parametrize(
    ("payload", "hint"),
    [
        ({"action": "check", "thresholds": {"latency": 1}}, "valid: response_time_ms, error_rate"),
        ({"action": "alerts", "severity": "urgent"}, "'critical', 'warning' or 'info'"),
        ({"action": "check", "thresholds": {"error_rate": "high"}}, "thresholds.error_rate"),
    ],
)
def test_bad_monitor_requests_list_valid_values(payload, hint):
    with pytest.raises(InvalidRequest, match=hint.replace("(", r"\(")):
        MONITOR.parse(payload)


def test_metrics_are_emitted_as_emf_inside_lambda(monkeypatch):
    monkeypatch.setenv("AWS_LAMBDA_FUNCTION_NAME", "dataops-test-monitor")
    emf.clear_metrics()
    emit_metrics({"response_time_ms:postgres": 12.0, "validation_errors": 2.0, "backup_age_hours": None})
    document: dict[str, Any] = dict(emf.serialize_metric_set())
    names = {metric["Name"] for metric in document["_aws"]["CloudWatchMetrics"][0]["Metrics"]}
    assert names == {"response_time_ms_postgres", "validation_errors"}
    assert document["response_time_ms_postgres"] in (12.0, [12.0])
    emf.clear_metrics()


def test_metrics_stay_out_of_cli_output(monkeypatch, capsys):
    monkeypatch.delenv("AWS_LAMBDA_FUNCTION_NAME", raising=False)
    emf.clear_metrics()
    emit_metrics({"validation_errors": 2.0})
    assert emf.metric_set == {} and capsys.readouterr().out == ""
