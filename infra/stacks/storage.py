"""Storage: the application's table, dataops' control table, the backup store and the PostgreSQL secret."""

from __future__ import annotations

import os
from typing import Any

from aws_cdk import CfnOutput, RemovalPolicy, Stack
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_kms as kms
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_secretsmanager as secretsmanager
from constructs import Construct

from dataops import naming
from infra.config import DeploymentConfig, DeploymentContextError
from infra.constructs.backup_store import BackupStore
from infra.constructs.control_table import ControlTable
from infra.constructs.data_table import DataTable
from infra.constructs.postgres_secret import PostgresSecret
from infra.local_postgres import PostgresEndpoint, resolve_local_postgres


class StorageStack(Stack):
    def __init__(self, scope: Construct, construct_id: str, *, config: DeploymentConfig, **kwargs: Any) -> None:
        super().__init__(scope, construct_id, **kwargs)
        profile = config.app_profile
        # Local stores are disposable; on AWS a stack deletion must never take the data with it.
        removal_policy = RemovalPolicy.DESTROY if config.is_local else RemovalPolicy.RETAIN

        self.data_table: dynamodb.ITable = DataTable(
            self,
            "DataTable",
            design=profile.table,
            stage=config.stage,
            removal_policy=removal_policy,
            existing_table_name=config.existing_table_name,
            existing_stream_arn=config.existing_table_stream_arn,
        ).table
        self.control_table: dynamodb.ITable = ControlTable(
            self,
            "ControlTable",
            table_name=naming.control_table_name(config.profile, config.stage),
            removal_policy=removal_policy,
        ).table
        backups = BackupStore(
            self,
            "BackupStore",
            profile=config.profile,
            stage=config.stage,
            removal_policy=removal_policy,
            bucket_name=config.backup_bucket_name(self.account),
            existing_bucket=config.existing_bucket_name is not None,
            existing_key_arn=config.existing_backup_key_arn,
        )
        self.backup_bucket: s3.IBucket = backups.bucket
        self.backup_key: kms.IKey = backups.key
        self.postgres_secret: secretsmanager.ISecret | None = (
            self._postgres_secret(config, removal_policy) if profile.uses_postgres else None
        )
        # Outputs live where the resources do: re-exporting an imported value from another stack is an anti-pattern.
        CfnOutput(self, "DataTableName", value=self.data_table.table_name)
        CfnOutput(self, "ControlTableName", value=self.control_table.table_name)
        CfnOutput(self, "BackupBucketName", value=self.backup_bucket.bucket_name)

    def _postgres_secret(self, config: DeploymentConfig, removal_policy: RemovalPolicy) -> secretsmanager.ISecret:
        secret_name = naming.postgres_secret_name(config.profile, config.stage)
        if config.existing_postgres_secret_arn:
            construct = PostgresSecret(
                self,
                "PostgresSecret",
                secret_name=secret_name,
                removal_policy=removal_policy,
                existing_secret_arn=config.existing_postgres_secret_arn,
            )
        elif config.is_local:
            construct = PostgresSecret(
                self,
                "PostgresSecret",
                secret_name=secret_name,
                removal_policy=removal_policy,
                local_connection=resolve_local_postgres(
                    config.postgres_dsn,
                    os.environ,
                    database=naming.local_database_name(config.profile, config.stage),
                ),
            )
        elif config.postgres_host:
            construct = PostgresSecret(
                self,
                "PostgresSecret",
                secret_name=secret_name,
                removal_policy=removal_policy,
                generated_for=PostgresEndpoint(
                    host=config.postgres_host,
                    port=config.postgres_port,
                    dbname=config.postgres_dbname,
                    username=config.postgres_username,
                ),
            )
        else:
            raise DeploymentContextError(
                "target=aws with a PostgreSQL profile needs -c existing_postgres_secret_arn=<arn> "
                "or -c postgres_host=<host>"
            )
        return construct.secret
