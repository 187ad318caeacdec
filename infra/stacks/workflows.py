"""Workflows: a Step Functions state machine per workflow of the catalog, and the schedules that start them.

A workflow is built only when every operation it calls is deployed, so the app synthesizes at every stage of
the suite's growth. Functions are found by name (like the backup bucket), so this stack needs no exports from
the operations stack; the alert topic comes from the monitoring stack, which this stack deploys after.
"""

from __future__ import annotations

from typing import Any

from aws_cdk import ArnFormat, CfnOutput, Duration, RemovalPolicy, Stack
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import aws_sns as sns
from aws_cdk import aws_stepfunctions as sfn
from constructs import Construct

from dataops import naming
from dataops.workflows import WORKFLOWS
from infra.config import LOG_RETENTION_CHOICES, DeploymentConfig
from infra.constructs.schedule import RecurringSchedule, workflow_target
from infra.constructs.workflow_state_machine import WorkflowStateMachine

# The longest operation runs 15 minutes; a workflow has at most a handful of them, each retried a little.
WORKFLOW_TIMEOUT = Duration.hours(2)


class WorkflowsStack(Stack):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        config: DeploymentConfig,
        deployed_operations: tuple[str, ...],
        alert_topic: sns.ITopic,
        **kwargs: Any,
    ) -> None:
        super().__init__(scope, construct_id, **kwargs)
        functions = {operation: self._function(config, operation) for operation in deployed_operations}
        self.state_machines: dict[str, sfn.StateMachine] = {}
        for workflow in WORKFLOWS.values():
            if not workflow.deployable_with(deployed_operations, has_search=config.app_profile.uses_opensearch):
                continue
            name = naming.state_machine_name(config.profile, config.stage, workflow.name)
            self.state_machines[workflow.name] = WorkflowStateMachine(
                self,
                f"Workflow-{workflow.name}",
                workflow=workflow.for_profile(has_search=config.app_profile.uses_opensearch),
                state_machine_name=name,
                functions=functions,
                alert_topic=alert_topic,
                log_retention=logs.RetentionDays[LOG_RETENTION_CHOICES[config.log_retention_days]],
                removal_policy=RemovalPolicy.DESTROY if config.is_local else RemovalPolicy.RETAIN,
                timeout=WORKFLOW_TIMEOUT,
                map_concurrency={
                    "backup_map_concurrency": config.backup_map_concurrency,
                    "restore_map_concurrency": config.restore_map_concurrency,
                    "sync_map_concurrency": config.sync_map_concurrency,
                    "migrate_map_concurrency": config.migrate_map_concurrency,
                    "export_map_concurrency": config.export_map_concurrency,
                    "import_map_concurrency": config.import_map_concurrency,
                },
            ).state_machine
            CfnOutput(self, f"{workflow.name.capitalize()}StateMachineName", value=name)
        self._schedule(config, "backup", config.backup_schedule_enabled, config.backup_schedule_minutes)
        self._schedule(config, "maintenance", config.maintenance_schedule_enabled, config.maintenance_schedule_minutes)

    def _function(self, config: DeploymentConfig, operation: str) -> lambda_.IFunction:
        arn = self.format_arn(
            service="lambda",
            resource="function",
            resource_name=naming.function_name(config.profile, config.stage, operation),
            arn_format=ArnFormat.COLON_RESOURCE_NAME,
        )
        return lambda_.Function.from_function_arn(self, f"Function-{operation}", arn)

    def _schedule(self, config: DeploymentConfig, workflow: str, enabled: bool, minutes: int) -> None:
        if not enabled or workflow not in self.state_machines:
            return
        RecurringSchedule(
            self,
            f"{workflow.capitalize()}Schedule",
            rule_name=naming.schedule_rule_name(config.profile, config.stage, workflow),
            description=f"start the {workflow} workflow",
            minutes=minutes,
            target=workflow_target(self.state_machines[workflow], {}),
        )
