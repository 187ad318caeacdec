"""Sync in the CDK app: the sync function's grants, and the stream function fed by the data table's stream."""

from __future__ import annotations

from typing import Any

from aws_cdk.assertions import Template

from dataops import naming
from tests.infra.synth_support import STAGE


def _function(template: Template, profile: str, operation: str) -> tuple[str, dict[str, Any]] | None:
    name = naming.function_name(profile, STAGE, operation)
    found = template.find_resources("AWS::Lambda::Function", {"Properties": {"FunctionName": name}})
    return next(((logical_id, dict(resource)["Properties"]) for logical_id, resource in found.items()), None)


def _statements(template: Template, role_id: str) -> list[dict[str, Any]]:
    return [
        statement
        for policy in template.find_resources("AWS::IAM::Policy").values()
        if {"Ref": role_id} in policy["Properties"]["Roles"]
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]
    ]


def _actions(statements: list[dict[str, Any]]) -> set[str]:
    actions: set[str] = set()
    for statement in statements:
        action = statement["Action"]
        actions.update([action] if isinstance(action, str) else action)
    return actions


def test_sync_may_write_items_sync_points_and_the_control_table(operations_template: Template, profile: str) -> None:
    found = _function(operations_template, profile, "sync")
    assert found is not None
    _, properties = found
    assert (properties["Timeout"], properties["MemorySize"]) == (900, 1024)
    statements = _statements(operations_template, properties["Role"]["Fn::GetAtt"][0])
    actions = _actions(statements)
    assert {
        "dynamodb:Scan",
        "dynamodb:BatchWriteItem",
        "dynamodb:DeleteItem",
        "s3:PutObject",
        "s3:GetObject",
    } <= actions
    assert {"kms:GenerateDataKey", "kms:Decrypt"} <= actions
    assert "s3:DeleteObject" not in actions and "dynamodb:DeleteTable" not in actions
    s3_objects = [s for s in statements if "s3:PutObject" in _actions([s])]
    assert all("sync-points/*" in str(s["Resource"]) for s in s3_objects)


def test_stream_function_is_fed_by_the_data_table_stream_only_with_search_indexes(
    operations_template: Template, profile: str
) -> None:
    found = _function(operations_template, profile, naming.STREAM_SYNC_FUNCTION)
    mappings = operations_template.find_resources("AWS::Lambda::EventSourceMapping")
    if profile == "agent_system":
        assert found is None and mappings == {}
        return
    assert found is not None
    logical_id, properties = found
    [(_, mapping)] = mappings.items()
    mapping_properties = mapping["Properties"]
    assert mapping_properties["FunctionName"] == {"Ref": logical_id}
    assert mapping_properties["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    assert mapping_properties["StartingPosition"] == "TRIM_HORIZON"
    assert mapping_properties["BisectBatchOnFunctionError"] is True
    assert "StreamArn" in str(mapping_properties["EventSourceArn"])
    # A record given up on after every retry is kept (its shard and sequence numbers) in an encrypted queue.
    ((queue_id, queue),) = operations_template.find_resources("AWS::SQS::Queue").items()
    assert mapping_properties["DestinationConfig"] == {"OnFailure": {"Destination": {"Fn::GetAtt": [queue_id, "Arn"]}}}
    assert queue["Properties"]["SqsManagedSseEnabled"] is True
    assert queue["Properties"]["MessageRetentionPeriod"] == 14 * 24 * 3600
    actions = _actions(_statements(operations_template, properties["Role"]["Fn::GetAtt"][0]))
    assert {"dynamodb:GetRecords", "dynamodb:GetShardIterator", "dynamodb:DescribeStream"} <= actions
    assert not actions & {"dynamodb:PutItem", "dynamodb:BatchWriteItem", "dynamodb:DeleteItem"}
    assert {"sqs:SendMessage"} <= actions
