"""The CLI refuses bad input with the same one-line message as the Lambda, before touching any store."""

import pytest
from typer.testing import CliRunner

from dataops.cli.main import app

runner = CliRunner()


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (
            ["health", "--profile", "nope"],
            "field 'profile': unknown profile 'nope'; valid: agent_system, tattoo_directory",
        ),
        (["status", "--stage", "Bad_Stage"], "field 'stage': Value error, stage 'Bad_Stage' must be"),
        (["health", "--target", "gcp"], "field 'target'"),
        (["health", "--remote", "--target", "gcp"], "field 'target'"),
    ],
)
def test_bad_option_exits_2_naming_the_field(arguments, message):
    result = runner.invoke(app, arguments)
    assert result.exit_code == 2
    assert message in result.stderr
    assert "Traceback" not in result.output


def test_help_lists_every_command():
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    for command in ("health", "status", "local"):
        assert command in result.stdout
