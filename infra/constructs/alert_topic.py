"""The SNS topic every alarm and workflow failure notifies, encrypted with a key CloudWatch may use."""

from __future__ import annotations

from aws_cdk import RemovalPolicy
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_sns as sns
from constructs import Construct


class AlertTopic(Construct):
    def __init__(self, scope: Construct, construct_id: str, *, topic_name: str, removal_policy: RemovalPolicy) -> None:
        super().__init__(scope, construct_id)
        # The AWS-managed SNS key cannot be granted to CloudWatch, so alarms could not publish; a customer key can.
        self.key = kms.Key(
            self,
            "Key",
            description=f"{topic_name}: encrypts alert messages at rest",
            enable_key_rotation=True,
            removal_policy=removal_policy,
        )
        self.key.grant(iam.ServicePrincipal("cloudwatch.amazonaws.com"), "kms:Decrypt", "kms:GenerateDataKey*")
        self.topic = sns.Topic(
            self,
            "Topic",
            topic_name=topic_name,
            display_name="dataops alerts",
            master_key=self.key,
            enforce_ssl=True,
        )
