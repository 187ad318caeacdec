"""The restore workflow's fan-out: plan, a Map (bounded by its own context key) invoking the restore function's unit
action with the plan's lease, finalize; a failed Map releases the lock (abort) before the failure notice."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from aws_cdk.assertions import Template

from dataops import naming
from tests.infra.synth_support import STAGE, AssetDirs
from tests.infra.test_infra_workflows import PROFILE, _definitions, _synthesize, synthesized, template

__all__ = ["synthesized", "template"]  # module-scoped fixtures shared with the workflow tests

RESTORE_FUNCTION = naming.function_name(PROFILE, STAGE, "restore")
MACHINE = naming.state_machine_name(PROFILE, STAGE, "restore")


@pytest.fixture(scope="module")
def states(template: Template) -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = _definitions(template)[MACHINE]["States"]
    return found


def test_verify_then_plan_then_a_bounded_map_then_finalize_then_validate(states: dict[str, dict[str, Any]]) -> None:
    assert states["verify-backup"]["Next"] == "restore: plan"
    plan = states["restore: plan"]
    assert plan["Parameters"]["FunctionName"].endswith(RESTORE_FUNCTION)
    assert plan["Parameters"]["Payload"] == {
        "action": "plan",
        "dry_run.$": "$.options.dry_run",
        "backup.$": "$.options.backup",
    }
    assert plan["ResultPath"] == "$.fanout.restore"
    choice = states[plan["Next"]]
    assert choice["Choices"][0] == {
        "Variable": "$.options.dry_run",
        "BooleanEquals": True,
        "Next": "restore: dry run",
    }
    units = states[choice["Default"]]
    assert units["Type"] == "Map" and units["MaxConcurrency"] == 4
    assert units["ItemsPath"] == "$.fanout.restore.units"
    assert units["ItemSelector"] == {
        "backup.$": "$.fanout.restore.backup.backup_id",
        "lease.$": "$.fanout.restore.backup.lease",
        "unit.$": "$$.Map.Item.Value",
    }
    finalize = states[units["Next"]]
    assert finalize["Parameters"]["Payload"] == {
        "action": "finalize",
        "dry_run.$": "$.options.dry_run",
        "backup.$": "$.fanout.restore.backup.backup_id",
        "lease.$": "$.fanout.restore.backup.lease",
        "outcomes.$": "$.fanout.restore.outcomes",
    }
    summary = states[finalize["Next"]]
    assert (
        summary["Parameters"]["counts.$"] == "States.JsonMerge($.fanout.restore.counts, $.steps.restore.counts, false)"
    )
    assert summary["Parameters"]["backup_id.$"] == "$.steps.restore.backup_id"
    assert summary["Next"] == states["restore: dry run"]["Next"] == "validate"


def test_each_unit_carries_the_lease_and_keeps_only_its_outcome(states: dict[str, dict[str, Any]]) -> None:
    processor = states["restore: units"]["ItemProcessor"]
    unit = processor["States"][processor["StartAt"]]
    assert unit["Parameters"]["FunctionName"].endswith(RESTORE_FUNCTION)
    assert unit["Parameters"]["Payload"] == {
        "action": "unit",
        "backup.$": "$.backup",
        "lease.$": "$.lease",
        "unit.$": "$.unit",
    }
    assert unit["OutputPath"] == "$.outcome"
    assert all(retry["MaxAttempts"] <= 6 for retry in unit["Retry"])


def test_every_state_that_can_fail_catches_everything_into_the_failure_notice(
    states: dict[str, dict[str, Any]],
) -> None:
    catching = [name for name, state in states.items() if state["Type"] in {"Task", "Map"}]
    assert {"verify-backup", "restore: plan", "restore: units", "restore", "validate", "restore: units: abort"} <= set(
        catching
    )
    for name in catching:
        (catch,) = states[name]["Catch"]
        assert catch["ErrorEquals"] == ["States.ALL"], name
        following = states[catch["Next"]]
        if following["Type"] == "Task" and name != "Publish failure notice":
            following = states[following["Next"]]  # the abort, then the notice
        if name != "Publish failure notice":
            assert following["Next"] == "Publish failure notice", name


def test_a_failed_map_releases_the_lock_before_the_notice(states: dict[str, dict[str, Any]]) -> None:
    (catch,) = states["restore: units"]["Catch"]
    abort = states[catch["Next"]]
    assert abort["Parameters"]["FunctionName"].endswith(RESTORE_FUNCTION)
    payload = abort["Parameters"]["Payload"]
    assert payload["action"] == "abort"
    assert payload["lease.$"] == "$.fanout.restore.backup.lease"
    assert payload["backup.$"] == "$.fanout.restore.backup.backup_id"
    assert abort["ResultPath"] is None
    notice = states[abort["Next"]]
    assert notice["Parameters"]["step"] == "restore: units"
    # An abort that fails itself still publishes the notice (the lease then expires on its own).
    assert abort["Catch"][0]["Next"] == abort["Next"]


def test_the_backup_workflow_releases_its_lease_the_same_way(template: Template) -> None:
    states = _definitions(template)[naming.state_machine_name(PROFILE, STAGE, "backup")]["States"]
    (catch,) = states["backup: units"]["Catch"]
    payload = states[catch["Next"]]["Parameters"]["Payload"]
    assert payload["action"] == "abort" and payload["lease.$"] == "$.fanout.backup.backup.lease"
    assert "stored_bytes.$" in states["backup: summary"]["Parameters"]


def test_restore_map_concurrency_follows_its_own_context_key(asset_dirs: AssetDirs, tmp_path: Path) -> None:
    stack, _ = _synthesize(tmp_path, asset_dirs, restore_map_concurrency="7")
    definitions = _definitions(Template.from_stack(stack))
    assert definitions[MACHINE]["States"]["restore: units"]["MaxConcurrency"] == 7
    assert (
        definitions[naming.state_machine_name(PROFILE, STAGE, "backup")]["States"]["backup: units"]["MaxConcurrency"]
        == 4
    )
