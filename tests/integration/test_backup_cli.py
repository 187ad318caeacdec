"""The backup CLI commands on real stores: the same operations, through typer."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from dataops.cli.main import app
from tests.integration.backup_support import everything, fill_dynamodb, fill_opensearch

pytestmark = pytest.mark.integration
runner = CliRunner()


def cli(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.output


def test_backup_restore_export_import_from_the_command_line(provisioned, tmp_path, monkeypatch):
    stores = provisioned("tattoo_directory")
    fill_dynamodb(stores, 30)
    fill_opensearch(stores, 20)
    where = ["--profile", "tattoo_directory", "--stage", stores.settings.stage]
    before = everything(stores)

    code, output = cli("backup", "create", "--snapshot", "--name", "cli-snap", "--json", *where)
    assert code == 0, output
    backup_id = json.loads(output)["backup"]["backup_id"]
    code, output = cli("backup", "list", "--json", *where)
    assert code == 0 and json.loads(output)["backups"][0]["backup_id"] == backup_id
    code, output = cli("backup", "list", *where)
    assert code == 0 and "listed 1, complete 1" in output
    code, output = cli("backup", "validate", "cli-snap", *where)
    assert code == 0 and "valid: True" in output

    fill_dynamodb(stores, 10, tag="changed")
    # These stores hold synthetic items and documents that do not describe each other, so the index is kept
    # exactly as stored (settle_index false); test_index_settles.py proves the settling.
    code, output = cli("restore", "cli-snap", "--no-safety-backup", "--no-settle-index", "--yes", *where)
    assert code == 0, output
    assert everything(stores) == before

    monkeypatch.chdir(tmp_path)
    code, output = cli("export", *where)
    assert code == 0, output
    [folder] = list((tmp_path / "exports").iterdir())
    fill_dynamodb(stores, 10, tag="changed")
    code, output = cli("import", f"exports/{folder.name}", "--no-settle-index", "--yes", *where)
    assert code == 0, output
    assert everything(stores) == before


def test_bad_input_exits_2_with_one_clear_line(provisioned):
    stores = provisioned("tattoo_directory")
    where = ["--profile", "tattoo_directory", "--stage", stores.settings.stage]
    code, output = cli("restore", "no-such-snapshot", "--yes", *where)
    assert code == 2 and "field 'backup'" in output
    code, output = cli("export", "../outside", *where)
    assert code == 2 and "field 'path'" in output
    code, output = cli("backup", "create", "--table", "services", *where)
    assert code == 2 and "unknown tables 'services'" in output
