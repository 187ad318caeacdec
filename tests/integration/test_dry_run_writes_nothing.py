"""Dry runs write nothing anywhere (validation reports included), and plan even before the migrations ran."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from dataops.cli.main import app
from dataops.errors import ConfigurationError
from dataops.operations.maintenance import MAINTENANCE
from dataops.operations.seed import SEED
from dataops.operations.validate import VALIDATE
from tests.integration.backup_support import bucket_keys, dynamodb_snapshot, migrate

pytestmark = pytest.mark.integration

runner = CliRunner()
AGENT_TABLES = ("services", "dependencies", "policies")


def _with_public_access_block(stores):
    """As the CDK app deploys the backup bucket, so the security checks have nothing to report about it."""
    stores.backups.client.put_public_access_block(
        Bucket=stores.backups.bucket,
        PublicAccessBlockConfiguration=dict.fromkeys(
            ("BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets"), True
        ),
    )
    return stores


def test_validate_dry_run_stores_no_report(provisioned):
    stores = _with_public_access_block(provisioned("tattoo_directory"))
    before = bucket_keys(stores)
    result = VALIDATE.run(VALIDATE.parse({"target": "all", "dry_run": True, "store_report": True}), stores)
    assert result.status == "dry_run" and result.report_key is None
    assert any("not stored (dry run)" in warning for warning in result.warnings)
    assert bucket_keys(stores) == before

    stored = VALIDATE.run(VALIDATE.parse({"target": "all", "store_report": True}), stores)
    assert stored.report_key and bucket_keys(stores) == sorted([*before, stored.report_key])


def test_maintenance_dry_run_leaves_the_bucket_alone(provisioned):
    stores = _with_public_access_block(provisioned("agent_system"))
    migrate(stores)
    before = (bucket_keys(stores), dynamodb_snapshot(stores))
    result = MAINTENANCE.run(MAINTENANCE.parse({"dry_run": True}), stores)
    assert result.status == "dry_run" and result.steps[1].details["report_key"] is None
    assert (bucket_keys(stores), dynamodb_snapshot(stores)) == before


def test_seed_dry_run_before_migrations_counts_every_row_and_warns(provisioned):
    stores = provisioned("agent_system")
    before = dynamodb_snapshot(stores)
    planned = SEED.run(SEED.parse({"action": "list"}), stores).scenarios
    default = next(info for info in planned if info.default)

    result = SEED.run(SEED.parse({"action": "run", "dry_run": True}), stores)
    assert result.status == "dry_run"
    postgres = {tally.entity: tally for tally in result.tallies if tally.store == "postgres"}
    assert postgres, "agent_system seeds PostgreSQL"
    for entity, tally in postgres.items():
        assert tally.created == default.counts[entity] and tally.updated == tally.skipped == 0
        assert tally.warning and "migrations pending" in tally.warning
    assert len(result.warnings) == len(postgres)
    assert dynamodb_snapshot(stores) == before
    assert not any(stores.postgres.table_exists(table) for table in AGENT_TABLES)

    with pytest.raises(ConfigurationError, match="does not exist; apply the migrations first"):
        SEED.run(SEED.parse({"action": "run", "dry_run": False}), stores)
    assert dynamodb_snapshot(stores) == before, "a refused seed writes nothing"


def test_dry_run_init_on_a_fresh_stage_plans_every_step(provisioned, monkeypatch):
    stores = _with_public_access_block(provisioned("agent_system"))
    before = (dynamodb_snapshot(stores), bucket_keys(stores))
    monkeypatch.setenv("DRY_RUN", "true")
    result = runner.invoke(app, ["init", "--json", "--profile", "agent_system", "--stage", stores.settings.stage])
    assert result.exit_code == 0, result.output
    steps = json.loads(result.stdout)["steps"]
    assert list(steps) == ["migrate", "seed", "validate", "backup"]
    assert {step["status"] for step in steps.values()} == {"dry_run"}
    assert steps["seed"]["counts"]["created"] > 0
    assert (dynamodb_snapshot(stores), bucket_keys(stores)) == before
    assert not any(stores.postgres.table_exists(table) for table in AGENT_TABLES)
