"""One deployed operation: its function, its own role with exactly its grants, and its own log group."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path

from aws_cdk import Duration, RemovalPolicy
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from constructs import Construct

from infra.constructs.acknowledge import acknowledge
from infra.constructs.operation_grants import Grant, GrantTargets

HANDLER = "handler.lambda_handler"
# Bytecode compiled by whichever interpreter ran the tests would only be stale weight in the asset.
BYTECODE = ["__pycache__", "*.pyc"]


class OperationFunction(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        function_name: str,
        code_dir: Path,
        layer: lambda_.ILayerVersion,
        environment: Mapping[str, str],
        log_retention: logs.RetentionDays,
        removal_policy: RemovalPolicy,
        grants: Iterable[Grant],
        grant_targets: GrantTargets,
        timeout_seconds: int = 60,
        memory_mb: int = 512,
    ) -> None:
        super().__init__(scope, construct_id)
        self.log_group = logs.LogGroup(
            self,
            "Logs",
            log_group_name=f"/aws/lambda/{function_name}",
            retention=log_retention,
            removal_policy=removal_policy,
        )
        self.role = iam.Role(
            self,
            "Role",
            assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"),
            description=f"{function_name}: only the grants this operation needs",
        )
        # Writing to its own log group replaces the broader AWSLambdaBasicExecutionRole managed policy.
        self.log_group.grant_write(self.role)
        for grant in grants:
            grant(self.role, grant_targets)
        self.function = lambda_.Function(
            self,
            "Function",
            function_name=function_name,
            runtime=lambda_.Runtime.PYTHON_3_12,
            architecture=lambda_.Architecture.X86_64,
            handler=HANDLER,
            code=lambda_.Code.from_asset(str(code_dir), exclude=BYTECODE),
            layers=[layer],
            timeout=Duration.seconds(timeout_seconds),
            memory_size=memory_mb,
            tracing=lambda_.Tracing.ACTIVE,
            log_group=self.log_group,
            role=self.role,
            environment=dict(environment),
        )
        acknowledge(
            self.role,
            "AwsSolutions-IAM5[Resource::*]",
            "Active tracing needs xray:PutTraceSegments and xray:PutTelemetryRecords, "
            "which support no resource-level permissions.",
        )
        acknowledge(
            self.function,
            "AwsSolutions-L1",
            "The shared layer's binary wheels (pydantic-core, psycopg2, zstandard) are built for python3.12, "
            "so the function stays on the runtime the layer targets.",
        )
