"""The backup workflow's fan-out: plan, a Map (bounded) invoking the backup function's unit action, finalize."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from aws_cdk.assertions import Template

from dataops import naming
from tests.infra.synth_support import STAGE, AssetDirs
from tests.infra.test_infra_workflows import PROFILE, _definitions, _synthesize, synthesized, template

__all__ = ["synthesized", "template"]  # module-scoped fixtures shared with the workflow tests

BACKUP_FUNCTION = naming.function_name(PROFILE, STAGE, "backup")


@pytest.fixture(scope="module")
def states(template: Template) -> dict[str, dict[str, Any]]:
    definition = _definitions(template)[naming.state_machine_name(PROFILE, STAGE, "backup")]
    found: dict[str, dict[str, Any]] = definition["States"]
    return found


def test_plan_then_a_bounded_map_over_the_planned_units(states: dict[str, dict[str, Any]]) -> None:
    plan = states["backup: plan"]
    assert plan["Parameters"]["FunctionName"].endswith(BACKUP_FUNCTION)
    assert plan["Parameters"]["Payload"] == {"action": "plan", "dry_run.$": "$.options.dry_run"}
    assert plan["ResultPath"] == "$.fanout.backup"
    assert plan["Next"] == "backup: dry run?"
    choice = states["backup: dry run?"]
    assert choice["Choices"][0]["Next"] == "backup: dry run"
    assert choice["Default"] == "backup: units"
    units = states["backup: units"]
    assert units["Type"] == "Map"
    assert units["MaxConcurrency"] == 4
    assert units["ItemsPath"] == "$.fanout.backup.units"
    assert units["ItemSelector"] == {
        "backup.$": "$.fanout.backup.backup.backup_id",
        "lease.$": "$.fanout.backup.backup.lease",
        "unit.$": "$$.Map.Item.Value",
    }
    assert units["ResultPath"] == "$.fanout.backup.outcomes"
    assert units["Next"] == "backup"
    (catch,) = units["Catch"]
    assert catch["ErrorEquals"] == ["States.ALL"]
    abort = states[catch["Next"]]
    assert abort["Parameters"]["Payload"]["action"] == "abort", "a failed Map releases the lease first"
    assert states[abort["Next"]]["Next"] == "Publish failure notice"


def test_each_unit_invokes_the_unit_action_and_keeps_only_its_outcome(states: dict[str, dict[str, Any]]) -> None:
    processor = states["backup: units"]["ItemProcessor"]
    unit = processor["States"][processor["StartAt"]]
    assert unit["Resource"].endswith(":states:::lambda:invoke")
    assert unit["Parameters"]["FunctionName"].endswith(BACKUP_FUNCTION)
    assert unit["Parameters"]["Payload"] == {
        "action": "unit",
        "backup.$": "$.backup",
        "lease.$": "$.lease",
        "unit.$": "$.unit",
    }
    assert unit["ResultSelector"] == {"outcome.$": "$.Payload.outcome"}
    assert unit["OutputPath"] == "$.outcome"
    retried = {error for retry in unit["Retry"] for error in retry["ErrorEquals"]}
    assert {"Lambda.ServiceException", "Lambda.TooManyRequestsException", "LockHeld", "States.TaskFailed"} <= retried
    assert all(retry["MaxAttempts"] <= 6 for retry in unit["Retry"])


def test_finalize_writes_the_manifest_from_the_outcomes_then_a_readable_summary(
    states: dict[str, dict[str, Any]],
) -> None:
    finalize = states["backup"]
    assert finalize["Parameters"]["Payload"] == {
        "action": "finalize",
        "dry_run.$": "$.options.dry_run",
        "backup.$": "$.fanout.backup.backup.backup_id",
        "lease.$": "$.fanout.backup.backup.lease",
        "outcomes.$": "$.fanout.backup.outcomes",
    }
    assert finalize["ResultSelector"]["stored_bytes.$"] == "$.Payload.backup.stored_bytes"
    assert finalize["Next"] == "backup: summary"
    summary = states["backup: summary"]["Parameters"]
    assert summary["counts.$"] == "States.JsonMerge($.fanout.backup.counts, $.steps.backup.counts, false)"
    assert states["backup: summary"]["ResultPath"] == "$.steps.backup"
    assert states["backup: summary"]["Next"] == states["backup: dry run"]["Next"] == "Did every step succeed?"


def test_map_concurrency_follows_its_context_key(asset_dirs: AssetDirs, tmp_path: Path) -> None:
    stack, _ = _synthesize(tmp_path, asset_dirs, backup_map_concurrency="2")
    definition = _definitions(Template.from_stack(stack))[naming.state_machine_name(PROFILE, STAGE, "backup")]
    assert definition["States"]["backup: units"]["MaxConcurrency"] == 2
