"""The "Migrations" health check and the schema version in status, on real stores."""

from __future__ import annotations

import shutil

import pytest

from dataops.operations.health import HEALTH, HealthRequest
from dataops.operations.migrate import MIGRATE, MigrationFailed
from dataops.operations.status import STATUS, StatusRequest
from dataops.stores.data_stores import DataStores
from tests.integration.test_migrate_postgres import FAILING

pytestmark = pytest.mark.integration


def migrations_check(stores):
    [check] = HEALTH.run(HealthRequest(checks=["Migrations"]), stores).checks
    return check


@pytest.mark.parametrize(("profile", "latest"), [("agent_system", "20241203120000"), ("tattoo_directory", "1.4.0")])
def test_pending_warns_applied_passes_and_status_shows_the_version(provisioned, profile, latest):
    stores = provisioned(profile)
    pending = migrations_check(stores)
    assert pending.status == "warn" and "4 pending" in pending.message
    assert STATUS.run(StatusRequest(), stores).details["schema_version"] is None
    MIGRATE.run(MIGRATE.parse({"action": "apply"}), stores)
    applied = migrations_check(stores)
    assert applied.status == "pass" and applied.details["current_version"] == latest
    assert STATUS.run(StatusRequest(), stores).details["schema_version"] == latest


def test_drift_warns_and_a_failed_migration_is_critical(provisioned, tmp_path):
    base = provisioned("agent_system")
    folder = tmp_path / "migrations"
    shutil.copytree(base.profile.migrations_dir, folder, ignore=shutil.ignore_patterns("__pycache__"))
    stores = DataStores(base.settings.model_copy(update={"migrations_path": str(folder)}), base.profile)
    MIGRATE.run(MIGRATE.parse({"action": "apply"}), stores)
    edited = folder / "20241201000100_create_services.py"
    edited.write_text(edited.read_text() + "\n# edited\n")
    drifted = migrations_check(stores)
    assert drifted.status == "warn" and "1 drifted" in drifted.message
    MIGRATE.run(MIGRATE.parse({"action": "apply", "repair": True}), stores)
    (folder / "20241204000000_broken.py").write_text(FAILING)
    with pytest.raises(MigrationFailed):
        MIGRATE.run(MIGRATE.parse({"action": "apply"}), stores)
    report = HEALTH.run(HealthRequest(checks=["Migrations"]), stores)
    assert report.overall == "critical"
    assert "20241204000000" in report.checks[0].message
