"""The frequent health check: EventBridge runs the health function and asks it to record the result."""

from __future__ import annotations

from aws_cdk import Duration
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_lambda as lambda_
from constructs import Construct

HEALTH_CHECK_EVENT = {"action": "check", "record": True}


class HealthSchedule(Construct):
    def __init__(
        self, scope: Construct, construct_id: str, *, rule_name: str, health_function: lambda_.IFunction, minutes: int
    ) -> None:
        super().__init__(scope, construct_id)
        self.rule = events.Rule(
            self,
            "Rule",
            rule_name=rule_name,
            description="dataops: record the health of every store",
            schedule=events.Schedule.rate(Duration.minutes(minutes)),
            targets=[
                targets.LambdaFunction(
                    health_function,
                    event=events.RuleTargetInput.from_object(HEALTH_CHECK_EVENT),
                    # The next run comes within minutes; a retried stale check would only blur the history.
                    retry_attempts=0,
                )
            ],
        )
