"""A workflow of the catalog (dataops.workflows) as a Step Functions state machine.

Shape: merge the execution input over the workflow's option defaults, run each step (a Choice first when the
step is optional), end with a summary a person can read in the console: options, then per step its status and
counts. Any step's failure goes through the FailureNotice (SNS) to a Fail state carrying the cause.
"""

from __future__ import annotations

from collections.abc import Mapping

from aws_cdk import Duration, RemovalPolicy
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import aws_sns as sns
from aws_cdk import aws_stepfunctions as sfn
from constructs import Construct

from dataops.workflows import Workflow, WorkflowStep
from infra.constructs.acknowledge import acknowledge, wildcard_resource_finding
from infra.constructs.failure_notice import FailureNotice
from infra.constructs.workflow_fan_out import fan_out_step
from infra.constructs.workflow_step import operation_step


class WorkflowStateMachine(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        workflow: Workflow,
        state_machine_name: str,
        functions: Mapping[str, lambda_.IFunction],
        alert_topic: sns.ITopic,
        log_retention: logs.RetentionDays,
        removal_policy: RemovalPolicy,
        timeout: Duration,
        map_concurrency: Mapping[str, int],
    ) -> None:
        """`map_concurrency` maps each fan-out's context key (backup_map_concurrency, ...) to its value."""
        super().__init__(scope, construct_id)
        failure = FailureNotice(self, "Failure", workflow=workflow.name, topic=alert_topic)
        chain = self._options(workflow)
        for step in workflow.steps:
            function = functions[step.operation]
            if step.fan_out:
                concurrency = map_concurrency[step.fan_out.concurrency_key]
                chain = chain.next(fan_out_step(self, step, function, failure, concurrency))
                continue
            task = operation_step(self, step, function, failure)
            if step.only_if:
                choice = self._optional(step, task)
                # Both branches (the step, or its "skipped" marker) continue to the next step.
                chain = sfn.Chain.custom(chain.next(choice).start_state, choice.afterwards().end_states, choice)
            else:
                chain = chain.next(task)
        # An operation may finish normally yet report `failed` (reset validate finding differences): fail then too.
        verdict = sfn.Choice(self, "Verdict", state_name="Did every step succeed?")
        for step in workflow.steps:
            verdict.when(
                sfn.Condition.string_equals(f"$.steps.{step.name}.status", "failed"),
                failure.for_reported_failure(step.name),
            )
        chain = chain.next(verdict)
        verdict.otherwise(
            sfn.Pass(
                self,
                "Summary",
                state_name="Summary",
                parameters={
                    "workflow": workflow.name,
                    "status": "succeeded",
                    "options": sfn.JsonPath.object_at("$.options"),
                    "steps": sfn.JsonPath.object_at("$.steps"),
                },
            )
        )
        self.log_group = logs.LogGroup(
            self,
            "Logs",
            log_group_name=f"/aws/vendedlogs/states/{state_machine_name}",
            retention=log_retention,
            removal_policy=removal_policy,
        )
        self.state_machine = sfn.StateMachine(
            self,
            "StateMachine",
            state_machine_name=state_machine_name,
            comment=workflow.description,
            definition_body=sfn.DefinitionBody.from_chainable(chain),
            timeout=timeout,
            tracing_enabled=True,
            logs=sfn.LogOptions(destination=self.log_group, level=sfn.LogLevel.ALL, include_execution_data=True),
        )
        if alert_topic.master_key:
            # Publishing to an encrypted topic needs the key too; grant_publish grants only sns:Publish.
            alert_topic.master_key.grant(self.state_machine.role, "kms:Decrypt", "kms:GenerateDataKey*")
            acknowledge(
                self.state_machine,
                "AwsSolutions-IAM5[Action::kms:GenerateDataKey*]",
                "SNS asks for a data key of the alert topic's own key (the grant names that key) to encrypt a notice.",
            )
        for operation in workflow.operations:
            acknowledge(
                self.state_machine,
                wildcard_resource_finding(self, f"{functions[operation].function_arn}:*"),
                f"The workflow may invoke any version or alias of the {operation} function: the grant names the "
                "function and leaves only the qualifier open.",
            )
        acknowledge(
            self.state_machine,
            "AwsSolutions-IAM5[Resource::*]",
            "Execution logging (logs:*LogDelivery, DescribeLogGroups...) and X-Ray tracing support no "
            "resource-level permissions.",
        )

    def _options(self, workflow: Workflow) -> sfn.Chain:
        """Two Pass states, so no JSON literal has to be escaped inside an intrinsic function's arguments."""
        collect = sfn.Pass(
            self,
            "CollectInput",
            state_name="Read input",
            parameters={"defaults": dict(workflow.options), "given": sfn.JsonPath.object_at("$")},
        )
        merge = sfn.Pass(
            self,
            "MergeOptions",
            state_name="Apply option defaults",
            parameters={
                "options": sfn.JsonPath.json_merge(
                    sfn.JsonPath.object_at("$.defaults"), sfn.JsonPath.object_at("$.given")
                ),
                "steps": {},
            },
        )
        return collect.next(merge)

    def _optional(self, step: WorkflowStep, task: sfn.TaskStateBase) -> sfn.Choice:
        option = f"$.options.{step.only_if}"
        wanted = sfn.Condition.or_(
            sfn.Condition.boolean_equals(option, True),
            sfn.Condition.and_(
                sfn.Condition.is_string(option), sfn.Condition.not_(sfn.Condition.string_equals(option, ""))
            ),
        )
        skipped = sfn.Pass(
            self,
            f"Skip-{step.name}",
            state_name=f"{step.name} skipped",
            result=sfn.Result.from_object({"operation": step.operation, "status": "skipped"}),
            result_path=f"$.steps.{step.name}",
        )
        choice = sfn.Choice(self, f"Choose-{step.name}", state_name=f"{step.name}?")
        choice.when(wanted, task).otherwise(skipped)
        return choice
