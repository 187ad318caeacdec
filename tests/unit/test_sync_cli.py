"""`dataops sync`: every command documents itself with an example; bad input exits 2 naming the field."""

import pytest
from typer.testing import CliRunner

from dataops.cli.main import app
from tests.cli_text import unboxed

runner = CliRunner()
COMMANDS = (
    "dynamo-to-os",
    "os-to-dynamo",
    "detect-conflicts",
    "resolve-conflicts",
    "sync-point",
    "validate-sync-point",
)


@pytest.mark.parametrize("command", COMMANDS)
def test_each_command_has_help_with_an_example(command):
    result = runner.invoke(app, ["sync", command, "--help"])
    assert result.exit_code == 0
    assert "Example:" in result.stdout and f"dataops sync {command}" in result.stdout
    assert "--json" in result.stdout and "--remote" in result.stdout


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["sync", "resolve-conflicts", "newest"], "'newest' is not one of 'latest', 'dynamo_wins', 'opensearch_wins'"),
        (["sync", "sync-point", "../escape"], "field 'name'"),
        (["sync", "sync-point", "x", "--ranges", "0"], "field 'ranges'"),
        (["sync", "detect-conflicts", "--profile", "nope"], "field 'profile'"),
    ],
)
def test_bad_input_exits_2_naming_the_field(arguments, message):
    result = runner.invoke(app, arguments)
    assert result.exit_code == 2
    assert message in unboxed(result.stderr)
    assert "Traceback" not in result.output
