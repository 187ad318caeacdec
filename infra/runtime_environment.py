"""The environment every deployed function gets; the runtime reads exactly these names."""

from __future__ import annotations

from aws_cdk import Aws
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_kms as kms
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_secretsmanager as secretsmanager

from dataops import naming
from infra.config import DeploymentConfig


def alert_topic_arn(config: DeploymentConfig) -> str:
    """The monitoring stack's topic by its agreed name: no cross-stack reference (that stack depends on this one)."""
    name = naming.alert_topic_name(config.profile, config.stage)
    return f"arn:{Aws.PARTITION}:sns:{Aws.REGION}:{Aws.ACCOUNT_ID}:{name}"


def function_environment(
    config: DeploymentConfig,
    *,
    data_table: dynamodb.ITable,
    control_table: dynamodb.ITable,
    backup_bucket: s3.IBucket,
    backup_key: kms.IKey,
    postgres_secret: secretsmanager.ISecret | None,
) -> dict[str, str]:
    environment = {
        "DATAOPS_PROFILE": config.profile,
        "DATAOPS_STAGE": config.stage,
        "DATAOPS_TARGET": config.target,
        "DYNAMODB_TABLE_NAME": data_table.table_name,
        "DATAOPS_CONTROL_TABLE": control_table.table_name,
        "BACKUP_BUCKET": backup_bucket.bucket_name,
        "BACKUP_PREFIX": naming.BACKUP_PREFIX,
        "BACKUP_KMS_KEY_ID": backup_key.key_arn,
        "POWERTOOLS_SERVICE_NAME": "dataops",
        "POWERTOOLS_METRICS_NAMESPACE": "DataOps",
        "LOG_LEVEL": "INFO",
        "ALERT_TOPIC_ARN": alert_topic_arn(config),
    }
    if postgres_secret is not None:
        environment["POSTGRES_SECRET_ARN"] = postgres_secret.secret_arn
    if config.search_index is not None:
        environment["OPENSEARCH_ENDPOINT"] = config.resolved_opensearch_endpoint
        environment["OPENSEARCH_INDEX"] = config.search_index
    if config.is_local:
        # MiniStack runs no X-Ray daemon; without this every traced call logs a send failure.
        environment["POWERTOOLS_TRACE_DISABLED"] = "true"
    return environment
