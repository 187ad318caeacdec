"""Commands that replace data ask first anywhere but the local default stage, and a refusal writes nothing."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from dataops.cli import consent
from dataops.cli.main import app
from dataops.cli.runner import CliTarget
from dataops.operations.backup import BACKUP
from tests.cli_text import unboxed
from tests.integration.backup_support import everything, fill_dynamodb, fill_opensearch

pytestmark = pytest.mark.integration
runner = CliRunner()


@pytest.fixture(scope="module")
def tattoo(provisioned):
    stores = provisioned("tattoo_directory")
    fill_dynamodb(stores, 12)
    fill_opensearch(stores, 5)
    BACKUP.run(BACKUP.parse({"action": "create", "name": "consent", "kind": "snapshot"}), stores)
    return stores


def commands() -> dict[str, list[str]]:
    return {
        "reset clear": ["reset", "clear"],
        "reset state": ["reset", "state", "minimal"],
        "reset restore": ["reset", "restore", "consent"],
        "restore": ["restore", "consent", "--no-safety-backup", "--no-settle-index"],
        "import": ["import", "exports/nowhere"],
    }


@pytest.mark.parametrize("command", list(commands()))
def test_without_a_terminal_or_yes_it_refuses_naming_the_stage_and_writes_nothing(tattoo, command):
    where = ["--profile", "tattoo_directory", "--stage", tattoo.settings.stage]
    before = everything(tattoo)
    result = runner.invoke(app, [*commands()[command], *where])
    assert result.exit_code == 2, result.output
    said = unboxed(result.stderr)
    assert f"replaces data on stage {tattoo.settings.stage!r} of tattoo_directory on the local target" in said
    assert f"DynamoDB table {tattoo.table.name}" in said and "pass --yes to go ahead" in said
    assert everything(tattoo) == before


def test_at_a_terminal_no_keeps_the_data_and_yes_goes_ahead(tattoo, monkeypatch):
    monkeypatch.setattr(consent, "at_a_terminal", lambda: True)
    where = ["--profile", "tattoo_directory", "--stage", tattoo.settings.stage]
    before = everything(tattoo)
    declined = runner.invoke(app, ["reset", "clear", "opensearch", *where], input="n\n")
    assert declined.exit_code == 1 and "nothing was changed" in declined.stderr
    assert "OpenSearch indexes" in declined.stderr and "DynamoDB table" not in declined.stderr
    assert everything(tattoo) == before

    accepted = runner.invoke(app, ["reset", "clear", "opensearch", *where], input="y\n")
    assert accepted.exit_code == 0, accepted.output
    index = tattoo.search_indexes()["artist"]
    tattoo.search.refresh(index)
    assert tattoo.search.count(index) == 0


def test_yes_and_dry_runs_never_ask(tattoo):
    where = ["--profile", "tattoo_directory", "--stage", tattoo.settings.stage]
    before = everything(tattoo)
    dry = runner.invoke(app, ["reset", "clear", "dynamodb", "--dry-run", *where])
    assert dry.exit_code == 0, dry.output
    assert everything(tattoo) == before
    cleared = runner.invoke(app, ["reset", "clear", "dynamodb", "--yes", *where])
    assert cleared.exit_code == 0, cleared.output
    assert sum(1 for _ in tattoo.table.scan()) == 0


def test_the_local_default_stage_is_the_only_place_that_goes_ahead_unasked():
    assert consent.is_local_default(CliTarget("tattoo_directory", "dev", "local"))
    assert not consent.is_local_default(CliTarget("tattoo_directory", "prod", "local"))
    assert not consent.is_local_default(CliTarget("tattoo_directory", "dev", "aws"))
