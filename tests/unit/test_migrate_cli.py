"""`dataops migrate` commands that need no stores: help with examples, create, and refused input."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from dataops.cli.main import app
from dataops.operations.migrate.files import load_migration

runner = CliRunner()


@pytest.mark.parametrize("command", ["status", "list", "apply", "run", "rollback", "validate", "create"])
def test_every_command_has_help_with_an_example(command):
    result = runner.invoke(app, ["migrate", command, "--help"])
    assert result.exit_code == 0
    assert "Example: dataops migrate" in " ".join(result.output.split())


def test_create_writes_a_timestamped_file_the_engine_loads(tmp_path):
    result = runner.invoke(
        app, ["migrate", "create", "Add new column to services table", "--path", str(tmp_path), "--json"]
    )
    assert result.exit_code == 0, result.output
    created = tmp_path / json.loads(result.output)["created"]
    assert created.name.endswith("_add_new_column_to_services_table.py")
    assert "from dataops.migrations import MigrationContext\n" in created.read_text()
    migration = load_migration(created)
    assert migration.description == "Add new column to services table"
    assert len(migration.version) == 14 and created.name.startswith(migration.version)
    with pytest.raises(NotImplementedError, match="write the up step"):
        migration.up(None)


def test_create_refuses_a_description_without_letters(tmp_path):
    result = runner.invoke(app, ["migrate", "create", "  !!  ", "--path", str(tmp_path)])
    assert result.exit_code == 2
    assert "description" in result.output
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("arguments", "field"),
    [(["apply", "--", "-1"], "target"), (["rollback", "latest"], "target")],
)
def test_bad_targets_exit_2_naming_the_field(arguments, field):
    result = runner.invoke(app, ["migrate", *arguments])
    assert result.exit_code == 2
    assert f"field '{field}'" in " ".join(result.output.split())
