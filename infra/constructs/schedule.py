"""A recurring EventBridge rule: every schedule (health, monitor, backup, maintenance) is one of these.

Callers pick the target: `function_target` for an operation's Lambda, `workflow_target` for a state machine.
Each schedule's rate and on/off switch come from CDK context (see infra/config.py `*_schedule_*` keys).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from aws_cdk import Duration
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_stepfunctions as sfn
from constructs import Construct


def function_target(function: lambda_.IFunction, payload: Mapping[str, Any]) -> events.IRuleTarget:
    # The next run comes on its own; a retried stale invocation would only blur the history.
    return targets.LambdaFunction(function, event=events.RuleTargetInput.from_object(dict(payload)), retry_attempts=0)


def workflow_target(state_machine: sfn.IStateMachine, workflow_input: Mapping[str, Any]) -> events.IRuleTarget:
    return targets.SfnStateMachine(
        state_machine, input=events.RuleTargetInput.from_object(dict(workflow_input)), retry_attempts=0
    )


class RecurringSchedule(Construct):
    """Runs `target` every `minutes` minutes under a stable rule name."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        rule_name: str,
        description: str,
        minutes: int,
        target: events.IRuleTarget,
    ) -> None:
        super().__init__(scope, construct_id)
        self.rule = events.Rule(
            self,
            "Rule",
            rule_name=rule_name,
            description=f"dataops: {description}",
            schedule=events.Schedule.rate(Duration.minutes(minutes)),
            targets=[target],
        )
