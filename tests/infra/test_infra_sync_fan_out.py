"""The sync workflow (tattoo_directory, which has a search index): plan with the direction, a Map bounded by its
own context key invoking the sync function's unit action with the job's lease and direction, finalize; a failed
Map releases the lease (abort) before the failure notice."""

from __future__ import annotations

from typing import Any

import pytest
from aws_cdk.assertions import Template

from dataops import naming
from tests.infra.synth_support import STAGE, AssetDirs
from tests.infra.test_infra_workflows import _definitions, _synthesize

PROFILE = "tattoo_directory"
SYNC_FUNCTION = naming.function_name(PROFILE, STAGE, "sync")
MACHINE = naming.state_machine_name(PROFILE, STAGE, "sync")
JOB = "$.fanout.sync.job"


@pytest.fixture(scope="module")
def definitions(asset_dirs: AssetDirs, tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Any]]:
    stack, _ = _synthesize(tmp_path_factory.mktemp("sync"), asset_dirs, PROFILE, sync_map_concurrency="6")
    return _definitions(Template.from_stack(stack))


@pytest.fixture(scope="module")
def states(definitions: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = definitions[MACHINE]["States"]
    return found


def test_plan_takes_the_direction_then_a_bounded_map_then_finalize(states: dict[str, dict[str, Any]]) -> None:
    plan = states["sync: plan"]
    assert plan["Parameters"]["FunctionName"].endswith(SYNC_FUNCTION)
    assert plan["Parameters"]["Payload"] == {
        "action": "plan",
        "direction.$": "$.options.direction",
        "dry_run.$": "$.options.dry_run",
        "entity.$": "$.options.entity",
    }
    assert plan["ResultSelector"]["job.$"] == "$.Payload.job"
    units = states[states[plan["Next"]]["Default"]]
    assert units["Type"] == "Map" and units["MaxConcurrency"] == 6
    assert units["ItemSelector"] == {
        "job.$": f"{JOB}.job_id",
        "lease.$": f"{JOB}.lease",
        "direction.$": f"{JOB}.direction",
        "unit.$": "$$.Map.Item.Value",
    }
    processor = units["ItemProcessor"]
    assert processor["States"][processor["StartAt"]]["Parameters"]["Payload"] == {
        "action": "unit",
        "job.$": "$.job",
        "lease.$": "$.lease",
        "direction.$": "$.direction",
        "unit.$": "$.unit",
    }
    finalize = states[units["Next"]]
    assert finalize["Parameters"]["Payload"] == {
        "action": "finalize",
        # The job's own direction (carried from plan) wins over the option: they are the same value.
        "direction.$": f"{JOB}.direction",
        "dry_run.$": "$.options.dry_run",
        "entity.$": "$.options.entity",
        "job.$": f"{JOB}.job_id",
        "lease.$": f"{JOB}.lease",
        "outcomes.$": "$.fanout.sync.outcomes",
    }
    assert states[finalize["Next"]]["Parameters"]["job_id.$"] == "$.steps.sync.job_id"


def test_a_failed_map_releases_the_lease_before_the_notice(states: dict[str, dict[str, Any]]) -> None:
    (catch,) = states["sync: units"]["Catch"]
    abort = states[catch["Next"]]
    payload = abort["Parameters"]["Payload"]
    assert payload["action"] == "abort" and payload["lease.$"] == f"{JOB}.lease"
    assert payload["job.$"] == f"{JOB}.job_id"
    assert states[abort["Next"]]["Parameters"]["step"] == "sync: units"


def test_every_catalog_workflow_is_deployed_for_a_profile_with_a_search_index(
    definitions: dict[str, dict[str, Any]],
) -> None:
    from dataops.workflows import WORKFLOWS

    assert set(definitions) == {naming.state_machine_name(PROFILE, STAGE, name) for name in WORKFLOWS}


@pytest.mark.parametrize(
    ("workflow", "before", "after"), [("restore", "restore", "validate"), ("import", "import", None)]
)
def test_a_restore_and_an_import_settle_the_index_with_a_sync_fan_out(
    definitions: dict[str, dict[str, Any]], workflow: str, before: str, after: str | None
) -> None:
    states = definitions[naming.state_machine_name(PROFILE, STAGE, workflow)]["States"]
    plan = states["settle-index: plan"]
    assert plan["Parameters"]["FunctionName"].endswith(SYNC_FUNCTION)
    assert plan["Parameters"]["Payload"] == {
        "action": "plan",
        "direction": "dynamo-to-os",
        "dry_run.$": "$.options.dry_run",
    }
    # It runs once the rewrite's own step has written its summary, and before the stores are validated.
    leading_in = [name for name, state in states.items() if state.get("Next") == "settle-index: plan"]
    assert leading_in and all(states[name].get("ResultPath") != "$.steps.settle-index" for name in leading_in)
    assert any(f"$.steps.{before}" == states[name].get("ResultPath") for name in leading_in), leading_in
    if after:
        assert any(state.get("Next") == after for state in states.values())
