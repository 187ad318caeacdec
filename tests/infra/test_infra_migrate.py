"""migrate in the CDK app: a 900 s / 1 GB function that may change items and history, read the PostgreSQL
secret where the profile has PostgreSQL, and nothing about backups.
"""

from __future__ import annotations

from typing import Any

from aws_cdk.assertions import Template

from dataops import naming
from dataops.profiles import load_profile
from tests.infra.synth_support import STAGE


def _properties(template: Template, profile: str) -> dict[str, Any]:
    name = naming.function_name(profile, STAGE, "migrate")
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


def test_migrate_function_may_change_items_and_history_but_not_backups(
    operations_template: Template, profile: str
) -> None:
    properties = _properties(operations_template, profile)
    assert (properties["Timeout"], properties["MemorySize"]) == (900, 1024)
    assert properties["Handler"].endswith("lambda_handler")
    actions = _actions(operations_template, properties["Role"]["Fn::GetAtt"][0])
    assert {"dynamodb:Scan", "dynamodb:BatchWriteItem", "dynamodb:Query", "dynamodb:PutItem"} <= actions
    assert ("secretsmanager:GetSecretValue" in actions) == load_profile(profile).uses_postgres
    assert not {a for a in actions if a.startswith("s3:")} - {"s3:ListBucket"}
    assert "dynamodb:DeleteTable" not in actions and "kms:Decrypt" not in actions
