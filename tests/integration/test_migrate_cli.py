"""`dataops migrate` in-process against a provisioned stage: the dry run prints the SQL, apply and status agree."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from dataops.cli.main import app

pytestmark = pytest.mark.integration

runner = CliRunner()


def test_cli_dry_run_prints_sql_then_apply_and_status(provisioned):
    stores = provisioned("agent_system")
    common = ["--profile", "agent_system", "--stage", stores.settings.stage]
    planned = runner.invoke(app, ["migrate", "apply", "--dry-run", *common])
    assert planned.exit_code == 0, planned.output
    assert "ALTER TABLE services ADD COLUMN metadata JSONB DEFAULT '{}';" in planned.output
    assert not stores.postgres.table_exists("services")

    applied = runner.invoke(app, ["migrate", "apply", "--json", *common])
    assert applied.exit_code == 0, applied.output
    assert [step["outcome"] for step in json.loads(applied.output)["steps"]] == ["applied"] * 4

    status = runner.invoke(app, ["migrate", "status", "--json", *common])
    assert json.loads(status.output)["current_version"] == "20241203120000"
    assert runner.invoke(app, ["migrate", "validate", *common]).exit_code == 0
    rolled = runner.invoke(app, ["migrate", "rollback", *common])
    assert rolled.exit_code == 0 and "rolled_back" in rolled.output
    assert "current version: 20241201000300" in rolled.output
