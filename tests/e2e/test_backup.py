"""backup and restore through the deployed functions (`awslocal lambda invoke`), for both profiles."""

import pytest

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize("profile", ["agent_system", "tattoo_directory"])
def test_deployed_backup_validate_restore_and_export(invoke, profile):
    for operation, payload in (("migrate", {"action": "apply"}), ("seed", {"action": "run", "scenario": "minimal"})):
        response, result = invoke(profile, operation, payload)
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


def test_deployed_restore_refuses_an_unknown_backup(invoke):
    response, error = invoke("agent_system", "restore", {"backup": "no-such-snapshot"})
    assert response.get("FunctionError")
    assert "field 'backup'" in error["errorMessage"]
