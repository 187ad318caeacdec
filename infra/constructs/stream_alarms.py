"""Alarms on the stream sync: the stream falling behind, and records it gave up on."""

from __future__ import annotations

from aws_cdk import Duration
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_cloudwatch_actions as cloudwatch_actions
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sqs as sqs
from constructs import Construct

PERIOD = Duration.minutes(5)


class StreamSyncAlarms(Construct):
    """`IteratorAge` over `max_lag_minutes` means an application write takes that long to reach search (a restore
    or reset of a large table does this for a while: each item it rewrites is two stream records); a message in
    the failures queue means a record was given up on after every retry, and the index misses that change."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        function: lambda_.IFunction,
        function_name: str,
        failures: sqs.IQueue,
        topic: sns.ITopic,
        max_lag_minutes: int,
    ) -> None:
        super().__init__(scope, construct_id)
        action = cloudwatch_actions.SnsAction(topic)
        self.lag = cloudwatch.Alarm(
            self,
            "IteratorAge",
            alarm_name=f"{function_name}-iterator-age",
            alarm_description=(
                f"{function_name} is more than {max_lag_minutes} min behind the table's stream: changes reach "
                "OpenSearch that late"
            ),
            metric=function.metric("IteratorAge", period=PERIOD, statistic=cloudwatch.Stats.MAXIMUM),
            threshold=Duration.minutes(max_lag_minutes).to_milliseconds(),
            evaluation_periods=1,
            comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
            # No records means no lag.
            treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
        )
        self.lag.add_alarm_action(action)
        self.failed = cloudwatch.Alarm(
            self,
            "FailedRecords",
            alarm_name=f"{function_name}-failed-records",
            alarm_description=(
                f"{function_name} gave up on stream records after every retry (see the queue {failures.queue_name}); "
                "run `dataops sync dynamo-to-os` to repair the index"
            ),
            metric=failures.metric_approximate_number_of_messages_visible(
                period=PERIOD, statistic=cloudwatch.Stats.MAXIMUM
            ),
            threshold=1,
            evaluation_periods=1,
            comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
            treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
        )
        self.failed.add_alarm_action(action)
