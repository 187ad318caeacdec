"""backup and restore through the deployed functions (`awslocal lambda invoke`), for both profiles."""

import uuid

import pytest

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize("profile", ["agent_system", "tattoo_directory"])
def test_deployed_backup_validate_restore_and_export(invoke, profile):
    response, result = invoke(profile, "migrate", {"action": "apply"})
    assert "FunctionError" not in response, result
    # The deployment is shared with the other e2e tests, which expect it as they left it: its state (empty on a
    # fresh deployment) is backed up first and restored at the end.
    empty_name = f"e2e-before-{uuid.uuid4().hex[:8]}"
    response, empty = invoke(profile, "backup", {"action": "create", "kind": "snapshot", "name": empty_name})
    assert "FunctionError" not in response, empty
    response, result = invoke(profile, "seed", {"action": "run", "scenario": "minimal"})
    assert "FunctionError" not in response, result

    response, created = invoke(profile, "backup", {"action": "create", "name": "e2e"})
    assert "FunctionError" not in response, created
    backup = created["backup"]
    assert backup["encrypted"] is True and sum(backup["rows"].values()) > 0

    response, validated = invoke(profile, "backup", {"action": "validate", "backup": backup["backup_id"]})
    assert "FunctionError" not in response and validated["details"]["valid"] is True, validated

    response, restored = invoke(profile, "restore", {"backup": "latest", "safety_backup": False})
    assert "FunctionError" not in response, restored
    assert restored["backup"]["backup_id"] == backup["backup_id"]
    assert {table["name"]: table["rows_after"] for table in restored["tables"]} == backup["rows"]
    assert restored["counts"] == {name: rows for name, rows in backup["rows"].items()}

    response, exported = invoke(profile, "backup", {"action": "export", "path": "e2e", "mask_pii": True})
    assert "FunctionError" not in response, exported
    assert exported["details"]["location"].endswith("/exports/e2e/")

    response, emptied = invoke(profile, "restore", {"backup": empty_name, "safety_backup": False})
    assert "FunctionError" not in response, emptied
    assert emptied["counts"] == empty["backup"]["rows"]


def test_deployed_restore_refuses_an_unknown_backup(invoke):
    response, error = invoke("agent_system", "restore", {"backup": "no-such-snapshot"})
    assert response.get("FunctionError")
    assert "field 'backup'" in error["errorMessage"]
