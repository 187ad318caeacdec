"""health and status in-process against real stores provisioned the way the CDK app provisions them."""

import socket
import time

import pytest

from dataops.operations.backup import BACKUP
from dataops.operations.health import HEALTH, HealthRequest
from dataops.operations.health.history import recent_health
from dataops.operations.migrate import MIGRATE
from dataops.operations.status import STATUS, StatusRequest

pytestmark = pytest.mark.integration


@pytest.mark.parametrize("profile", ["agent_system", "tattoo_directory"])
def test_freshly_provisioned_profile_is_healthy(provisioned, profile):
    stores = provisioned(profile)
    MIGRATE.run(MIGRATE.parse({"action": "apply"}), stores)
    BACKUP.run(BACKUP.parse({"action": "create"}), stores)  # "Backup freshness" warns until one exists
    report = HEALTH.run(HealthRequest(), stores)
    assert report.overall == "healthy", [check.model_dump() for check in report.checks if check.status != "pass"]
    assert all(check.latency_ms >= 0 for check in report.checks)
    names = {check.name for check in report.checks}
    assert ("PostgreSQL" in names) == (profile == "agent_system")
    assert ("Search indexes" in names) == (profile == "tattoo_directory")


def test_postgres_unreachable_is_critical_naming_postgres_quickly(provisioned):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    stores = provisioned("agent_system", postgres_port=closed_port)
    started = time.monotonic()
    report = HEALTH.run(HealthRequest(), stores)
    assert time.monotonic() - started < 10
    assert report.overall == "critical"
    failed = {check.name: check.message for check in report.checks if check.status == "fail"}
    # Migrations are recorded in PostgreSQL and Data Validation reads it, so those checks cannot answer either.
    assert set(failed) == {"PostgreSQL", "Migrations", "Data Validation"}
    assert all("unreachable" in message and "Traceback" not in message for message in failed.values())


def test_missing_search_index_is_critical(provisioned):
    stores = provisioned("tattoo_directory")
    for index in stores.search_indexes().values():
        stores.search.client.indices.delete(index=index)
    report = HEALTH.run(HealthRequest(), stores)
    assert report.overall == "critical"
    [failed] = [check for check in report.checks if check.status == "fail"]
    assert failed.name == "Search indexes" and "does not exist" in failed.message
    from dataops.operations.provision import PROVISION, ProvisionRequest

    PROVISION.run(ProvisionRequest(), stores)


def test_recorded_health_lands_in_history(provisioned):
    stores = provisioned("tattoo_directory")
    MIGRATE.run(MIGRATE.parse({"action": "apply"}), stores)
    BACKUP.run(BACKUP.parse({"action": "create"}), stores)
    HEALTH.run(HealthRequest(record=True), stores)
    [entry] = recent_health(stores.control)
    assert entry["overall"] == "healthy" and "OpenSearch" in entry["checks"]


def test_dry_run_health_records_nothing(provisioned):
    stores = provisioned("tattoo_directory")
    HEALTH.run(HealthRequest(record=True, dry_run=True), stores)
    assert list(stores.control.scan()) == []


def test_status_counts_each_entity_in_each_store(provisioned, pg_connection):
    stores = provisioned("tattoo_directory")
    stores.table.batch_write(
        [{"PK": f"STYLE#s{n}", "SK": "METADATA", "entity_type": "style"} for n in range(4)]
        + [{"PK": f"ARTIST#a{n}", "SK": "PROFILE", "entity_type": "artist"} for n in range(7)]
    )
    [index] = stores.search_indexes().values()
    stores.search.bulk({"_index": index, "_id": f"a{n}", "_source": {"artistId": f"a{n}"}} for n in range(5))
    stores.search.refresh(index)
    result = STATUS.run(StatusRequest(), stores)
    rows = {row.entity: row for row in result.entities}
    assert (rows["artist"].dynamodb, rows["artist"].opensearch) == (7, 5)
    assert (rows["style"].dynamodb, rows["studio"].dynamodb) == (4, 0)
    assert result.counts == {"dynamodb": 11, "opensearch": 5}
    assert result.stores["dynamodb"] == stores.table.name and result.warnings == []


def test_status_warns_about_missing_postgres_tables_then_counts_rows(provisioned):
    stores = provisioned("agent_system")
    result = STATUS.run(StatusRequest(), stores)
    rows = {row.entity: row for row in result.entities}
    assert rows["service"].postgres is None and rows["persona"].dynamodb == 0
    assert "postgres: table services does not exist yet (apply the migrations)" in result.warnings
    with stores.postgres.transaction() as cursor:
        cursor.execute("CREATE TABLE services (service_id text PRIMARY KEY)")
        cursor.execute("INSERT INTO services VALUES ('billing'), ('search')")
    result = STATUS.run(StatusRequest(), stores)
    assert {row.entity: row.postgres for row in result.entities}["service"] == 2
    assert result.counts["postgres"] == 2
