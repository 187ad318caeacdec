"""Seed 004's "Integration Test" over the deployed suite: every command's help, the list commands here and
through the Lambda, configuration from the environment, and bad input refused the same way by both doors."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from dataops.cli.main import app
from dataops.registry import DEPLOYED_OPERATIONS
from dataops.workflows import WORKFLOWS
from tests.e2e.conftest import STAGE

pytestmark = pytest.mark.e2e

runner = CliRunner()

# The command map of the README: every seed command's dataops equivalent.
COMMANDS = [
    "init", "health", "status", "maintenance", "audit",
    "seed list", "seed run",
    "migrate status", "migrate apply", "migrate run", "migrate rollback", "migrate validate", "migrate create",
    "migrate list",
    "backup create", "backup list", "backup validate", "backup cleanup", "backup copy",
    "restore", "export", "import", "validate",
    "reset list", "reset state", "reset snapshot", "reset restore", "reset validate", "reset clear",
    "monitor check", "monitor watch", "monitor report", "monitor alerts", "monitor clear-alerts", "monitor test-alerts",
    "sync dynamo-to-os", "sync os-to-dynamo", "sync detect-conflicts", "sync resolve-conflicts", "sync sync-point",
    "sync validate-sync-point",
    "workflow start", "workflow status", "workflow list",
]  # fmt: skip
LIST_COMMANDS = [["seed", "list"], ["migrate", "list"], ["backup", "list"], ["reset", "list"]]


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_explains_itself_with_an_example(command: str) -> None:
    result = runner.invoke(app, [*command.split(), "--help"])
    assert result.exit_code == 0, f"`dataops {command}` is missing: {result.output[-300:]}"
    assert "Example" in result.output
    assert "--json" in result.output


@pytest.mark.parametrize("profile", ["agent_system", "tattoo_directory"])
@pytest.mark.parametrize("command", LIST_COMMANDS, ids=" ".join)
def test_list_commands_give_the_same_answer_here_and_through_the_lambda(deployed, profile, command) -> None:
    common = ["--json", "--profile", profile, "--stage", STAGE]
    here = runner.invoke(app, [*command, *common])
    remote = runner.invoke(app, [*command, *common, "--remote"])
    assert here.exit_code == remote.exit_code == 0, (here.output[-500:], remote.output[-500:])
    local_result, remote_result = json.loads(here.stdout), json.loads(remote.stdout)
    for moving in ("started_at", "duration_ms"):
        local_result.pop(moving), remote_result.pop(moving)
    assert local_result == remote_result


def test_workflow_list_shows_every_workflow_deployed(deployed) -> None:
    result = runner.invoke(app, ["workflow", "list", "--json", "--profile", "agent_system", "--stage", STAGE])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    # Every workflow is deployed for agent_system but sync, which needs a search index.
    assert {row["workflow"]: row["deployed"] for row in rows} == {
        name: not workflow.needs_search for name, workflow in WORKFLOWS.items()
    }
    assert {"migrate", "export", "import"} <= {row["workflow"] for row in rows if row["deployed"]}


def test_dry_run_from_the_shell_reaches_the_lambda_and_writes_nothing(deployed, invoke, monkeypatch) -> None:
    _, before = invoke("agent_system", "status", {"action": "show"})
    monkeypatch.setenv("DRY_RUN", "true")
    monkeypatch.setenv("SKIP_EXISTING", "false")
    result = runner.invoke(app, ["seed", "run", "--remote", "--json", "--profile", "agent_system", "--stage", STAGE])
    assert result.exit_code == 0, result.output
    seeded = json.loads(result.stdout)
    assert seeded["status"] == "dry_run"
    assert sum(seeded["counts"].values()) > 0
    _, after = invoke("agent_system", "status", {"action": "show"})
    assert after["counts"] == before["counts"]


def test_a_bad_environment_switch_is_refused_before_any_call(monkeypatch) -> None:
    monkeypatch.setenv("DRY_RUN", "sometimes")
    result = runner.invoke(app, ["seed", "run", "--remote", "--profile", "agent_system", "--stage", STAGE])
    assert result.exit_code == 2
    assert "DRY_RUN" in result.stderr


@pytest.mark.parametrize("operation", DEPLOYED_OPERATIONS)
@pytest.mark.parametrize(
    ("payload", "field", "reason"),
    [
        ({"action": "explode"}, "action", "Input should be"),
        ({"action": None, "surprise": 1}, "surprise", "unknown field; remove it"),
        ({"dry_run": "sometimes"}, "dry_run", "valid boolean"),
    ],
    ids=["unknown-action", "unknown-field", "wrong-type"],
)
def test_the_lambda_refuses_bad_input_naming_the_field(invoke, operation, payload, field, reason) -> None:
    payload = {key: value for key, value in payload.items() if value is not None}
    response, body = invoke("agent_system", operation, payload)
    assert response.get("FunctionError"), body
    assert f"field '{field}'" in body["errorMessage"]
    assert reason in body["errorMessage"]
    assert "Traceback" not in json.dumps(body)


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["seed", "run", "no-such-scenario", "--remote"], "unknown scenario 'no-such-scenario'"),
        (["workflow", "start", "restore", "--set", "backup=1"], "field 'backup': must be str, got 1"),
        (["health", "--remote", "--check", "Nope"], "Nope"),
    ],
)
def test_the_cli_refuses_bad_input_with_exit_2(deployed, arguments, message) -> None:
    result = runner.invoke(app, [*arguments, "--profile", "agent_system", "--stage", STAGE])
    assert result.exit_code == 2, result.output
    assert message in result.stderr
    assert "Traceback" not in result.output
