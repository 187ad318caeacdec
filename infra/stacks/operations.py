"""Operations: the shared layer, one function per deployed operation, and the health schedule."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from aws_cdk import CfnOutput, CustomResource, RemovalPolicy, Stack
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from dataops import naming, registry
from infra.config import DEFAULT_SIZING, LOG_RETENTION_CHOICES, OPERATION_SIZING, DeploymentConfig
from infra.constructs.operation_function import BYTECODE, OperationFunction
from infra.constructs.operation_grants import GrantTargets, grants_for
from infra.constructs.schedule import RecurringSchedule, function_target
from infra.constructs.stream_sync import StreamToSearch
from infra.runtime_environment import alert_topic_arn, function_environment
from infra.stacks.storage import StorageStack

# The scheduled check records its result, so `status` and `monitor` can show the history.
HEALTH_CHECK_EVENT = {"action": "check", "record": True}


def _output_id(operation: str) -> str:
    return "".join(part.capitalize() for part in operation.split("_")) + "FunctionName"


class OperationsStack(Stack):
    def __init__(
        self, scope: Construct, construct_id: str, *, config: DeploymentConfig, storage: StorageStack, **kwargs: Any
    ) -> None:
        super().__init__(scope, construct_id, **kwargs)
        self.add_stack_dependency(storage)
        layer = lambda_.LayerVersion(
            self,
            "SharedLayer",
            layer_version_name=f"{naming.resource_prefix(config.profile, config.stage)}-dataops",
            code=lambda_.Code.from_asset(str(config.layer_dir), exclude=BYTECODE),
            compatible_runtimes=[lambda_.Runtime.PYTHON_3_12],
            compatible_architectures=[lambda_.Architecture.X86_64],
            description="dataops package and its dependencies",
        )
        # By name, not by storage's token: the bucket's ARN then reads the same in every template and in the
        # acknowledged IAM findings, instead of an export hash.
        backup_bucket = s3.Bucket.from_bucket_attributes(
            self,
            "BackupBucket",
            bucket_name=config.backup_bucket_name(self.account),
            encryption_key=storage.backup_key,
        )
        environment = function_environment(
            config,
            data_table=storage.data_table,
            control_table=storage.control_table,
            backup_bucket=backup_bucket,
            backup_key=storage.backup_key,
            postgres_secret=storage.postgres_secret,
        )
        grant_targets = GrantTargets(
            data_table=storage.data_table,
            data_table_indexes=tuple(index.name for index in config.app_profile.table.indexes),
            control_table=storage.control_table,
            backup_bucket=backup_bucket,
            backup_key=storage.backup_key,
            postgres_secret=storage.postgres_secret,
            opensearch_domain_arn=None if config.is_local else config.opensearch_domain_arn,
            alert_topic_arn=alert_topic_arn(config),
            resource_prefix=naming.resource_prefix(config.profile, config.stage),
        )
        self.functions: dict[str, lambda_.IFunction] = {}
        for operation in self.deployed_operations(config):
            name = naming.function_name(config.profile, config.stage, operation)
            timeout_seconds, memory_mb = OPERATION_SIZING.get(operation, DEFAULT_SIZING)
            self.functions[operation] = OperationFunction(
                self,
                f"Operation-{operation}",
                function_name=name,
                code_dir=config.functions_dir / operation,
                layer=layer,
                environment=environment,
                log_retention=logs.RetentionDays[LOG_RETENTION_CHOICES[config.log_retention_days]],
                removal_policy=RemovalPolicy.DESTROY if config.is_local else RemovalPolicy.RETAIN,
                grants=grants_for(operation),
                grant_targets=grant_targets,
                timeout_seconds=timeout_seconds,
                memory_mb=memory_mb,
            ).function
            CfnOutput(self, _output_id(operation), value=name)

        if "provision" in self.functions:
            self._provision_search_indexes(config, self.functions["provision"])
        self.stream_failures: sqs.IQueue | None = None
        if naming.STREAM_SYNC_FUNCTION in self.functions and storage.data_table.table_stream_arn:
            self.stream_failures = StreamToSearch(
                self,
                "DataTableStream",
                function=self.functions[naming.STREAM_SYNC_FUNCTION],
                stream_arn=storage.data_table.table_stream_arn,
                queue_name=naming.stream_failures_queue_name(config.profile, config.stage),
                removal_policy=RemovalPolicy.DESTROY if config.is_local else RemovalPolicy.RETAIN,
            ).failures

        if config.health_schedule_enabled:
            RecurringSchedule(
                self,
                "HealthSchedule",
                rule_name=naming.schedule_rule_name(config.profile, config.stage, "health"),
                description="record the health of every store",
                minutes=config.health_schedule_minutes,
                target=function_target(self.functions["health"], HEALTH_CHECK_EVENT),
            )
        if config.monitor_schedule_enabled and "monitor" in self.functions:
            RecurringSchedule(
                self,
                "MonitorSchedule",
                rule_name=naming.schedule_rule_name(config.profile, config.stage, "monitor"),
                description="record metrics, raise and clear alerts",
                minutes=config.monitor_schedule_minutes,
                target=function_target(self.functions["monitor"], {"action": "check"}),
            )

    @staticmethod
    def deployed_operations(config: DeploymentConfig) -> tuple[str, ...]:
        """The user-facing operations, plus `provision` and the stream sync when the profile has search indexes."""
        search = ("provision", naming.STREAM_SYNC_FUNCTION) if config.app_profile.uses_opensearch else ()
        return (*registry.DEPLOYED_OPERATIONS, *search)

    def _provision_search_indexes(self, config: DeploymentConfig, function: lambda_.IFunction) -> None:
        """Deploy creates the indexes (with mappings) the profile needs, so a fresh stack is healthy at once.

        The mappings' hash is a property, so changing a mapping re-runs the resource on the next deploy.
        """
        mappings = {entity.name: placement.mappings for entity, placement in config.app_profile.search_indexes()}
        digest = hashlib.sha256(json.dumps(mappings, sort_keys=True).encode()).hexdigest()
        CustomResource(
            self,
            "SearchIndexes",
            service_token=function.function_arn,
            resource_type="Custom::DataOpsSearchIndexes",
            properties={"MappingsHash": digest, "Stage": config.stage},
        )
