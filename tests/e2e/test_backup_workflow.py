"""The backup workflow's fan-out on the deployed stage: start-execution, then prove the backup it wrote is complete
and valid (`backup validate`), with the row counts the stores hold and the single-function path agrees with."""

from __future__ import annotations

import uuid

import pytest

from tests.e2e.test_workflows import run_workflow, succeeded

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize("profile", ["agent_system", "tattoo_directory"])
def test_the_backup_workflow_fans_out_into_a_complete_valid_backup(invoke, profile):
    response, result = invoke(profile, "migrate", {"action": "apply"})
    assert "FunctionError" not in response, result
    # The deployment is shared: its state is kept in a snapshot and put back at the end.
    before = f"e2e-map-before-{uuid.uuid4().hex[:8]}"
    response, kept = invoke(profile, "backup", {"action": "create", "kind": "snapshot", "name": before})
    assert "FunctionError" not in response, kept
    response, result = invoke(profile, "seed", {"action": "run", "scenario": "minimal"})
    assert "FunctionError" not in response, result
    _, status = invoke(profile, "status", {"action": "show"})

    dry = succeeded(run_workflow(profile, "backup", {"dry_run": True}))
    assert dry["steps"]["backup"]["status"] == "dry_run"
    _, listed_before = invoke(profile, "backup", {"action": "list", "limit": 1000})

    summary = succeeded(run_workflow(profile, "backup", {}))
    step = summary["steps"]["backup"]
    assert step["status"] == "succeeded"
    units = step["counts"].pop("units")
    # Every DynamoDB scan segment, the PostgreSQL unit and each index ran as its own invocation.
    assert units > 1
    rows = step["counts"]
    assert step["stored_bytes"] > 0
    # Rows in the backup = rows in the stores (status counts them its own way), store by store summed.
    assert sum(rows.values()) == sum(status["counts"].values()) > 0

    response, validated = invoke(profile, "backup", {"action": "validate", "backup": step["backup_id"]})
    assert "FunctionError" not in response and validated["details"]["valid"] is True, validated
    _, listed = invoke(profile, "backup", {"action": "list", "limit": 1000})
    (entry,) = [backup for backup in listed["backups"] if backup["backup_id"] == step["backup_id"]]
    assert entry["complete"] is True and entry["rows"] == rows
    assert len(listed["backups"]) == len(listed_before["backups"]) + 1, "the dry run wrote no backup"

    response, created = invoke(profile, "backup", {"action": "create"})
    assert "FunctionError" not in response, created
    assert created["backup"]["rows"] == rows, "one function and the fan-out back up the same rows"

    response, restored = invoke(profile, "restore", {"backup": before, "safety_backup": False})
    assert "FunctionError" not in response, restored
