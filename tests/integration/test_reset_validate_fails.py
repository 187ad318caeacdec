"""`reset validate` finding differences is a failure everywhere: the CLI exits 1 and a workflow step fails."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from dataops.cli.main import app
from dataops.operations.reset import RESET
from dataops.workflow_runs import StepFailed, run_in_process
from dataops.workflows import Workflow, WorkflowStep

pytestmark = pytest.mark.integration

runner = CliRunner()


def _validate(stores) -> tuple[int, dict]:
    common = ["--profile", "tattoo_directory", "--stage", stores.settings.stage, "--target", "local"]
    result = runner.invoke(app, ["reset", "validate", "--json", *common])
    return result.exit_code, json.loads(result.stdout)


def test_validate_exits_1_on_differences_and_fails_a_workflow_step(provisioned):
    stores = provisioned("tattoo_directory")
    RESET.run(RESET.parse({"action": "state", "state": "minimal"}), stores)
    code, clean = _validate(stores)
    assert (code, clean["status"], clean["counts"]) == (0, "succeeded", {"differences": 0})

    [index] = stores.search_indexes().values()
    stores.search.client.delete(index=index, id="artist-minimal-000003", params={"refresh": "true"})
    code, drifted = _validate(stores)
    assert (code, drifted["status"], drifted["counts"]) == (1, "failed", {"differences": 1})

    check_only = Workflow(
        "check", "validate the last state", (WorkflowStep("validate", "reset", {"action": "validate"}),)
    )
    seen: list[tuple[str, str]] = []
    with pytest.raises(StepFailed, match="at step validate: it finished with status failed"):
        run_in_process(
            check_only, {"dry_run": False}, stores.settings, lambda step, change, _: seen.append((step, change))
        )
    assert seen == [("validate", "started"), ("validate", "failed")]
