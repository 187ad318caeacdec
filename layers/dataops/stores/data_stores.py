"""The profile's stores, resolved from settings and built lazily, once.

Operations receive a `DataStores`; tests of pure logic can hand them a plain fake with the same attributes.
"""

from __future__ import annotations

from functools import cached_property
from typing import Any

from dataops import naming
from dataops.config import Settings
from dataops.errors import ConfigurationError
from dataops.profiles import Profile
from dataops.stores import aws
from dataops.stores.dynamodb import DynamoTable
from dataops.stores.dynamodb_wire import WireBatchWriter
from dataops.stores.kms import KeyService
from dataops.stores.opensearch import SearchStore, build_client
from dataops.stores.postgres import ConnectionParams, PostgresStore, params_from_dsn, params_from_secret
from dataops.stores.s3 import ObjectStore
from dataops.stores.secrets import SecretStore
from dataops.stores.sns import AlertTopic


class DataStores:
    def __init__(self, settings: Settings, profile: Profile) -> None:
        self.settings = settings
        self.profile = profile

    @cached_property
    def table(self) -> DynamoTable:
        return DynamoTable(
            aws.client(self.settings, "dynamodb"), self.settings.resolved_table_name(self.profile.table.base_name)
        )

    @cached_property
    def table_writer(self) -> WireBatchWriter:
        """The restore writer of the data table, on a client of its own (botocore validation off)."""
        return WireBatchWriter(aws.client(self.settings, "dynamodb", validate=False), self.table.name)

    @cached_property
    def control(self) -> DynamoTable:
        return DynamoTable(aws.client(self.settings, "dynamodb"), self.settings.resolved_control_table())

    @cached_property
    def backups(self) -> ObjectStore:
        return ObjectStore(aws.client(self.settings, "s3"), self.settings.resolved_bucket())

    @cached_property
    def secrets(self) -> SecretStore:
        return SecretStore(aws.client(self.settings, "secretsmanager"))

    @cached_property
    def backup_key(self) -> KeyService:
        key_id = (
            self.settings.backup_kms_key_id
            or f"alias/{naming.resource_prefix(self.profile.name, self.settings.stage)}-backups"
        )
        return KeyService(aws.client(self.settings, "kms"), key_id)

    @cached_property
    def alert_topic(self) -> AlertTopic:
        return AlertTopic(aws.client(self.settings, "sns"), self.settings.resolved_alert_topic_arn())

    @property
    def postgres_secret_id(self) -> str | None:
        """The secret PostgreSQL's connection comes from, or None when the environment gives it directly."""
        if self.settings.postgres_secret_arn:
            return self.settings.postgres_secret_arn
        if self.settings.postgres_dsn or self.settings.postgres_host:
            return None
        return naming.postgres_secret_name(self.profile.name, self.settings.stage)

    def postgres_params(self) -> ConnectionParams:
        timeout = self.settings.postgres_connect_timeout
        secret_id = self.postgres_secret_id
        if secret_id:
            return params_from_secret(self.secrets.get_json(secret_id), timeout)
        if self.settings.postgres_dsn:
            return params_from_dsn(self.settings.postgres_dsn, timeout)
        return {
            "host": self.settings.postgres_host,
            "port": self.settings.postgres_port,
            "dbname": self.settings.postgres_database or "postgres",
            "user": self.settings.postgres_user or "postgres",
            "password": self.settings.postgres_password or "",
            "connect_timeout": timeout,
        }

    @cached_property
    def postgres(self) -> PostgresStore:
        if not self.profile.uses_postgres:
            raise ConfigurationError(f"profile {self.profile.name!r} has no PostgreSQL entities")
        return PostgresStore(self.postgres_params(), create_missing_database=self.settings.target == "local")

    @cached_property
    def search(self) -> SearchStore:
        endpoint = self.settings.resolved_opensearch_endpoint()
        if not endpoint:
            raise ConfigurationError("OPENSEARCH_ENDPOINT is not set; the profile's search index needs it")
        credentials: Any | None = aws.credentials(self.settings) if self.settings.target == "aws" else None
        client = build_client(
            endpoint, timeout=self.settings.opensearch_timeout, region=self.settings.region, aws_credentials=credentials
        )
        return SearchStore(client, endpoint)

    def search_indexes(self) -> dict[str, str]:
        """Entity name -> physical index name, for entities the profile indexes."""
        indexes: dict[str, str] = {}
        for entity, placement in self.profile.search_indexes():
            indexes[entity.name] = self.settings.resolved_index(placement.index_base_name)
        return indexes
