"""The CLI refuses bad input with the same one-line message as the Lambda, before touching any store."""

import pytest
from typer.testing import CliRunner

from dataops.cli.main import app
from tests.cli_text import unboxed

runner = CliRunner()


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (
            ["health", "--profile", "nope"],
            "field 'profile': unknown profile 'nope'; valid: agent_system, tattoo_directory",
        ),
        (["status", "--stage", "Bad_Stage"], "field 'stage': Value error, stage 'Bad_Stage' must be"),
        # Choices are refused by the parser, which names the option and lists the valid values.
        (["health", "--target", "gcp"], "'--target' / '-t' (env var: 'DATAOPS_TARGET'): Value error, 'gcp'"),
        (["health", "--remote", "--target", "gcp"], "'gcp' is not one of 'local', 'aws'"),
        # --yes belongs to the commands that replace data; elsewhere nothing would be destroyed, and it is refused.
        (["seed", "run", "--yes"], "No such option: --yes"),
        (["backup", "create", "--yes"], "No such option: --yes"),
        (["migrate", "apply", "-y"], "No such option: -y"),
    ],
)  # fmt: skip
def test_bad_option_exits_2_naming_the_field(arguments, message):
    result = runner.invoke(app, arguments)
    assert result.exit_code == 2
    assert message in unboxed(result.stderr)
    assert "Traceback" not in result.output


def test_version_and_short_help():
    from dataops import __version__

    version = runner.invoke(app, ["--version"])
    assert (version.exit_code, version.stdout.strip()) == (0, f"dataops {__version__}")
    short, long = runner.invoke(app, ["backup", "create", "-h"]), runner.invoke(app, ["backup", "create", "--help"])
    assert short.exit_code == 0 and short.stdout == long.stdout and "--snapshot" in short.stdout


def test_help_lists_every_command():
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    for command in ("health", "status", "local"):
        assert command in result.stdout


def test_common_options_before_the_command_apply_to_it_for_this_run_only(monkeypatch):
    import json
    import os

    monkeypatch.setenv("DATAOPS_PROFILE", "agent_system")
    before = runner.invoke(app, ["-p", "tattoo_directory", "reset", "list", "--json"])
    assert before.exit_code == 0, before.output
    assert json.loads(before.stdout)["profile"] == "tattoo_directory", "the option beats the shell's variable"
    own = runner.invoke(app, ["--profile", "tattoo_directory", "reset", "list", "-p", "agent_system", "--json"])
    assert json.loads(own.stdout)["profile"] == "agent_system", "the command's own flag wins"
    assert os.environ["DATAOPS_PROFILE"] == "agent_system", "the shell's environment is left as it was"
