"""seed and reset in the CDK app: 900 s / 1 GB functions that write data and the control table; only reset may
write backups (snapshots), and neither may delete a backup or a table.
"""

from __future__ import annotations

from typing import Any

import pytest
from aws_cdk.assertions import Template

from dataops import naming
from dataops.profiles import load_profile
from tests.infra.synth_support import STAGE


def _function(template: Template, profile: str, operation: str) -> dict[str, Any]:
    name = naming.function_name(profile, STAGE, operation)
    [resource] = template.find_resources("AWS::Lambda::Function", {"Properties": {"FunctionName": name}}).values()
    properties: dict[str, Any] = dict(resource)["Properties"]
    return properties


def _actions(template: Template, role_id: str) -> set[str]:
    actions: set[str] = set()
    for policy in template.find_resources("AWS::IAM::Policy").values():
        if {"Ref": role_id} in policy["Properties"]["Roles"]:
            for statement in policy["Properties"]["PolicyDocument"]["Statement"]:
                action = statement["Action"]
                actions.update([action] if isinstance(action, str) else action)
    return actions


@pytest.mark.parametrize("operation", ["seed", "reset"])
def test_seed_and_reset_functions_write_data_but_never_delete_backups(
    operations_template: Template, profile: str, operation: str
) -> None:
    properties = _function(operations_template, profile, operation)
    assert (properties["Timeout"], properties["MemorySize"]) == (900, 1024)
    assert properties["Handler"] == "handler.lambda_handler"
    actions = _actions(operations_template, properties["Role"]["Fn::GetAtt"][0])
    assert {"dynamodb:BatchGetItem", "dynamodb:BatchWriteItem", "dynamodb:Scan", "dynamodb:PutItem"} <= actions
    assert ("secretsmanager:GetSecretValue" in actions) == load_profile(profile).uses_postgres
    assert "s3:DeleteObject" not in actions and "dynamodb:DeleteTable" not in actions
    s3_writes = {"s3:PutObject"} & actions
    assert bool(s3_writes) == (operation == "reset")
