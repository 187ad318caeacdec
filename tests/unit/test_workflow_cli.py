"""The workflow and audit commands' pure parts: option merging, history reading, `--since`, bad input (exit 2)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from typer.testing import CliRunner

from dataops.cli.audit import parse_since
from dataops.cli.main import app
from dataops.cli.runner import with_shell_behaviour
from dataops.errors import InvalidRequest
from dataops.stores.step_functions import step_changes

runner = CliRunner()
NOW = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)


def test_shell_switches_fill_only_fields_the_request_has_and_the_payload_leaves_out(monkeypatch) -> None:
    monkeypatch.setenv("DRY_RUN", "true")
    monkeypatch.setenv("FIX_ISSUES", "true")
    monkeypatch.delenv("SKIP_EXISTING", raising=False)
    fields = {"action", "dry_run", "skip_existing"}
    assert with_shell_behaviour(fields, {"action": "run"}) == {"action": "run", "dry_run": True}
    assert with_shell_behaviour(fields, {"action": "run", "dry_run": False})["dry_run"] is False


def test_no_shell_switch_means_no_extra_field(monkeypatch) -> None:
    for name in ("DRY_RUN", "SKIP_EXISTING", "FIX_ISSUES", "STRICT_MODE"):
        monkeypatch.delenv(name, raising=False)
    assert with_shell_behaviour({"dry_run", "fix_issues"}, {"action": "run"}) == {"action": "run"}


def _entered(kind: str, name: str) -> dict:
    return {"type": f"{kind}StateEntered", "stateEnteredEventDetails": {"name": name}}


def _exited(name: str) -> dict:
    return {"type": "TaskStateExited", "stateExitedEventDetails": {"name": name}}


HISTORY = [
    {"type": "ExecutionStarted"},
    _entered("Pass", "Read input"),
    _entered("Task", "migrate"),
    {"type": "LambdaFunctionSucceeded"},
    _exited("migrate"),
    _entered("Task", "seed"),
    {"type": "LambdaFunctionFailed"},
    _exited("seed"),
    _entered("Pass", "seed failed"),
    _entered("Task", "Publish failure notice"),
    {"type": "TaskSucceeded"},
    _exited("Publish failure notice"),
]


def test_history_reads_as_steps_starting_and_ending() -> None:
    assert list(step_changes(HISTORY, 0)) == [
        ("migrate", "started"),
        ("migrate", "succeeded"),
        ("seed", "started"),
        ("seed", "failed"),
        ("Publish failure notice", "started"),
        ("Publish failure notice", "succeeded"),
    ]
    assert list(step_changes(HISTORY, 7)) == [
        ("Publish failure notice", "started"),
        ("Publish failure notice", "succeeded"),
    ]


def test_a_retried_step_that_then_succeeds_reads_as_succeeded() -> None:
    retried = [_entered("Task", "health"), {"type": "LambdaFunctionFailed"}, {"type": "LambdaFunctionSucceeded"}]
    assert list(step_changes([*retried, _exited("health")], 0))[-1] == ("health", "succeeded")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("24h", datetime(2026, 12, 5, 12, 0, tzinfo=UTC)),
        ("7d", datetime(2026, 11, 29, 12, 0, tzinfo=UTC)),
        ("2026-12-01", datetime(2026, 12, 1, tzinfo=UTC)),
        ("2026-12-06T10:30:00+00:00", datetime(2026, 12, 6, 10, 30, tzinfo=UTC)),
    ],
)
def test_since_accepts_relative_and_iso_times(value: str, expected: datetime) -> None:
    assert parse_since(value, NOW) == expected


def test_since_refuses_the_future() -> None:
    with pytest.raises(InvalidRequest, match="is in the future"):
        parse_since("2026-12-07", NOW)


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["workflow", "start", "nightly"], "field 'workflow': unknown workflow 'nightly'; valid: backup, export,"),
        (["workflow", "start", "init", "--input", "{oops"], "field '--input': is not JSON"),
        (["workflow", "start", "init", "--input", "[1]"], "field '--input': must be a JSON object, got list"),
        (["workflow", "start", "init", "--set", "dry_run"], "field '--set': expected key=value, got 'dry_run'"),
        (["workflow", "start", "init", "--set", "dryrun=true"], "field 'dryrun': unknown option for workflow 'init'"),
        (["workflow", "start", "init", "--set", "dry_run=maybe"], "field 'dry_run': must be bool, got \"maybe\""),
        (["workflow", "start", "restore"], "field 'backup': required option is missing"),
        (["init", "--profile", "nope"], "field 'profile': unknown profile 'nope'"),
    ],
)
def test_bad_workflow_input_exits_2_naming_the_field(arguments: list[str], message: str) -> None:
    result = runner.invoke(app, arguments)
    assert result.exit_code == 2, result.output
    assert message in result.stderr
    assert "Traceback" not in result.output


@pytest.mark.parametrize(
    "command", [["workflow", "start"], ["workflow", "status"], ["workflow", "list"], ["init"], ["audit"]]
)
def test_every_command_explains_itself_with_an_example(command: list[str]) -> None:
    result = runner.invoke(app, [*command, "--help"])
    assert result.exit_code == 0
    assert "Example" in result.output
    assert "--json" in result.output
