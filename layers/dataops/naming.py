"""Physical names shared by the CDK app, the CLI and the handlers, so each side finds the others' resources."""

from __future__ import annotations

import re

DEFAULT_STAGE = "dev"
DEFAULT_PROFILE = "agent_system"

# Fed by the data table's DynamoDB stream, deployed only for profiles with search indexes.
STREAM_SYNC_FUNCTION = "sync_stream"

# Key prefixes in the backup bucket. The runtime writes under them and the CDK app grants exactly them, so both
# read them here. Backups sit under BACKUP_PREFIX (the deployed default; BACKUP_PREFIX in the environment moves it);
# exports, sync points and validation reports sit beside it, never inside it.
BACKUP_PREFIX = "backups"
EXPORT_PREFIX = "exports"
SYNC_POINT_PREFIX = "sync-points"
VALIDATION_REPORT_PREFIX = "reports/validation"

_STAGE_PATTERN = re.compile(r"^[a-z][a-z0-9-]{0,15}$")


def validate_stage(stage: str) -> str:
    if not _STAGE_PATTERN.match(stage):
        raise ValueError(f"stage {stage!r} must be 1-16 lowercase letters, digits or '-', starting with a letter")
    return stage


def profile_slug(profile: str) -> str:
    """`tattoo_directory` -> `tattoo-directory`; a dotted user profile keeps only its last segment."""
    return profile.rsplit(".", 1)[-1].replace("_", "-").lower()


def resource_prefix(profile: str, stage: str) -> str:
    return f"dataops-{profile_slug(profile)}-{stage}"


def local_database_name(profile: str, stage: str) -> str:
    """The database a profile's stage gets on the local target's one PostgreSQL server, so stages stay apart."""
    return f"dataops_{profile_slug(profile)}_{stage}".replace("-", "_")


def stack_name(profile: str, stage: str, kind: str) -> str:
    return f"{resource_prefix(profile, stage)}-{kind}"


def function_name(profile: str, stage: str, operation: str) -> str:
    return f"{resource_prefix(profile, stage)}-{operation}"


def control_table_name(profile: str, stage: str) -> str:
    return f"{resource_prefix(profile, stage)}-control"


def data_table_name(base_name: str, stage: str) -> str:
    return f"{base_name}-{stage}"


def backup_bucket_name(profile: str, stage: str, account: str) -> str:
    return f"{resource_prefix(profile, stage)}-backups-{account}"


def postgres_secret_name(profile: str, stage: str) -> str:
    return f"dataops/{profile_slug(profile)}/{stage}/postgres"


def search_index_name(base_name: str, stage: str) -> str:
    return f"{base_name}-{stage}"


def alert_topic_name(profile: str, stage: str) -> str:
    return f"{resource_prefix(profile, stage)}-alerts"


def stream_failures_queue_name(profile: str, stage: str) -> str:
    return f"{resource_prefix(profile, stage)}-stream-failures"


def state_machine_name(profile: str, stage: str, workflow: str) -> str:
    return f"{resource_prefix(profile, stage)}-{workflow}"


def schedule_rule_name(profile: str, stage: str, schedule: str) -> str:
    return f"{resource_prefix(profile, stage)}-{schedule}-schedule"
