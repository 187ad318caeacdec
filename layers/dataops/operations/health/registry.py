"""Every health check, in report order, in one explicit list. A check is a plain function where its capability
lives; it runs once it is listed here (importing its module registers nothing)."""

from __future__ import annotations

from typing import Literal

from dataops.checks import CheckResult, HealthCheck
from dataops.operations.backup.health_check import backup_freshness
from dataops.operations.health import store_checks
from dataops.operations.migrate.health_check import migrations
from dataops.operations.validate.health_check import data_validation
from dataops.profiles import Profile


def uses_postgres(profile: Profile) -> bool:
    return profile.uses_postgres


def uses_opensearch(profile: Profile) -> bool:
    return profile.uses_opensearch


CHECKS: tuple[HealthCheck, ...] = (
    HealthCheck("Backup freshness", backup_freshness),
    HealthCheck("DynamoDB table", store_checks.data_table),
    HealthCheck("Control table", store_checks.control_table),
    HealthCheck("Backup bucket", store_checks.backup_bucket),
    HealthCheck("Backup encryption key", store_checks.backup_key),
    HealthCheck("PostgreSQL secret", store_checks.postgres_secret, applies=uses_postgres),
    HealthCheck("PostgreSQL", store_checks.postgres, applies=uses_postgres),
    HealthCheck("OpenSearch", store_checks.opensearch, applies=uses_opensearch),
    HealthCheck("Search indexes", store_checks.search_indexes, applies=uses_opensearch),
    HealthCheck("Migrations", migrations),
    HealthCheck("Data Validation", data_validation),
)


def checks_for(profile: Profile) -> list[HealthCheck]:
    return [check for check in CHECKS if check.applies(profile)]


def overall_of(results: list[CheckResult]) -> Literal["healthy", "warning", "critical"]:
    statuses = {result.status for result in results}
    if "fail" in statuses:
        return "critical"
    if "warn" in statuses:
        return "warning"
    return "healthy"
