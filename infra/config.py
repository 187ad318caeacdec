"""Deployment settings read from CDK context, validated in one model so a wrong value names its context key."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from dataops import naming, registry
from dataops.errors import InvalidRequest
from dataops.profiles import Profile, load_profile

Target = Literal["local", "aws"]

# CloudWatch Logs accepts only these retention periods; anything else fails at deploy time, so fail at synth.
LOG_RETENTION_CHOICES: dict[int, str] = {
    1: "ONE_DAY",
    3: "THREE_DAYS",
    5: "FIVE_DAYS",
    7: "ONE_WEEK",
    14: "TWO_WEEKS",
    30: "ONE_MONTH",
    60: "TWO_MONTHS",
    90: "THREE_MONTHS",
    120: "FOUR_MONTHS",
    150: "FIVE_MONTHS",
    180: "SIX_MONTHS",
    365: "ONE_YEAR",
    400: "THIRTEEN_MONTHS",
    545: "EIGHTEEN_MONTHS",
    731: "TWO_YEARS",
    1096: "THREE_YEARS",
    1827: "FIVE_YEARS",
    2192: "SIX_YEARS",
    2557: "SEVEN_YEARS",
    2922: "EIGHT_YEARS",
    3288: "NINE_YEARS",
    3653: "TEN_YEARS",
}

LOCAL_OPENSEARCH_ENDPOINT = "http://127.0.0.1:9200"


# Lambda (timeout seconds, memory MB) for operations that move data in bulk; the rest get DEFAULT_SIZING.
OPERATION_SIZING: dict[str, tuple[int, int]] = {
    "validate": (900, 1024),
    "monitor": (300, 1024),
    "maintenance": (900, 1024),
    "sync": (900, 1024),
    "migrate": (900, 1024),
    "seed": (900, 1024),
    "reset": (900, 1024),
    "backup": (900, 1024),
    "restore": (900, 1024),
}
DEFAULT_SIZING = (60, 512)


class DeploymentContextError(ValueError):
    """A CDK context value is wrong or missing; the message names the key and how to set it."""


class DeploymentConfig(BaseModel):
    """Every CDK context key the app reads. All are optional; see cdk.json for the defaults a deploy uses."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    target: Target = "local"
    profile: str = naming.DEFAULT_PROFILE
    stage: str = naming.DEFAULT_STAGE
    layer_dir: Path = Path("build/layer")
    functions_dir: Path = Path("functions")

    existing_table_name: str | None = None
    existing_table_stream_arn: str | None = None
    existing_bucket_name: str | None = None
    existing_backup_key_arn: str | None = None
    existing_postgres_secret_arn: str | None = None

    log_retention_days: int = 30
    health_schedule_minutes: int = Field(default=15, ge=1)
    health_schedule_enabled: bool = True
    # The backup workflow daily and the maintenance workflow weekly; the e2e stage runs backup every minute.
    backup_schedule_minutes: int = Field(default=1440, ge=1)
    backup_schedule_enabled: bool = True
    # How many backup units (scan segments, the PostgreSQL unit, indexes) the backup workflow's Map runs at once.
    backup_map_concurrency: int = Field(default=4, ge=1, le=40)
    # How many restore units (DynamoDB backup objects, the PostgreSQL unit, indexes) the restore workflow's Map
    # runs at once.
    restore_map_concurrency: int = Field(default=4, ge=1, le=40)
    # How many migration units (scan segments, each through every pending item step) the migrate workflow runs at once.
    migrate_map_concurrency: int = Field(default=4, ge=1, le=40)
    # How many export units (table segments, PostgreSQL tables, indexes) and import units (files) run at once.
    export_map_concurrency: int = Field(default=4, ge=1, le=40)
    import_map_concurrency: int = Field(default=4, ge=1, le=40)
    # How many sync units (table segments, index slices) the sync workflow's Map runs at once.
    sync_map_concurrency: int = Field(default=4, ge=1, le=40)
    maintenance_schedule_minutes: int = Field(default=10080, ge=1)
    maintenance_schedule_enabled: bool = True
    # The monitor check (metrics, alerts) every 5 minutes.
    monitor_schedule_minutes: int = Field(default=5, ge=1)
    monitor_schedule_enabled: bool = True
    # The stream sync's IteratorAge alarm: an application write reaches OpenSearch more than this late.
    stream_lag_alarm_minutes: int = Field(default=15, ge=1)

    postgres_dsn: str | None = None
    postgres_host: str | None = None
    postgres_port: int = Field(default=5432, ge=1, le=65535)
    postgres_dbname: str = "dataops"
    postgres_username: str = "dataops"

    opensearch_endpoint: str | None = None
    opensearch_domain_arn: str | None = None

    @classmethod
    def context_keys(cls) -> tuple[str, ...]:
        return tuple(cls.model_fields)

    @classmethod
    def from_context(cls, context: Mapping[str, Any]) -> DeploymentConfig:
        """Validate raw context values: strings from `-c key=value`, JSON from cdk.json; None or "" is unset."""
        values = {key: value for key, value in context.items() if value not in (None, "")}
        try:
            return cls.model_validate(values)
        except ValidationError as error:
            raise DeploymentContextError(_describe(error)) from None

    @field_validator("stage")
    @classmethod
    def _stage_is_valid(cls, stage: str) -> str:
        return naming.validate_stage(stage)

    @field_validator("profile")
    @classmethod
    def _profile_loads(cls, profile: str) -> str:
        try:
            load_profile(profile)
        except InvalidRequest as error:
            raise ValueError("; ".join(reason for _, reason in error.problems)) from None
        return profile

    @field_validator("layer_dir")
    @classmethod
    def _layer_is_built(cls, layer_dir: Path) -> Path:
        if not (layer_dir / "python").is_dir():
            raise ValueError(f"layer not built: run `make layer` (missing {layer_dir / 'python'})")
        return layer_dir

    @field_validator("functions_dir")
    @classmethod
    def _handlers_exist(cls, functions_dir: Path) -> Path:
        missing = [
            op
            for op in (*registry.DEPLOYED_OPERATIONS, *registry.DEPLOY_TIME_FUNCTIONS)
            if not (functions_dir / op).is_dir()
        ]
        if missing:
            raise ValueError(f"no handler directory for {', '.join(missing)} under {functions_dir}")
        return functions_dir

    @field_validator("log_retention_days")
    @classmethod
    def _retention_is_supported(cls, days: int) -> int:
        if days not in LOG_RETENTION_CHOICES:
            valid = ", ".join(map(str, LOG_RETENTION_CHOICES))
            raise ValueError(f"{days} is not a CloudWatch Logs retention; valid: {valid}")
        return days

    @field_validator(
        "existing_table_stream_arn", "existing_backup_key_arn", "existing_postgres_secret_arn", "opensearch_domain_arn"
    )
    @classmethod
    def _is_arn(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith("arn:"):
            raise ValueError(f"expected an ARN starting with 'arn:' (got {value!r})")
        return value

    @model_validator(mode="after")
    def _stores_are_reachable(self) -> DeploymentConfig:
        if self.existing_table_stream_arn and not self.existing_table_name:
            raise ValueError("existing_table_stream_arn needs existing_table_name as well")
        profile = self.app_profile
        has_postgres_source = bool(self.existing_postgres_secret_arn or self.postgres_host)
        if self.target == "aws" and profile.uses_postgres and not has_postgres_source:
            raise ValueError(
                f"profile {self.profile!r} uses PostgreSQL: on target=aws pass -c existing_postgres_secret_arn=<arn> "
                "or -c postgres_host=<host> (with optional postgres_port, postgres_dbname, postgres_username)"
            )
        if self.target == "aws" and profile.uses_opensearch and not self.opensearch_endpoint:
            raise ValueError(
                f"profile {self.profile!r} uses OpenSearch: on target=aws pass -c opensearch_endpoint=https://<domain> "
                "(and -c opensearch_domain_arn=<arn> to grant the functions access)"
            )
        return self

    @property
    def app_profile(self) -> Profile:
        return load_profile(self.profile)

    @property
    def is_local(self) -> bool:
        return self.target == "local"

    def backup_bucket_name(self, account: str) -> str:
        return self.existing_bucket_name or naming.backup_bucket_name(self.profile, self.stage, account)

    @property
    def resolved_opensearch_endpoint(self) -> str:
        return self.opensearch_endpoint or LOCAL_OPENSEARCH_ENDPOINT

    @property
    def search_index(self) -> str | None:
        """The index the functions search; a profile keeps its searchable entity in one index."""
        searchable = self.app_profile.entities_in("opensearch")
        placement = searchable[0].opensearch if searchable else None
        return naming.search_index_name(placement.index_base_name, self.stage) if placement else None


def _describe(error: ValidationError) -> str:
    problems = []
    for item in error.errors():
        key = ".".join(str(part) for part in item["loc"])
        reason = str(item["msg"]).removeprefix("Value error, ")
        if item["type"] == "extra_forbidden":
            reason = "unknown context key; remove it"
        elif "input" in item and key and item["type"] not in {"value_error"}:
            reason = f"{reason} (got {item['input']!r})"
        problems.append(f"context key '{key}': {reason}" if key else reason)
    return "invalid CDK context: " + "; ".join(problems) + ". Set values with `-c key=value` or in cdk.json."
