"""monitor on real stores: metrics history, alerts crossing and clearing, SNS delivery read from a subscribed queue."""

from __future__ import annotations

import json
import time

import pytest

from dataops import naming
from dataops.errors import InvalidRequest
from dataops.operations.monitor import MONITOR
from dataops.records import item_for
from dataops.stores import aws

pytestmark = pytest.mark.integration
NOW = "2025-01-01T00:00:00+00:00"


@pytest.fixture(scope="module")
def monitored(provisioned):
    """agent_system stores plus the alert topic (by its agreed name) with an SQS queue subscribed to it."""
    stores = provisioned("agent_system")
    sns, sqs = aws.client(stores.settings, "sns"), aws.client(stores.settings, "sqs")
    topic_arn = sns.create_topic(Name=naming.alert_topic_name(stores.profile.name, stores.settings.stage))["TopicArn"]
    assert topic_arn == stores.settings.resolved_alert_topic_arn()
    queue_url = sqs.create_queue(QueueName=f"alerts-{stores.settings.stage}")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    sns.subscribe(TopicArn=topic_arn, Protocol="sqs", Endpoint=queue_arn, Attributes={"RawMessageDelivery": "true"})
    yield stores, sqs, queue_url
    sqs.delete_queue(QueueUrl=queue_url)
    sns.delete_topic(TopicArn=topic_arn)


def received(sqs, queue_url, wanted: int = 1) -> list[dict]:
    messages: list[dict] = []
    deadline = time.monotonic() + 10
    while len(messages) < wanted and time.monotonic() < deadline:
        batch = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=1).get("Messages", [])
        for message in batch:
            sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"])
            body = json.loads(message["Body"])
            messages.append(json.loads(body["Message"]) if "Message" in body and "TopicArn" in body else body)
    return messages


def monitor(stores, **payload):
    return MONITOR.run(MONITOR.parse(payload), stores)


def orphan_member(stores):
    """A roster row whose team does not exist: a validation error."""
    record = {"team_id": "gone", "member_id": "m1", "persona_id": "p1", "display_name": "Ada",
              "email": "ada@example.com", "role": "lead", "created_at": NOW, "updated_at": NOW}  # fmt: skip
    return item_for(stores.profile, stores.profile.entity("team_member"), record)


def test_validation_alert_crosses_publishes_and_clears(monitored):
    stores, sqs, queue_url = monitored
    calm = monitor(stores, action="check")
    assert calm.metrics["validation_errors"] == 0 and calm.metrics["error_rate"] == 0
    assert "validation_errors" not in {alert.alert_id for alert in calm.alerts}
    received(sqs, queue_url, wanted=1)  # the missing backup raises its own alert on the first check

    item = orphan_member(stores)
    stores.table.batch_write([item])
    hot = monitor(stores, action="check")
    assert hot.metrics["validation_errors"] >= 1
    raised = {alert.alert_id: alert for alert in hot.raised}
    assert set(raised) == {"validation_errors"} and raised["validation_errors"].severity == "critical"
    [notice] = received(sqs, queue_url)
    assert {alert["alert_id"] for alert in notice["raised"]} == set(raised)

    again = monitor(stores, action="check")
    assert again.raised == [] and again.published == []  # still active: no repeat notice
    assert {a.alert_id for a in monitor(stores, action="alerts", severity="critical").alerts} == {"validation_errors"}

    stores.table.batch_delete([{"PK": item["PK"], "SK": item["SK"]}])
    cooled = monitor(stores, action="check")
    assert {alert.alert_id for alert in cooled.cleared} == {"validation_errors"}
    [notice] = received(sqs, queue_url)
    assert [alert["alert_id"] for alert in notice["cleared"]] == ["validation_errors"]
    assert "validation_errors" not in {alert.alert_id for alert in monitor(stores, action="alerts").alerts}


def test_configurable_threshold_and_clear_alerts(monitored):
    stores, _, _ = monitored
    slow = monitor(stores, action="check", thresholds={"response_time_ms": -1}, publish=False)
    assert {"response_time_ms:dynamodb", "response_time_ms:postgres"} <= {a.alert_id for a in slow.raised}
    dry = monitor(stores, action="clear-alerts", dry_run=True)
    assert dry.cleared and monitor(stores, action="alerts").alerts
    cleared = monitor(stores, action="clear-alerts")
    assert cleared.cleared and monitor(stores, action="alerts").alerts == []


def test_test_alert_is_delivered(monitored):
    stores, sqs, queue_url = monitored
    result = monitor(stores, action="test-alerts")
    assert len(result.published) == 1
    [notice] = received(sqs, queue_url)
    assert notice["raised"][0]["alert_id"] == "test"


def test_report_gives_min_median_max_over_history(monitored):
    stores, _, _ = monitored
    for _ in range(3):
        monitor(stores, action="check", publish=False)
    report = monitor(stores, action="report", limit=3).report
    assert report["checks"] == 3
    latency = report["metrics"]["response_time_ms:dynamodb"]
    assert latency["min"] <= latency["median"] <= latency["max"] and latency["samples"] == 3
    assert report["metrics"]["records:dynamodb.team_member"]["max"] >= 0


def test_dry_run_check_records_and_publishes_nothing(monitored):
    stores, sqs, queue_url = monitored
    before = list(stores.control.scan())
    result = monitor(stores, action="check", dry_run=True, thresholds={"response_time_ms": -1})
    assert result.details["would_alert"] and result.raised == []
    assert len(list(stores.control.scan())) == len(before) and received(sqs, queue_url, wanted=0) == []


@pytest.mark.parametrize(
    ("payload", "field", "hint"),
    [
        ({"action": "check", "thresholds": {"latency": 5}}, "thresholds", "response_time_ms"),
        ({"action": "alerts", "severity": "urgent"}, "severity", "'critical', 'warning' or 'info'"),
        ({"action": "watch"}, "action", "'check'"),
    ],
)
def test_bad_input_lists_valid_values(payload, field, hint):
    with pytest.raises(InvalidRequest) as caught:
        MONITOR.parse(payload)
    assert field in caught.value.message and hint in caught.value.message


def test_check_without_the_alert_topic_records_everything_and_reports_the_failed_notice(provisioned):
    """No SNS topic under the agreed name: the check still records its metrics and alerts; the notice that could
    not be sent is in publish_errors (naming the topic) and in the alert history, and nothing raises."""
    stores = provisioned("agent_system")
    topic_arn = stores.settings.resolved_alert_topic_arn()
    sns = aws.client(stores.settings, "sns")
    assert topic_arn not in {topic["TopicArn"] for topic in sns.list_topics()["Topics"]}

    result = monitor(stores, action="check")
    assert result.raised and result.published == []
    [error] = result.publish_errors
    assert topic_arn in error and "NotFound" in error
    assert any("not delivered" in warning for warning in result.warnings)
    assert {alert.alert_id for alert in monitor(stores, action="alerts").alerts} == {a.alert_id for a in result.raised}
    assert monitor(stores, action="report").report["checks"] == 1
    history = stores.control.query("PK = :pk", {":pk": "ALERT_HISTORY"})
    assert {item["alert_id"] for item in history if item["event"].startswith("notice not delivered")} == {
        alert.alert_id for alert in result.raised
    }

    test = monitor(stores, action="test-alerts")
    assert test.published == [] and topic_arn in test.publish_errors[0]
