"""A failed result exits 1 whether it is printed as JSON or rendered: `--json` changes the output, never the code."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from dataops.cli.main import app
from dataops.operations.backup import BACKUP
from tests.integration.backup_support import fill_dynamodb

pytestmark = pytest.mark.integration
runner = CliRunner()


@pytest.fixture(scope="module")
def tattoo(provisioned):
    stores = provisioned("tattoo_directory")
    fill_dynamodb(stores, 20)
    return stores


@pytest.fixture(scope="module")
def broken_backup(tattoo) -> str:
    """A complete backup with one byte of one object flipped: `backup validate` reports it failed."""
    created = BACKUP.run(BACKUP.parse({"action": "create"}), tattoo).backup
    assert created is not None
    backup_id = str(created["backup_id"])
    manifest = tattoo.backups.get_json(f"{tattoo.settings.backup_prefix}/{backup_id}/manifest.json")
    key = manifest["objects"][0]["key"]
    data = bytearray(tattoo.backups.client.get_object(Bucket=tattoo.backups.bucket, Key=key)["Body"].read())
    data[len(data) // 2] ^= 0x40
    tattoo.backups.put_bytes(key, bytes(data))
    return backup_id


def commands(broken: str) -> dict[str, list[str]]:
    return {
        "backup validate": ["backup", "validate", broken],
        "restore": ["restore", broken, "--no-safety-backup", "--yes"],
        # A fresh stage has no state promise to check against: validate fails and says so.
        "reset validate": ["reset", "validate"],
    }


@pytest.mark.parametrize("command", ["backup validate", "restore", "reset validate"])
def test_a_failed_command_exits_1_with_and_without_json(tattoo, broken_backup, command):
    where = ["--profile", "tattoo_directory", "--stage", tattoo.settings.stage]
    args = commands(broken_backup)[command] + where
    rendered = runner.invoke(app, args)
    as_json = runner.invoke(app, [*args, "--json"])
    assert rendered.exit_code == 1, rendered.output
    assert as_json.exit_code == 1, as_json.output
    if as_json.output.lstrip().startswith("{"):
        # A failed result is still printed whole; an error raised before any result is one line on stderr.
        assert json.loads(as_json.output)["status"] == "failed"
