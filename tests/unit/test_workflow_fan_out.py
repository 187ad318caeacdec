"""The backup workflow's fan-out payloads in the catalog: each one a valid request of the backup operation."""

from __future__ import annotations

import pytest

from dataops.operations.backup import BACKUP
from dataops.workflows import WORKFLOWS, workflow_named

UNIT = {"store": "dynamodb", "segment": 1, "total_segments": 4, "tables": [], "index": None}


def test_backup_restore_and_sync_fan_out_and_in_process_backup_still_creates_in_one_call() -> None:
    fanned = [(w.name, s.name) for w in WORKFLOWS.values() for s in w.steps if s.fan_out]
    fanned_out = ("backup", "restore", "migrate", "export", "import", "sync")
    # A restore and an import end by settling the index: a sync fan-out, only where there is an index.
    settling = [("restore", "settle-index"), ("import", "settle-index")]
    assert sorted(fanned) == sorted([(name, name) for name in fanned_out] + settling)
    without_search = [
        (w.name, s.name) for w in WORKFLOWS.values() for s in w.for_profile(has_search=False).steps if s.fan_out
    ]
    assert sorted(without_search) == sorted((name, name) for name in fanned_out)
    backup = workflow_named("backup")
    ((_step, payload),) = backup.planned_steps(backup.resolve_options({}))
    assert payload == {"action": "create", "dry_run": False}


def test_plan_unit_and_finalize_payloads_are_backup_requests() -> None:
    backup = workflow_named("backup")
    (step,) = backup.steps
    options = backup.resolve_options({"dry_run": True})
    plan = step.plan_request(options)
    planned = {"backup_id": "20261206T033000123Z-abc", "lease": "f00d"}
    unit = step.unit_request("20261206T033000123Z-abc", UNIT, planned)
    finalize = step.finalize_request(options, "20261206T033000123Z-abc", [{"entries": []}], planned)
    assert plan == {"action": "plan", "dry_run": True}
    # Units and finalize carry the lease plan took; an abort releases it (see the restore workflow).
    assert step.fan_out is not None and step.fan_out.abort_action == "abort"
    assert unit == {"action": "unit", "backup": "20261206T033000123Z-abc", "lease": "f00d", "unit": UNIT}
    assert finalize == {
        "action": "finalize",
        "dry_run": True,
        "backup": "20261206T033000123Z-abc",
        "lease": "f00d",
        "outcomes": [{"entries": []}],
    }
    assert BACKUP.parse(unit).unit is not None
    assert BACKUP.parse(finalize).outcomes is not None
    assert BACKUP.parse(plan).action == "plan"


def test_a_step_without_fan_out_refuses_fan_out_payloads() -> None:
    (validate,) = [step for step in workflow_named("init").steps if step.name == "validate"]
    with pytest.raises(ValueError, match="does not fan out"):
        validate.plan_request({"dry_run": False})
