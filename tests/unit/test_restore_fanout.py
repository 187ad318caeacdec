"""The restore workflow's fan-out payloads in the catalog: each one a valid request of the restore operation."""

from __future__ import annotations

import pytest

from dataops.errors import InvalidRequest
from dataops.operations.restore import RESTORE, RestoreRequest
from dataops.workflows import workflow_named

BACKUP_ID = "20261206T033000123Z-abc123"
UNIT = {"store": "dynamodb", "names": ["persona"], "key": f"backups/{BACKUP_ID}/dynamodb/t/part-00001.jsonl"}
PLANNED = {"backup_id": BACKUP_ID, "kind": "full", "name": None, "chain": [BACKUP_ID], "lease": "f00d"}


def restore_step():
    workflow = workflow_named("restore")
    (step,) = [step for step in workflow.steps if step.name == "restore"]
    return workflow, step


def test_in_process_the_restore_step_is_still_one_restore_call() -> None:
    workflow = workflow_named("restore")
    options = workflow.resolve_options({"backup": "latest"})
    steps = dict((step.name, payload) for step, payload in workflow.planned_steps(options))
    assert list(steps) == ["verify-backup", "restore", "settle-index", "validate"]
    assert steps["restore"] == {"action": "restore", "dry_run": False, "backup": "latest"}
    assert steps["settle-index"] == {"action": "dynamo-to-os", "dry_run": False}
    # A profile without search indexes has nothing to settle.
    unindexed = workflow.for_profile(has_search=False)
    assert [step.name for step, _ in unindexed.planned_steps(options)] == ["verify-backup", "restore", "validate"]


def test_plan_unit_finalize_and_abort_payloads_are_restore_requests() -> None:
    workflow, step = restore_step()
    options = workflow.resolve_options({"backup": "before-demo"})
    assert step.fan_out is not None and step.fan_out.abort_action == "abort"
    assert step.fan_out.concurrency_key == "restore_map_concurrency"
    plan = step.plan_request(options)
    unit = step.unit_request(BACKUP_ID, UNIT, PLANNED)
    finalize = step.finalize_request(options, BACKUP_ID, [{"unit": UNIT, "counts": {"persona": 3}}], PLANNED)
    assert plan == {"action": "plan", "dry_run": False, "backup": "before-demo"}
    # The Map item carries the resolved id (not the snapshot name) and the plan's lease, never data.
    assert unit == {"action": "unit", "backup": BACKUP_ID, "lease": "f00d", "unit": UNIT}
    assert finalize["backup"] == BACKUP_ID and finalize["lease"] == "f00d" and finalize["action"] == "finalize"
    for payload in (plan, unit, finalize):
        assert isinstance(RESTORE.parse(payload), RestoreRequest)
    assert RESTORE.parse(unit).unit is not None
    assert RESTORE.parse(finalize).outcomes is not None


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"action": "unit", "lease": "f00d", "unit": UNIT}, "backup"),
        ({"action": "unit", "backup": BACKUP_ID, "unit": {**UNIT, "store": "tape"}}, "unit.store"),
        ({"action": "unit", "backup": BACKUP_ID, "unit": {**UNIT, "rows": [1, 2]}}, "unit.rows"),
        ({"action": "finalize", "backup": BACKUP_ID, "outcomes": [{"unit": UNIT}]}, "outcomes.0.counts"),
        ({"action": "rollback", "backup": BACKUP_ID}, "action"),
    ],
)
def test_malformed_fan_out_requests_name_the_field(payload: dict[str, object], field: str) -> None:
    with pytest.raises(InvalidRequest, match=f"field '{field}'"):
        RESTORE.parse(payload)
