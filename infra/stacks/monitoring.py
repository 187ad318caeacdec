"""Monitoring: the alert topic, an error alarm on every deployed function, and the stream sync's alarms."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from aws_cdk import CfnOutput, RemovalPolicy, Stack
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from dataops import naming
from infra.config import DeploymentConfig
from infra.constructs.alert_topic import AlertTopic
from infra.constructs.error_alarm import FunctionErrorAlarm
from infra.constructs.stream_alarms import StreamSyncAlarms


class MonitoringStack(Stack):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        config: DeploymentConfig,
        functions: Mapping[str, lambda_.IFunction],
        stream_failures: sqs.IQueue | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(scope, construct_id, **kwargs)
        self.alert_topic: sns.ITopic = AlertTopic(
            self,
            "Alerts",
            topic_name=naming.alert_topic_name(config.profile, config.stage),
            removal_policy=RemovalPolicy.DESTROY if config.is_local else RemovalPolicy.RETAIN,
        ).topic
        for operation, function in functions.items():
            FunctionErrorAlarm(
                self,
                f"Errors-{operation}",
                function=function,
                function_name=naming.function_name(config.profile, config.stage, operation),
                topic=self.alert_topic,
            )
        stream_sync = functions.get(naming.STREAM_SYNC_FUNCTION)
        if stream_sync is not None and stream_failures is not None:
            StreamSyncAlarms(
                self,
                "StreamSync",
                function=stream_sync,
                function_name=naming.function_name(config.profile, config.stage, naming.STREAM_SYNC_FUNCTION),
                failures=stream_failures,
                topic=self.alert_topic,
                max_lag_minutes=config.stream_lag_alarm_minutes,
            )
        CfnOutput(self, "AlertTopicArn", value=self.alert_topic.topic_arn)
