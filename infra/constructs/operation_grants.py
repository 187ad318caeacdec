"""What each deployed operation may touch: one table, read top to bottom, that later operations extend.

Grants name exact actions and resources (the table's own index ARNs, the backup prefix) rather than CDK's
broader grant helpers, so the only wildcards left are the ones a grant acknowledges, with its reason.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from aws_cdk import Aws
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_secretsmanager as secretsmanager

from dataops.naming import BACKUP_PREFIX, EXPORT_PREFIX, SYNC_POINT_PREFIX, VALIDATION_REPORT_PREFIX
from infra.constructs.acknowledge import acknowledge, wildcard_resource_finding

DYNAMODB_READ_ACTIONS = (
    "dynamodb:DescribeTable",
    "dynamodb:GetItem",
    "dynamodb:BatchGetItem",
    "dynamodb:Query",
    "dynamodb:Scan",
    "dynamodb:ConditionCheckItem",
)


@dataclass(frozen=True)
class GrantTargets:
    """The resources a grant can name; absent stores are None and their grants become no-ops.

    `backup_bucket` must be defined in the granting stack (by name), so wildcard findings can be acknowledged.
    """

    data_table: dynamodb.ITable
    data_table_indexes: tuple[str, ...]
    control_table: dynamodb.ITable
    backup_bucket: s3.IBucket
    backup_key: kms.IKey
    postgres_secret: secretsmanager.ISecret | None
    opensearch_domain_arn: str | None
    alert_topic_arn: str | None = None
    # `<profile>-<stage>`: names the copy targets of `backup copy` (their buckets and the backup key's alias).
    resource_prefix: str | None = None


Grant = Callable[[iam.IRole, GrantTargets], None]


def describe_tables(role: iam.IRole, targets: GrantTargets) -> None:
    role.add_to_principal_policy(
        iam.PolicyStatement(
            actions=["dynamodb:DescribeTable"],
            resources=[targets.data_table.table_arn, targets.control_table.table_arn],
        )
    )


def read_data_table(role: iam.IRole, targets: GrantTargets) -> None:
    table_arn = targets.data_table.table_arn
    indexes = [f"{table_arn}/index/{name}" for name in targets.data_table_indexes]
    role.add_to_principal_policy(
        iam.PolicyStatement(actions=list(DYNAMODB_READ_ACTIONS), resources=[table_arn, *indexes])
    )


def read_control_table(role: iam.IRole, targets: GrantTargets) -> None:
    role.add_to_principal_policy(
        iam.PolicyStatement(actions=list(DYNAMODB_READ_ACTIONS), resources=[targets.control_table.table_arn])
    )


def write_control_table(role: iam.IRole, targets: GrantTargets) -> None:
    targets.control_table.grant_write_data(role)


def list_backup_bucket(role: iam.IRole, targets: GrantTargets) -> None:
    role.add_to_principal_policy(
        iam.PolicyStatement(actions=["s3:ListBucket"], resources=[targets.backup_bucket.bucket_arn])
    )


def read_backups(role: iam.IRole, targets: GrantTargets) -> None:
    list_backup_bucket(role, targets)
    objects = targets.backup_bucket.arn_for_objects(f"{BACKUP_PREFIX}/*")
    role.add_to_principal_policy(iam.PolicyStatement(actions=["s3:GetObject"], resources=[objects]))
    targets.backup_key.grant_decrypt(role)
    acknowledge(
        role,
        wildcard_resource_finding(role, objects),
        "Backup objects are keyed by backup id under the backup prefix, which is only known at run time; "
        "the grant is limited to reading that prefix of this one bucket.",
    )


def describe_backup_key(role: iam.IRole, targets: GrantTargets) -> None:
    targets.backup_key.grant(role, "kms:DescribeKey")


def read_postgres_secret(role: iam.IRole, targets: GrantTargets) -> None:
    if targets.postgres_secret is not None:
        targets.postgres_secret.grant_read(role)


def read_opensearch(role: iam.IRole, targets: GrantTargets) -> None:
    """Only with a domain ARN: locally, and for a domain outside this account, there is nothing to grant on."""
    if not targets.opensearch_domain_arn:
        return
    paths = f"{targets.opensearch_domain_arn}/*"
    # Searches are POSTs, so read access includes ESHttpPost.
    role.add_to_principal_policy(
        iam.PolicyStatement(actions=["es:ESHttpGet", "es:ESHttpHead", "es:ESHttpPost"], resources=[paths])
    )
    acknowledge(
        role,
        wildcard_resource_finding(role, paths),
        "OpenSearch HTTP permissions are granted on request paths of the domain (index names, _search, _cluster), "
        "which IAM can only express as a wildcard under the domain ARN.",
    )


def manage_opensearch_indexes(role: iam.IRole, targets: GrantTargets) -> None:
    """Create indexes and add mapping fields (PUT), besides reading; never delete."""
    if not targets.opensearch_domain_arn:
        return
    paths = f"{targets.opensearch_domain_arn}/*"
    role.add_to_principal_policy(
        iam.PolicyStatement(actions=["es:ESHttpGet", "es:ESHttpHead", "es:ESHttpPut"], resources=[paths])
    )
    acknowledge(
        role,
        wildcard_resource_finding(role, paths),
        "Index creation and mapping updates address request paths of the domain (the index names), "
        "which IAM can only express as a wildcard under the domain ARN.",
    )


def write_data_items(role: iam.IRole, targets: GrantTargets) -> None:
    """Put, update and delete items of the data table (not its indexes, which DynamoDB maintains)."""
    role.add_to_principal_policy(
        iam.PolicyStatement(
            actions=["dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem", "dynamodb:BatchWriteItem"],
            resources=[targets.data_table.table_arn],
        )
    )


def read_write_sync_points(role: iam.IRole, targets: GrantTargets) -> None:
    list_backup_bucket(role, targets)
    objects = targets.backup_bucket.arn_for_objects(f"{SYNC_POINT_PREFIX}/*")
    role.add_to_principal_policy(iam.PolicyStatement(actions=["s3:GetObject", "s3:PutObject"], resources=[objects]))
    # The bucket encrypts with the backup key: writing needs a data key, reading needs to decrypt it.
    targets.backup_key.grant(role, "kms:GenerateDataKey", "kms:Decrypt")
    acknowledge(
        role,
        wildcard_resource_finding(role, objects),
        "Sync points are keyed by a user-chosen name under the sync-points/ prefix; "
        "the grant is limited to that prefix of this one bucket.",
    )


def read_data_stream(role: iam.IRole, targets: GrantTargets) -> None:
    """What the event source mapping needs to read the data table's stream on the function's behalf."""
    stream_arn = targets.data_table.table_stream_arn
    if stream_arn is None:
        return
    role.add_to_principal_policy(
        iam.PolicyStatement(
            actions=["dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator"],
            resources=[stream_arn],
        )
    )
    role.add_to_principal_policy(iam.PolicyStatement(actions=["dynamodb:ListStreams"], resources=["*"]))
    acknowledge(
        role,
        "AwsSolutions-IAM5[Resource::*]",
        "dynamodb:ListStreams and the X-Ray tracing actions support no resource-level permissions.",
    )


def write_search_documents(role: iam.IRole, targets: GrantTargets) -> None:
    """Read, bulk-index and delete documents; never create or delete indexes (provision does that)."""
    if not targets.opensearch_domain_arn:
        return
    paths = f"{targets.opensearch_domain_arn}/*"
    role.add_to_principal_policy(
        iam.PolicyStatement(
            actions=["es:ESHttpGet", "es:ESHttpHead", "es:ESHttpPost", "es:ESHttpPut", "es:ESHttpDelete"],
            resources=[paths],
        )
    )
    acknowledge(
        role,
        wildcard_resource_finding(role, paths),
        "Document writes address request paths of the domain (index/_doc/id, _bulk, _mget), "
        "which IAM can only express as a wildcard under the domain ARN.",
    )


def read_write_backups(role: iam.IRole, targets: GrantTargets) -> None:
    """Read and write backup objects (snapshots, restores' safety backups) with the backup key; never delete."""
    read_backups(role, targets)
    objects = targets.backup_bucket.arn_for_objects(f"{BACKUP_PREFIX}/*")
    role.add_to_principal_policy(iam.PolicyStatement(actions=["s3:PutObject"], resources=[objects]))
    targets.backup_key.grant(role, "kms:GenerateDataKey", "kms:DescribeKey")
    acknowledge(
        role,
        wildcard_resource_finding(role, objects),
        "Backup objects are keyed by backup id under the backup prefix, which is only known at run time; "
        "the grant is limited to writing that prefix of this one bucket.",
    )


def write_validation_reports(role: iam.IRole, targets: GrantTargets) -> None:
    """Write validation reports under reports/validation/ (encrypted with the backup key); never read or delete."""
    objects = targets.backup_bucket.arn_for_objects(f"{VALIDATION_REPORT_PREFIX}/*")
    role.add_to_principal_policy(iam.PolicyStatement(actions=["s3:PutObject"], resources=[objects]))
    targets.backup_key.grant(role, "kms:GenerateDataKey")
    acknowledge(
        role,
        wildcard_resource_finding(role, objects),
        "Validation reports are keyed by run time under reports/validation/; "
        "the grant is limited to writing that prefix of this one bucket.",
    )


def inspect_backup_bucket_security(role: iam.IRole, targets: GrantTargets) -> None:
    """Read the bucket's encryption and public-access settings, for validation's security checks."""
    role.add_to_principal_policy(
        iam.PolicyStatement(
            actions=["s3:GetEncryptionConfiguration", "s3:GetBucketPublicAccessBlock"],
            resources=[targets.backup_bucket.bucket_arn],
        )
    )


def publish_alerts(role: iam.IRole, targets: GrantTargets) -> None:
    """Publish to the alert topic, which is encrypted with the monitoring stack's customer key."""
    if targets.alert_topic_arn is None:
        return
    role.add_to_principal_policy(iam.PolicyStatement(actions=["sns:Publish"], resources=[targets.alert_topic_arn]))
    role.add_to_principal_policy(
        iam.PolicyStatement(
            actions=["kms:GenerateDataKey", "kms:Decrypt"],
            resources=["*"],
            conditions={"StringEquals": {"kms:ViaService": f"sns.{Aws.REGION}.amazonaws.com"}},
        )
    )
    acknowledge(
        role,
        "AwsSolutions-IAM5[Resource::*]",
        "The alert topic's key lives in the monitoring stack, which depends on this one, so it cannot be named "
        "here; the KMS grant is limited to use through SNS (kms:ViaService).",
    )


def expire_backups(role: iam.IRole, targets: GrantTargets) -> None:
    """Delete backup objects past the retention (maintenance's cleanup), besides reading them."""
    read_backups(role, targets)
    objects = targets.backup_bucket.arn_for_objects(f"{BACKUP_PREFIX}/*")
    role.add_to_principal_policy(iam.PolicyStatement(actions=["s3:DeleteObject"], resources=[objects]))
    acknowledge(
        role,
        wildcard_resource_finding(role, objects),
        "Expired backups are keyed by backup id under the backup prefix, known only at run time; "
        "the grant is limited to deleting under that prefix of this one bucket.",
    )


def manage_backups(role: iam.IRole, targets: GrantTargets) -> None:
    """Retention deletes expired backups; an aborted streaming upload cleans up its multipart parts."""
    objects = targets.backup_bucket.arn_for_objects(f"{BACKUP_PREFIX}/*")
    role.add_to_principal_policy(
        iam.PolicyStatement(actions=["s3:DeleteObject", "s3:AbortMultipartUpload"], resources=[objects])
    )
    acknowledge(
        role,
        wildcard_resource_finding(role, objects),
        "Retention deletes backups by id under the backup prefix, known only at run time; "
        "the grant is limited to that prefix of this one bucket.",
    )


def read_write_exports(role: iam.IRole, targets: GrantTargets) -> None:
    """Plain exports (and imports from them) under exports/, encrypted at rest by the bucket's key. A new export
    deletes the folder's old export.json first, so a half-written export never passes for the previous one."""
    objects = targets.backup_bucket.arn_for_objects(f"{EXPORT_PREFIX}/*")
    role.add_to_principal_policy(
        iam.PolicyStatement(
            actions=["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload"],
            resources=[objects],
        )
    )
    targets.backup_key.grant(role, "kms:GenerateDataKey", "kms:Decrypt")
    acknowledge(
        role,
        wildcard_resource_finding(role, objects),
        "Exports are keyed by a user-chosen folder under the exports/ prefix; "
        "the grant is limited to that prefix of this one bucket.",
    )


def copy_to_other_regions(role: iam.IRole, targets: GrantTargets) -> None:
    """`backup copy --region r`: write the backup prefix of `<prefix>-backups-<region>` in any region, and
    re-wrap the data key with that region's backup key, found by its alias (KMS keys never leave their region).

    A copy to a bucket of another name (`--bucket`) needs its own grant, or a bucket policy naming this role."""
    if targets.resource_prefix is None:
        return
    # Region names have at least two hyphens and end in a digit; the source bucket ends in the account id instead.
    buckets = f"arn:{Aws.PARTITION}:s3:::{targets.resource_prefix}-backups-*-*-?"
    objects = f"{buckets}/{BACKUP_PREFIX}/*"
    keys = f"arn:{Aws.PARTITION}:kms:*:{Aws.ACCOUNT_ID}:key/*"
    backup_key_alias = {"ForAnyValue:StringEquals": {"kms:ResourceAliases": f"alias/{targets.resource_prefix}-backups"}}
    role.add_to_principal_policy(iam.PolicyStatement(actions=["s3:ListBucket"], resources=[buckets]))
    role.add_to_principal_policy(
        iam.PolicyStatement(actions=["s3:PutObject", "s3:AbortMultipartUpload"], resources=[objects])
    )
    role.add_to_principal_policy(
        iam.PolicyStatement(actions=["kms:Encrypt"], resources=[keys], conditions=backup_key_alias)
    )
    # The target bucket encrypts what it stores with its region's backup key (SSE-KMS, multipart uploads).
    role.add_to_principal_policy(
        iam.PolicyStatement(
            actions=["kms:GenerateDataKey", "kms:Decrypt"],
            resources=[keys],
            conditions={**backup_key_alias, "StringLike": {"kms:ViaService": "s3.*.amazonaws.com"}},
        )
    )
    acknowledge(
        role,
        wildcard_resource_finding(role, buckets),
        "Copy targets are this stage's backup buckets in other regions, named <prefix>-backups-<region>; the "
        "region is chosen at run time, so the pattern leaves only the region open.",
    )
    acknowledge(
        role,
        wildcard_resource_finding(role, objects),
        "Copied objects are keyed by backup id under the backup prefix of a copy-target bucket, known only at "
        "run time; the grant is limited to writing that prefix.",
    )
    acknowledge(
        role,
        wildcard_resource_finding(role, keys),
        "The target region's backup key is created by that region's deployment, so its id is unknown here; the "
        "grant is limited to keys carrying this stage's backup key alias (kms:ResourceAliases).",
    )


OPERATION_GRANTS: dict[str, tuple[Grant, ...]] = {
    # health checks every store (the Data Validation check reads the data) and records the result in the history.
    "health": (
        describe_tables,
        read_data_table,
        write_control_table,
        read_backups,
        describe_backup_key,
        read_postgres_secret,
        read_opensearch,
    ),
    "status": (read_data_table, read_control_table, list_backup_bucket, read_postgres_secret),
    # provision runs at deploy time as a custom resource: it creates the search indexes with their mappings.
    "provision": (manage_opensearch_indexes,),
    # sync compares and writes both stores, holds the lock, audits, and keeps sync points next to the backups.
    "sync": (
        read_data_table,
        write_data_items,
        read_control_table,
        write_control_table,
        read_write_sync_points,
        write_search_documents,
    ),
    # sync_stream reads the table's stream (through its event source mapping) and writes search documents; it
    # reads an item back to tell a re-created item from a replayed write of a deleted one.
    "sync_stream": (read_data_stream, read_data_table, write_search_documents),
    # migrate changes items in batches and re-indexes them; the history, lock and audit live in the control table
    # (or PostgreSQL). Mapping updates are PUTs on the index path, which write_search_documents' ESHttpPut covers.
    "migrate": (
        read_data_table,
        write_data_items,
        read_control_table,
        write_control_table,
        read_postgres_secret,
        write_search_documents,
    ),
    # seed reads existing keys and writes records to DynamoDB, PostgreSQL and the search index; lock + audit.
    "seed": (
        read_data_table,
        write_data_items,
        read_control_table,
        write_control_table,
        read_postgres_secret,
        write_search_documents,
    ),
    # reset clears and seeds like seed, records the state promise in the control table, and takes snapshots and
    # restores through the backup capability. It never deletes backup objects.
    "reset": (
        read_data_table,
        write_data_items,
        read_control_table,
        write_control_table,
        read_postgres_secret,
        write_search_documents,
        read_write_backups,
    ),
    # validate reads every store; with FIX_ISSUES it repairs items, rows and documents under the lock (audited),
    # and it writes its full report next to the backups.
    "validate": (
        read_data_table,
        write_data_items,
        read_control_table,
        write_control_table,
        read_postgres_secret,
        write_search_documents,
        list_backup_bucket,
        write_validation_reports,
        inspect_backup_bucket_security,
    ),
    # monitor runs every health check and a quick validation, keeps metrics and alerts in the control table and
    # publishes alert notices.
    "monitor": (
        describe_tables,
        read_data_table,
        read_control_table,
        write_control_table,
        read_backups,
        describe_backup_key,
        read_postgres_secret,
        read_opensearch,
        publish_alerts,
    ),
    # maintenance: backup cleanup, then validate with fixes (validate's grants), then health (recorded).
    "maintenance": (
        describe_tables,
        read_data_table,
        write_data_items,
        read_control_table,
        write_control_table,
        expire_backups,
        describe_backup_key,
        read_postgres_secret,
        write_search_documents,
        write_validation_reports,
        inspect_backup_bucket_security,
    ),
    # backup reads every store into encrypted objects (lock + audit), validates and retires backups, exports /
    # imports plain files under exports/ (import replaces data, so it writes every store), and copies backups to
    # this stage's backup bucket in another region.
    "backup": (
        read_data_table,
        write_data_items,
        read_control_table,
        write_control_table,
        read_postgres_secret,
        write_search_documents,
        read_write_backups,
        manage_backups,
        read_write_exports,
        copy_to_other_regions,
    ),
    # restore validates a backup, takes a safety backup, then replaces tables, items and indexes (lock + audit).
    "restore": (
        read_data_table,
        write_data_items,
        read_control_table,
        write_control_table,
        read_postgres_secret,
        write_search_documents,
        read_write_backups,
    ),
}


def grants_for(operation: str) -> tuple[Grant, ...]:
    try:
        return OPERATION_GRANTS[operation]
    except KeyError:
        raise KeyError(
            f"operation {operation!r} is deployed but has no entry in infra/constructs/operation_grants.py "
            "OPERATION_GRANTS; add the grants it needs there"
        ) from None
