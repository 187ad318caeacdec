"""backup and restore in the CDK app: 900 s / 1 GB functions that read and write backups with the backup key;
only backup (retention) may delete, and only under the backup prefix.
"""

from __future__ import annotations

import json
from typing import Any

from aws_cdk.assertions import Template

from dataops import naming
from dataops.profiles import load_profile
from tests.infra.synth_support import STAGE


def _properties(template: Template, profile: str, operation: str) -> dict[str, Any]:
    name = naming.function_name(profile, STAGE, operation)
    [resource] = template.find_resources("AWS::Lambda::Function", {"Properties": {"FunctionName": name}}).values()
    properties: dict[str, Any] = dict(resource)["Properties"]
    return properties


def _statements(template: Template, role_id: str) -> list[dict[str, Any]]:
    statements: list[dict[str, Any]] = []
    for policy in template.find_resources("AWS::IAM::Policy").values():
        if {"Ref": role_id} in policy["Properties"]["Roles"]:
            statements.extend(policy["Properties"]["PolicyDocument"]["Statement"])
    return statements


def _actions(statements: list[dict[str, Any]]) -> set[str]:
    actions: set[str] = set()
    for statement in statements:
        action = statement["Action"]
        actions.update([action] if isinstance(action, str) else action)
    return actions


def test_backup_and_restore_functions_are_sized_and_may_use_the_backup_key(
    operations_template: Template, profile: str
) -> None:
    for operation in ("backup", "restore"):
        properties = _properties(operations_template, profile, operation)
        assert (properties["Timeout"], properties["MemorySize"]) == (900, 1024)
        assert properties["Environment"]["Variables"]["BACKUP_PREFIX"] == "backups"
        actions = _actions(_statements(operations_template, properties["Role"]["Fn::GetAtt"][0]))
        assert {"s3:GetObject", "s3:PutObject", "s3:ListBucket"} <= actions
        assert {"kms:GenerateDataKey", "kms:Decrypt"} <= actions
        assert {"dynamodb:Scan", "dynamodb:BatchWriteItem"} <= actions
        assert ("secretsmanager:GetSecretValue" in actions) == load_profile(profile).uses_postgres


def test_only_backup_may_delete_and_only_backups_and_exports(operations_template: Template, profile: str) -> None:
    restore = _properties(operations_template, profile, "restore")
    assert "s3:DeleteObject" not in _actions(_statements(operations_template, restore["Role"]["Fn::GetAtt"][0]))
    backup = _properties(operations_template, profile, "backup")
    deletes = [
        statement
        for statement in _statements(operations_template, backup["Role"]["Fn::GetAtt"][0])
        if "s3:DeleteObject" in statement["Action"]
    ]
    # Expired backups under backups/, and an export's old export.json under exports/ (nothing else).
    resources = json.dumps([statement["Resource"] for statement in deletes])
    assert "/backups/*" in resources and "/exports/*" in resources
    assert resources.count("/*") == 2, "deletes reach those two prefixes of the bucket and nothing else"
