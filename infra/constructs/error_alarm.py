"""An alarm on a function's errors that notifies the alert topic."""

from __future__ import annotations

from aws_cdk import Duration
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_cloudwatch_actions as cloudwatch_actions
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_sns as sns
from constructs import Construct


class FunctionErrorAlarm(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        function: lambda_.IFunction,
        function_name: str,
        topic: sns.ITopic,
    ) -> None:
        super().__init__(scope, construct_id)
        self.alarm = cloudwatch.Alarm(
            self,
            "Alarm",
            alarm_name=f"{function_name}-errors",
            alarm_description=f"{function_name} raised an error in the last 5 minutes",
            metric=function.metric_errors(period=Duration.minutes(5), statistic=cloudwatch.Stats.SUM),
            threshold=1,
            evaluation_periods=1,
            comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
            # No invocations means no errors: an idle operation must not page anyone.
            treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
        )
        self.alarm.add_alarm_action(cloudwatch_actions.SnsAction(topic))
