"""A command aimed at a stage whose stores don't exist says so in one line and exits 1, never with a traceback."""

from __future__ import annotations

import sys
import uuid

import pytest
from typer.testing import CliRunner

from dataops.cli.main import app, main

pytestmark = pytest.mark.integration

runner = CliRunner()


@pytest.fixture
def absent_stage() -> list[str]:
    return ["--profile", "agent_system", "--stage", f"absent{uuid.uuid4().hex[:8]}", "--target", "local"]


@pytest.mark.parametrize("command", [["status"], ["backup", "list"], ["monitor", "report"], ["reset", "validate"]])
def test_commands_name_the_missing_resource(command, absent_stage):
    result = runner.invoke(app, [*command, *absent_stage])
    assert result.exit_code == 1, result.output
    assert isinstance(result.exception, SystemExit), "the command stopped on purpose, not on an exception"
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    assert "Traceback" not in result.output
    stage = absent_stage[3]
    assert "not found" in lines[0] or "does not exist" in lines[0]
    assert stage in lines[0], "the line names the stage (or the resource) that is missing"


def test_status_names_the_missing_bucket(absent_stage):
    result = runner.invoke(app, ["status", *absent_stage])
    assert "NoSuchBucket" in result.stderr and f"{absent_stage[3]}-backups" in result.stderr


def test_the_dataops_command_turns_any_escaped_store_error_into_one_line(absent_stage, monkeypatch, capsys):
    # `audit` reads the control table outside the shared execute() door: main() is the last stop.
    monkeypatch.setattr(sys, "argv", ["dataops", "audit", *absent_stage])
    with pytest.raises(SystemExit) as stopped:
        main()
    assert stopped.value.code == 1
    err = capsys.readouterr().err
    assert err.startswith("error: ") and "ResourceNotFoundException" in err and "Traceback" not in err
