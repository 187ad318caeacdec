"""validate, monitor and maintenance through the deployed functions, for both profiles."""

from __future__ import annotations

import pytest

from dataops import naming
from dataops.profiles import load_profile
from dataops.records import item_for
from dataops.stores import aws
from dataops.stores.dynamodb import to_dynamo
from tests.e2e.conftest import STAGE

pytestmark = pytest.mark.e2e
NOW = "2025-01-01T00:00:00+00:00"

# A roster row pointing at a deleted team (fixable: removed), and a style with an unknown difficulty level.
PLANTED = {
    "agent_system": (
        "team_member",
        {"team_id": "gone", "member_id": "m1", "persona_id": "p1", "display_name": "Ada",
         "email": "ada@example.com", "role": "lead", "created_at": NOW, "updated_at": NOW},
    ),
    "tattoo_directory": (
        "style",
        {"styleId": "bad-level", "styleName": "Dotwork", "description": "d", "difficulty": "nonsense",
         "popularity": 50, "createdAt": NOW, "updatedAt": NOW},
    ),
}  # fmt: skip


@pytest.mark.parametrize("profile", ["agent_system", "tattoo_directory"])
def test_validate_fails_the_invocation_with_the_report_key_then_fixes(invoke, settings, profile):
    entity_name, record = PLANTED[profile]
    app = load_profile(profile)
    dynamodb = aws.client(settings, "dynamodb")
    table = naming.data_table_name(app.table.base_name, STAGE)
    item = item_for(app, app.entity(entity_name), record)
    dynamodb.put_item(TableName=table, Item=to_dynamo(item))
    payload = {"target": "database", "categories": ["schema", "referential", "orphans"], "entities": [entity_name]}
    response, error = invoke(profile, "validate", payload)
    assert response.get("FunctionError"), error
    assert "ValidationFailed" in error["errorType"] or "validation of" in error["errorMessage"]
    assert "reports/validation/" in error["errorMessage"]

    if profile == "agent_system":
        fixed, result = invoke(profile, "validate", {**payload, "fix_issues": True})
        assert "FunctionError" not in fixed, result
        # Its team and its persona are both missing: one deletion settles both orphan issues.
        assert result["summary"]["fixed"] == 2 and {fix["key"] for fix in result["fixes"]} == {"gone/m1"}
        assert "Item" not in dynamodb.get_item(TableName=table, Key=to_dynamo({"PK": item["PK"], "SK": item["SK"]}))
    else:
        dynamodb.delete_item(TableName=table, Key=to_dynamo({"PK": item["PK"], "SK": item["SK"]}))
        clean, result = invoke(profile, "validate", {**payload, "store_report": True})
        assert "FunctionError" not in clean, result
        assert result["passed"] and result["report_key"].startswith("reports/validation/")


@pytest.mark.parametrize("profile", ["agent_system", "tattoo_directory"])
def test_monitor_check_records_metrics_and_test_alert_publishes(invoke, profile):
    response, result = invoke(profile, "monitor", {"action": "check", "publish": False})
    assert "FunctionError" not in response, result
    assert result["metrics"]["response_time_ms:dynamodb"] >= 0 and "validation_errors" in result["metrics"]
    _, report = invoke(profile, "monitor", {"action": "report", "limit": 5})
    assert report["report"]["checks"] >= 1
    sent, published = invoke(profile, "monitor", {"action": "test-alerts"})
    assert "FunctionError" not in sent, published
    assert len(published["published"]) == 1


def test_maintenance_dry_run_runs_every_step(invoke):
    response, result = invoke("agent_system", "maintenance", {"dry_run": True})
    assert "FunctionError" not in response, result
    assert [step["name"] for step in result["steps"]] == ["backup-cleanup", "validate", "health"]
    assert result["status"] == "dry_run"
