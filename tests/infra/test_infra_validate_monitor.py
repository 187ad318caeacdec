"""validate, monitor and maintenance: deployed with least-privilege grants, the alert topic by name, a schedule."""

from __future__ import annotations

import json
from typing import Any

from aws_cdk.assertions import Template

from dataops import naming
from tests.infra.synth_support import STAGE


def _function(template: Template, profile: str, operation: str) -> tuple[str, dict[str, Any]]:
    name = naming.function_name(profile, STAGE, operation)
    [(logical_id, resource)] = template.find_resources(
        "AWS::Lambda::Function", {"Properties": {"FunctionName": name}}
    ).items()
    return logical_id, dict(resource)["Properties"]


def _statements(template: Template, properties: dict[str, Any]) -> list[dict[str, Any]]:
    role_id = properties["Role"]["Fn::GetAtt"][0]
    return [
        statement
        for policy in template.find_resources("AWS::IAM::Policy").values()
        if {"Ref": role_id} in policy["Properties"]["Roles"]
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]
    ]


def _actions(statements: list[dict[str, Any]]) -> set[str]:
    found: set[str] = set()
    for statement in statements:
        action = statement["Action"]
        found.update([action] if isinstance(action, str) else action)
    return found


def _topic_arn_text(value: Any) -> str:
    return json.dumps(value)


def test_validate_writes_only_reports_and_reads_bucket_security(operations_template: Template, profile: str) -> None:
    _, properties = _function(operations_template, profile, "validate")
    assert properties["Timeout"] == 900
    statements = _statements(operations_template, properties)
    actions = _actions(statements)
    assert {"dynamodb:BatchWriteItem", "s3:PutObject", "s3:GetBucketPublicAccessBlock"} <= actions
    assert "s3:DeleteObject" not in actions
    puts = [s for s in statements if "s3:PutObject" in _actions([s])]
    assert puts and all("reports/validation/*" in json.dumps(s["Resource"]) for s in puts)


def test_monitor_publishes_to_the_alert_topic_named_by_convention(operations_template: Template, profile: str) -> None:
    _, properties = _function(operations_template, profile, "monitor")
    topic = naming.alert_topic_name(profile, STAGE)
    assert topic in _topic_arn_text(properties["Environment"]["Variables"]["ALERT_TOPIC_ARN"])
    [publish] = [s for s in _statements(operations_template, properties) if "sns:Publish" in _actions([s])]
    assert topic in _topic_arn_text(publish["Resource"])


def test_maintenance_may_expire_backups(operations_template: Template, profile: str) -> None:
    _, properties = _function(operations_template, profile, "maintenance")
    deletes = [s for s in _statements(operations_template, properties) if "s3:DeleteObject" in _actions([s])]
    assert deletes and all("backups/*" in json.dumps(s["Resource"]) for s in deletes)


def test_monitor_check_runs_on_a_schedule(operations_template: Template, profile: str) -> None:
    monitor_id, _ = _function(operations_template, profile, "monitor")
    rules = operations_template.find_resources("AWS::Events::Rule").values()
    [rule] = [r["Properties"] for r in rules if r["Properties"]["Name"].endswith("-monitor-schedule")]
    assert rule["ScheduleExpression"] == "rate(5 minutes)"
    [target] = rule["Targets"]
    assert json.loads(target["Input"]) == {"action": "check"}
    assert target["Arn"] == {"Fn::GetAtt": [monitor_id, "Arn"]}
