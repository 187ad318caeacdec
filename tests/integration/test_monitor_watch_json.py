"""`dataops monitor watch --json`: one JSON object per check, one per line, and every check is recorded."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from dataops import naming
from dataops.cli.main import app
from dataops.stores import aws

pytestmark = pytest.mark.integration

runner = CliRunner()


def _checks_recorded(stores) -> int:
    return sum(1 for item in stores.control.scan() if item.get("PK") == "MONITOR")


@pytest.fixture
def watched(provisioned):
    """agent_system stores and the alert topic a check publishes to (a fresh stage raises alerts)."""
    stores = provisioned("agent_system")
    sns = aws.client(stores.settings, "sns")
    topic_arn = sns.create_topic(Name=naming.alert_topic_name(stores.profile.name, stores.settings.stage))["TopicArn"]
    yield stores
    sns.delete_topic(TopicArn=topic_arn)


def test_watch_json_prints_one_object_per_tick(watched):
    stores = watched
    before = _checks_recorded(stores)
    common = ["--profile", "agent_system", "--stage", stores.settings.stage, "--target", "local"]
    result = runner.invoke(app, ["monitor", "watch", "--json", "--count", "2", "--interval", "1", *common])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert len(lines) == 2, result.stdout
    ticks = [json.loads(line) for line in lines]
    assert [(tick["operation"], tick["action"]) for tick in ticks] == [("monitor", "check")] * 2
    assert all(tick.get("metrics") for tick in ticks), ticks
    assert ticks[0]["started_at"] < ticks[1]["started_at"]
    assert _checks_recorded(stores) == before + 2


def test_watch_json_reports_a_failing_check_as_a_line_and_goes_on():
    absent = ["--profile", "agent_system", "--stage", "absentwatch", "--target", "local"]
    result = runner.invoke(app, ["monitor", "watch", "--json", "--count", "2", "--interval", "1", *absent])
    assert result.exit_code == 0, result.output
    ticks = [json.loads(line) for line in result.stdout.splitlines()]
    assert [tick["status"] for tick in ticks] == ["failed", "failed"]
    assert "absentwatch" in ticks[0]["error"]
