"""Where backups live: a versioned, KMS-encrypted, SSL-only bucket with access logs, and the key that guards them.

The key also wraps each backup's data keys (KMS GenerateDataKey), so it exists even when the bucket is imported.
"""

from __future__ import annotations

from aws_cdk import Duration, RemovalPolicy
from aws_cdk import aws_kms as kms
from aws_cdk import aws_s3 as s3
from constructs import Construct

from dataops import naming
from infra.constructs.acknowledge import acknowledge


class BackupStore(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        profile: str,
        stage: str,
        removal_policy: RemovalPolicy,
        bucket_name: str,
        existing_bucket: bool = False,
        existing_key_arn: str | None = None,
    ) -> None:
        super().__init__(scope, construct_id)
        self.key: kms.IKey = (
            kms.Key.from_key_arn(self, "ImportedKey", existing_key_arn)
            if existing_key_arn
            else kms.Key(
                self,
                "Key",
                alias=f"alias/{naming.resource_prefix(profile, stage)}-backups",
                description=f"dataops backups of {profile} ({stage}): bucket encryption and backup data keys",
                enable_key_rotation=True,
                removal_policy=removal_policy,
            )
        )
        if existing_bucket:
            self.bucket: s3.IBucket = s3.Bucket.from_bucket_attributes(
                self, "ImportedBucket", bucket_name=bucket_name, encryption_key=self.key
            )
            return
        access_logs = self._access_log_bucket(removal_policy)
        self.bucket = s3.Bucket(
            self,
            "Bucket",
            bucket_name=bucket_name,
            encryption=s3.BucketEncryption.KMS,
            encryption_key=self.key,
            # One data key per bucket instead of one KMS call per object keeps streamed backups cheap.
            bucket_key_enabled=True,
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            enforce_ssl=True,
            versioned=True,
            server_access_logs_bucket=access_logs,
            server_access_logs_prefix="backup-bucket/",
            lifecycle_rules=[
                # Retention is the backup operation's job; versions only guard against a mistaken delete.
                s3.LifecycleRule(noncurrent_version_expiration=Duration.days(30)),
                # A crashed streamed upload leaves parts behind that nothing else would clean.
                s3.LifecycleRule(abort_incomplete_multipart_upload_after=Duration.days(7)),
            ],
            removal_policy=removal_policy,
        )

    def _access_log_bucket(self, removal_policy: RemovalPolicy) -> s3.Bucket:
        bucket = s3.Bucket(
            self,
            "AccessLogs",
            # S3 server access logging delivers only to buckets encrypted with S3-managed keys.
            encryption=s3.BucketEncryption.S3_MANAGED,
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            enforce_ssl=True,
            lifecycle_rules=[s3.LifecycleRule(expiration=Duration.days(365))],
            removal_policy=removal_policy,
        )
        acknowledge(
            bucket,
            "AwsSolutions-S1",
            "This bucket holds the backup bucket's server access logs; logging it into itself would loop "
            "and logging it elsewhere would only move the question one bucket further.",
        )
        return bucket
