"""The workflow catalog: option defaults and checks, and the payload each step sends."""

from __future__ import annotations

from typing import Any

import pytest

from dataops.errors import InvalidRequest, UnknownName
from dataops.profiles import load_profile
from dataops.registry import operation_named
from dataops.workflows import WORKFLOWS, workflow_named


def test_init_runs_migrate_seed_validate_backup_and_dry_run_reaches_every_step() -> None:
    init = workflow_named("init")
    options = init.resolve_options({"dry_run": True})
    planned = list(init.planned_steps(options))
    assert [step.operation for step, _ in planned] == ["migrate", "seed", "validate", "backup"]
    assert all(payload["dry_run"] is True for _, payload in planned)
    assert planned[1][1] == {"action": "run", "dry_run": True, "skip_existing": True, "scenario": ""}


def test_defaults_apply_when_the_input_is_empty() -> None:
    assert workflow_named("reset").resolve_options({}) == {"dry_run": False, "state": "fresh", "snapshot": ""}


def test_reset_checks_the_state_first_and_snapshots_only_when_one_is_named() -> None:
    reset = workflow_named("reset")
    without = [step.name for step, _ in reset.planned_steps(reset.resolve_options({}))]
    (named,) = [
        payload
        for step, payload in reset.planned_steps(reset.resolve_options({"snapshot": "before-demo"}))
        if step.name == "snapshot"
    ]
    assert without == ["check-state", "clear", "seed-state", "validate"]
    assert named == {"action": "snapshot", "dry_run": False, "name": "before-demo"}


@pytest.mark.parametrize(
    ("given", "field", "reason"),
    [
        ({"dry-run": True}, "dry-run", "unknown option for workflow 'init'"),
        ({"dry_run": "yes"}, "dry_run", "must be bool"),
        ({"skip_existing": 1}, "skip_existing", "must be bool"),
    ],
)
def test_bad_options_are_refused_naming_the_option(given: dict, field: str, reason: str) -> None:
    with pytest.raises(InvalidRequest) as raised:
        workflow_named("init").resolve_options(given)
    ((named, message),) = raised.value.problems
    assert named == field
    assert reason in message


def test_restore_needs_a_backup() -> None:
    with pytest.raises(InvalidRequest, match="field 'backup': required option is missing"):
        workflow_named("restore").resolve_options({"dry_run": True})


def test_input_must_be_an_object() -> None:
    with pytest.raises(InvalidRequest, match="field 'input': must be a JSON object, got list"):
        workflow_named("backup").resolve_options([])


def test_unknown_workflow_lists_the_valid_ones() -> None:
    with pytest.raises(
        UnknownName, match="unknown workflow 'nightly'; valid: backup, export, import, init, maintenance, migrate, "
    ):
        workflow_named("nightly")


def test_step_names_are_unique_within_each_workflow() -> None:
    for workflow in WORKFLOWS.values():
        names = [step.name for step in workflow.steps]
        assert len(names) == len(set(names)), workflow.name
        for step in workflow.steps:
            assert set(step.from_options.values()) <= set(workflow.options), (workflow.name, step.name)


EXAMPLE_OPTIONS: dict[str, dict[str, Any]] = {
    "restore": {"backup": "latest"},
    "reset": {"snapshot": "before-reset"},
    "init": {"scenario": ""},
    "export": {"path": "for-staging", "mask_pii": True},
    "import": {"path": "for-staging"},
}


@pytest.mark.parametrize(
    ("workflow", "step"),
    [(workflow, step) for workflow in WORKFLOWS.values() for step in workflow.steps],
    ids=lambda value: getattr(value, "name", ""),
)
@pytest.mark.parametrize("dry_run", [False, True])
def test_every_step_sends_a_payload_its_operation_accepts(workflow, step, dry_run: bool) -> None:
    options = workflow.resolve_options({**EXAMPLE_OPTIONS.get(workflow.name, {}), "dry_run": dry_run})
    request = operation_named(step.operation).parse(step.request(options))
    # Read-only steps (verify-backup) leave dry_run to the operation; check-state is always a dry run.
    expected = dry_run if "dry_run" in step.from_options else step.payload.get("dry_run", False)
    assert request.dry_run is expected


@pytest.mark.parametrize(("scenario", "expected"), [("", "full"), ("minimal", "minimal")])
def test_an_empty_init_scenario_seeds_the_profile_default(scenario: str, expected: str) -> None:
    init = workflow_named("init")
    (seed,) = [
        payload
        for step, payload in init.planned_steps(init.resolve_options({"scenario": scenario}))
        if step.name == "seed"
    ]
    request = operation_named("seed").parse(seed)
    catalog = load_profile("tattoo_directory").seeding
    assert catalog is not None
    assert catalog.scenario(request.scenario).name == expected
