"""Configuration from the environment, under both seeds' variable names.

Store names and behaviour defaults are read here once; operations receive a `Settings` object.
"""

from __future__ import annotations

from typing import Literal

from pydantic import AliasChoices, Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from dataops import naming
from dataops.errors import InvalidRequest

Target = Literal["local", "aws"]

LOCAL_ENDPOINT = "http://127.0.0.1:4566"


def _alias(*names: str) -> AliasChoices:
    return AliasChoices(*names)


class BehaviourDefaults(BaseSettings):
    """The seeds' behaviour switches; a request field left out takes its value from here."""

    model_config = SettingsConfigDict(extra="ignore", case_sensitive=False)

    dry_run: bool = Field(default=False, validation_alias=_alias("DRY_RUN"))
    skip_existing: bool = Field(default=True, validation_alias=_alias("SKIP_EXISTING"))
    fix_issues: bool = Field(default=False, validation_alias=_alias("FIX_ISSUES"))
    strict_mode: bool = Field(default=False, validation_alias=_alias("STRICT_MODE"))
    compression_enabled: bool = Field(default=True, validation_alias=_alias("COMPRESSION_ENABLED"))
    encryption_enabled: bool = Field(default=True, validation_alias=_alias("ENCRYPTION_ENABLED"))
    retention_days: int = Field(default=30, ge=1, validation_alias=_alias("RETENTION_DAYS"))
    restore_tables: str | None = Field(default=None, validation_alias=_alias("RESTORE_TABLES"))
    # The health check's and `monitor check`'s quick validation reads at most this many records per entity.
    validation_sample: int = Field(default=5000, ge=1, validation_alias=_alias("VALIDATION_SAMPLE"))


class Settings(BaseSettings):
    """Where the stores are. Unset names fall back to the physical names the CDK app gives them."""

    model_config = SettingsConfigDict(extra="ignore", case_sensitive=False, populate_by_name=True)

    profile: str = Field(default=naming.DEFAULT_PROFILE, validation_alias=_alias("DATAOPS_PROFILE", "PROFILE"))
    stage: str = Field(default=naming.DEFAULT_STAGE, validation_alias=_alias("DATAOPS_STAGE", "STAGE"))
    target: Target = Field(default="local", validation_alias=_alias("DATAOPS_TARGET"))
    region: str = Field(default="us-east-1", validation_alias=_alias("AWS_REGION", "AWS_DEFAULT_REGION"))
    endpoint_url: str | None = Field(default=None, validation_alias=_alias("AWS_ENDPOINT_URL"))

    table_name: str | None = Field(default=None, validation_alias=_alias("DYNAMODB_TABLE_NAME", "DYNAMO_TABLE_NAME"))
    control_table_name: str | None = Field(default=None, validation_alias=_alias("DATAOPS_CONTROL_TABLE"))
    bucket_name: str | None = Field(default=None, validation_alias=_alias("BACKUP_BUCKET", "S3_BUCKET_NAME"))
    backup_prefix: str = Field(default=naming.BACKUP_PREFIX, validation_alias=_alias("BACKUP_PREFIX"))
    backup_kms_key_id: str | None = Field(default=None, validation_alias=_alias("BACKUP_KMS_KEY_ID"))

    postgres_secret_arn: str | None = Field(default=None, validation_alias=_alias("POSTGRES_SECRET_ARN"))
    postgres_dsn: str | None = Field(default=None, validation_alias=_alias("DATAOPS_PG_DSN"))
    postgres_host: str | None = Field(default=None, validation_alias=_alias("POSTGRES_HOST"))
    postgres_port: int = Field(default=5432, validation_alias=_alias("POSTGRES_PORT"))
    postgres_database: str | None = Field(default=None, validation_alias=_alias("POSTGRES_DATABASE", "POSTGRES_DB"))
    postgres_user: str | None = Field(default=None, validation_alias=_alias("POSTGRES_USER"))
    postgres_password: str | None = Field(default=None, validation_alias=_alias("POSTGRES_PASSWORD"))
    postgres_connect_timeout: int = Field(default=3, ge=1, validation_alias=_alias("POSTGRES_CONNECT_TIMEOUT"))

    opensearch_endpoint: str | None = Field(default=None, validation_alias=_alias("OPENSEARCH_ENDPOINT"))
    opensearch_index: str | None = Field(default=None, validation_alias=_alias("OPENSEARCH_INDEX"))
    opensearch_timeout: int = Field(default=5, ge=1, validation_alias=_alias("OPENSEARCH_TIMEOUT"))

    migrations_path: str | None = Field(default=None, validation_alias=_alias("MIGRATIONS_PATH"))
    # A migration waits this long for a lock before it gives up (and rolls back), so a queue of application
    # queries never forms behind its ALTER TABLE; a file's own `lock_timeout` / `statement_timeout` win.
    migration_lock_timeout: float = Field(default=5.0, gt=0, validation_alias=_alias("MIGRATION_LOCK_TIMEOUT"))
    migration_statement_timeout: float = Field(
        default=300.0, gt=0, validation_alias=_alias("MIGRATION_STATEMENT_TIMEOUT")
    )
    alert_topic_arn: str | None = Field(default=None, validation_alias=_alias("ALERT_TOPIC_ARN"))
    account: str = Field(default="000000000000", validation_alias=_alias("DATAOPS_ACCOUNT", "CDK_DEFAULT_ACCOUNT"))

    @field_validator("stage")
    @classmethod
    def _stage_is_valid(cls, value: str) -> str:
        return naming.validate_stage(value)

    @property
    def aws_endpoint(self) -> str | None:
        """The endpoint boto3 should use; on the local target it defaults to MiniStack."""
        if self.endpoint_url:
            return self.endpoint_url
        return LOCAL_ENDPOINT if self.target == "local" else None

    def resolved_table_name(self, base_name: str) -> str:
        return self.table_name or naming.data_table_name(base_name, self.stage)

    def resolved_control_table(self) -> str:
        return self.control_table_name or naming.control_table_name(self.profile, self.stage)

    def resolved_bucket(self) -> str:
        return self.bucket_name or naming.backup_bucket_name(self.profile, self.stage, self.account)

    def resolved_index(self, base_name: str) -> str:
        return self.opensearch_index or naming.search_index_name(base_name, self.stage)

    def resolved_alert_topic_arn(self) -> str:
        """The monitoring stack's topic, by its agreed name, so functions need no reference to that stack."""
        if self.alert_topic_arn:
            return self.alert_topic_arn
        return f"arn:aws:sns:{self.region}:{self.account}:{naming.alert_topic_name(self.profile, self.stage)}"

    def resolved_opensearch_endpoint(self) -> str | None:
        if self.opensearch_endpoint:
            return self.opensearch_endpoint
        return "http://127.0.0.1:9200" if self.target == "local" else None


def load_settings(**overrides: object) -> Settings:
    """Read the environment; bad values become one InvalidRequest naming the variable."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        raise InvalidRequest.from_validation_error(exc) from None


def behaviour_defaults() -> BehaviourDefaults:
    try:
        return BehaviourDefaults()
    except ValidationError as exc:
        raise InvalidRequest.from_validation_error(exc) from None
