"""Operations stack: one function per deployed operation, each with its own role and logs, and the schedule."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from aws_cdk.assertions import Template

from dataops import naming
from dataops.profiles import load_profile
from dataops.registry import DEPLOYED_OPERATIONS
from infra.config import DEFAULT_SIZING, OPERATION_SIZING
from tests.infra.synth_support import STAGE, functions_for

COMMON_ENVIRONMENT = {
    "DATAOPS_STAGE": STAGE,
    "DATAOPS_TARGET": "local",
    "BACKUP_PREFIX": "backups",
    "POWERTOOLS_SERVICE_NAME": "dataops",
    "POWERTOOLS_METRICS_NAMESPACE": "DataOps",
    "LOG_LEVEL": "INFO",
    "POWERTOOLS_TRACE_DISABLED": "true",
}
STORE_VARIABLES = ("DYNAMODB_TABLE_NAME", "DATAOPS_CONTROL_TABLE", "BACKUP_BUCKET", "BACKUP_KMS_KEY_ID")
WRITE_ACTIONS = {"dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem", "dynamodb:BatchWriteItem"}


@dataclass(frozen=True)
class DeployedFunction:
    logical_id: str
    properties: dict[str, Any]

    @property
    def role_id(self) -> str:
        role_id: str = self.properties["Role"]["Fn::GetAtt"][0]
        return role_id

    @property
    def variables(self) -> dict[str, Any]:
        variables: dict[str, Any] = self.properties["Environment"]["Variables"]
        return variables


def _functions(template: Template, profile: str) -> dict[str, DeployedFunction]:
    """Keyed by operation, so a missing or extra function shows up as a different key set."""
    prefix = f"{naming.resource_prefix(profile, STAGE)}-"
    found = template.find_resources("AWS::Lambda::Function")
    return {
        dict(r)["Properties"]["FunctionName"].removeprefix(prefix): DeployedFunction(logical_id, dict(r)["Properties"])
        for logical_id, r in found.items()
    }


def _policy_actions(template: Template, role_id: str) -> set[str]:
    actions: set[str] = set()
    for policy in template.find_resources("AWS::IAM::Policy").values():
        if {"Ref": role_id} in policy["Properties"]["Roles"]:
            for statement in policy["Properties"]["PolicyDocument"]["Statement"]:
                action = statement["Action"]
                actions.update([action] if isinstance(action, str) else action)
    return actions


def test_one_function_per_operation_on_the_shared_layer(operations_template: Template, profile: str) -> None:
    functions = _functions(operations_template, profile)
    assert set(functions) == set(functions_for(profile))
    (layer_id,) = operations_template.find_resources(
        "AWS::Lambda::LayerVersion",
        {"Properties": {"CompatibleRuntimes": ["python3.12"], "CompatibleArchitectures": ["x86_64"]}},
    )
    for operation, function in functions.items():
        properties = function.properties
        assert properties["Runtime"] == "python3.12"
        assert properties["Architectures"] == ["x86_64"]
        assert properties["Handler"] == "handler.lambda_handler"
        assert (properties["Timeout"], properties["MemorySize"]) == OPERATION_SIZING.get(operation, DEFAULT_SIZING)
        assert properties["TracingConfig"] == {"Mode": "Active"}
        assert properties["Layers"] == [{"Ref": layer_id}]


def test_functions_get_the_runtime_environment_of_their_profile(operations_template: Template, profile: str) -> None:
    app_profile = load_profile(profile)
    for function in _functions(operations_template, profile).values():
        variables = function.variables
        assert variables["DATAOPS_PROFILE"] == profile
        assert COMMON_ENVIRONMENT.items() <= variables.items()
        assert all(variables.get(name) for name in STORE_VARIABLES)
        assert ("POSTGRES_SECRET_ARN" in variables) == app_profile.uses_postgres
        if app_profile.uses_opensearch:
            assert variables["OPENSEARCH_ENDPOINT"] == "http://127.0.0.1:9200"
            assert variables["OPENSEARCH_INDEX"] == f"artists-{STAGE}"
        else:
            assert "OPENSEARCH_ENDPOINT" not in variables
            assert "OPENSEARCH_INDEX" not in variables


def test_each_function_logs_to_its_own_group_with_retention(operations_template: Template, profile: str) -> None:
    groups = operations_template.find_resources("AWS::Logs::LogGroup")
    by_name = {group["Properties"]["LogGroupName"]: logical_id for logical_id, group in groups.items()}
    for function in _functions(operations_template, profile).values():
        logical_id = by_name[f"/aws/lambda/{function.properties['FunctionName']}"]
        assert groups[logical_id]["Properties"]["RetentionInDays"] == 30
        assert groups[logical_id]["DeletionPolicy"] == "Delete"
        assert function.properties["LoggingConfig"] == {"LogGroup": {"Ref": logical_id}}


def test_each_function_has_its_own_role_without_managed_policies(operations_template: Template, profile: str) -> None:
    roles = operations_template.find_resources("AWS::IAM::Role")
    functions = _functions(operations_template, profile)
    assert {function.role_id for function in functions.values()} == set(roles)
    assert len(roles) == len(functions)
    for role in roles.values():
        assert "ManagedPolicyArns" not in role["Properties"]
        (statement,) = role["Properties"]["AssumeRolePolicyDocument"]["Statement"]
        assert statement["Principal"] == {"Service": "lambda.amazonaws.com"}


def test_health_may_record_history_but_status_only_reads(operations_template: Template, profile: str) -> None:
    functions = _functions(operations_template, profile)
    health = _policy_actions(operations_template, functions["health"].role_id)
    status = _policy_actions(operations_template, functions["status"].role_id)
    assert {"dynamodb:DescribeTable", "dynamodb:PutItem", "s3:GetObject", "s3:ListBucket", "kms:DescribeKey"} <= health
    assert {"dynamodb:Query", "dynamodb:GetItem", "s3:ListBucket"} <= status
    assert not status & (WRITE_ACTIONS | {"s3:GetObject", "s3:PutObject"})
    reads_secret = "secretsmanager:GetSecretValue"
    assert (reads_secret in health) == (reads_secret in status) == load_profile(profile).uses_postgres


def test_health_schedule_asks_for_a_recorded_check_at_the_configured_rate(
    operations_template: Template, profile: str
) -> None:
    rules = operations_template.find_resources("AWS::Events::Rule").values()
    [properties] = [r["Properties"] for r in rules if r["Properties"]["Name"].endswith("-health-schedule")]
    assert properties["Name"] == f"{naming.resource_prefix(profile, STAGE)}-health-schedule"
    assert properties["ScheduleExpression"] == "rate(15 minutes)"
    assert properties["State"] == "ENABLED"
    (target,) = properties["Targets"]
    assert json.loads(target["Input"]) == {"action": "check", "record": True}
    health_id = _functions(operations_template, profile)["health"].logical_id
    assert target["Arn"] == {"Fn::GetAtt": [health_id, "Arn"]}
    operations_template.has_resource_properties(
        "AWS::Lambda::Permission",
        {"Principal": "events.amazonaws.com", "FunctionName": {"Fn::GetAtt": [health_id, "Arn"]}},
    )


def test_function_names_are_stack_outputs(operations_template: Template, profile: str) -> None:
    outputs = operations_template.find_outputs("*").values()
    values = {output["Value"] for output in outputs if isinstance(output["Value"], str)}
    assert {naming.function_name(profile, STAGE, op) for op in DEPLOYED_OPERATIONS} <= values


def test_search_indexes_are_provisioned_at_deploy_only_where_the_profile_has_them(
    operations_template: Template, profile: str
) -> None:
    resources = operations_template.find_resources("Custom::DataOpsSearchIndexes")
    if profile == "agent_system":
        assert resources == {}
        return
    [(_, resource)] = resources.items()
    provision = _functions(operations_template, profile)["provision"]
    assert resource["Properties"]["ServiceToken"] == {"Fn::GetAtt": [provision.logical_id, "Arn"]}
    assert len(resource["Properties"]["MappingsHash"]) == 64
