"""What each deployed operation may touch: one table, read top to bottom, that later operations extend."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_secretsmanager as secretsmanager


@dataclass(frozen=True)
class GrantTargets:
    """The resources a grant can name; absent stores are None and their grants become no-ops."""

    data_table: dynamodb.ITable
    control_table: dynamodb.ITable
    backup_bucket: s3.IBucket
    backup_key: kms.IKey
    postgres_secret: secretsmanager.ISecret | None
    opensearch_domain_arn: str | None


Grant = Callable[[iam.IRole, GrantTargets], None]


def describe_tables(role: iam.IRole, targets: GrantTargets) -> None:
    targets.data_table.grant(role, "dynamodb:DescribeTable")
    targets.control_table.grant(role, "dynamodb:DescribeTable")


def read_data_table(role: iam.IRole, targets: GrantTargets) -> None:
    targets.data_table.grant_read_data(role)


def read_control_table(role: iam.IRole, targets: GrantTargets) -> None:
    targets.control_table.grant_read_data(role)


def write_control_table(role: iam.IRole, targets: GrantTargets) -> None:
    targets.control_table.grant_write_data(role)


def list_backup_bucket(role: iam.IRole, targets: GrantTargets) -> None:
    role.add_to_principal_policy(
        iam.PolicyStatement(actions=["s3:ListBucket"], resources=[targets.backup_bucket.bucket_arn])
    )


def read_backup_bucket(role: iam.IRole, targets: GrantTargets) -> None:
    """Object reads and listing; decrypting with the backup key comes with it."""
    targets.backup_bucket.grant_read(role)


def describe_backup_key(role: iam.IRole, targets: GrantTargets) -> None:
    targets.backup_key.grant(role, "kms:DescribeKey")


def read_postgres_secret(role: iam.IRole, targets: GrantTargets) -> None:
    if targets.postgres_secret is not None:
        targets.postgres_secret.grant_read(role)


def read_opensearch(role: iam.IRole, targets: GrantTargets) -> None:
    """Only with a domain ARN: locally, and for a domain outside this account, there is nothing to grant on."""
    if targets.opensearch_domain_arn:
        role.add_to_principal_policy(
            iam.PolicyStatement(
                # Searches are POSTs, so read access includes ESHttpPost.
                actions=["es:ESHttpGet", "es:ESHttpHead", "es:ESHttpPost"],
                resources=[f"{targets.opensearch_domain_arn}/*"],
            )
        )


OPERATION_GRANTS: dict[str, tuple[Grant, ...]] = {
    # health checks every store and records the result in the control table's history.
    "health": (
        describe_tables,
        write_control_table,
        read_backup_bucket,
        describe_backup_key,
        read_postgres_secret,
        read_opensearch,
    ),
    "status": (read_data_table, read_control_table, list_backup_bucket, read_postgres_secret),
}


def grants_for(operation: str) -> tuple[Grant, ...]:
    try:
        return OPERATION_GRANTS[operation]
    except KeyError:
        raise KeyError(
            f"operation {operation!r} is deployed but has no entry in infra/constructs/operation_grants.py "
            "OPERATION_GRANTS; add the grants it needs there"
        ) from None
