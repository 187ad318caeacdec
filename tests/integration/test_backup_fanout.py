"""The Step Functions path: plan, one unit per invocation (payloads as JSON), finalize; restorable exactly."""

from __future__ import annotations

import json

import pytest

from dataops.errors import InvalidRequest
from dataops.operations.backup import BACKUP
from dataops.operations.restore import RESTORE
from tests.integration.backup_support import everything, fill_dynamodb, fill_postgres, migrate

pytestmark = pytest.mark.integration


def invoke(operation, payload, stores):
    """As a Lambda invocation would: JSON in, JSON out."""
    result = operation.run(operation.parse(json.loads(json.dumps(payload))), stores)
    return json.loads(json.dumps(result.to_event()))


def test_plan_units_finalize_gives_a_complete_restorable_backup(provisioned):
    stores = provisioned("agent_system")
    migrate(stores)
    fill_dynamodb(stores, 200)
    fill_postgres(stores, 25)
    before = everything(stores)

    planned = invoke(BACKUP, {"action": "plan", "segments": 3}, stores)
    backup_id = planned["backup"]["backup_id"]
    assert [unit["store"] for unit in planned["units"]] == ["dynamodb"] * 3 + ["postgres"]
    listed = invoke(BACKUP, {"action": "list"}, stores)["backups"]
    assert [(b["backup_id"], b["complete"]) for b in listed] == [(backup_id, False)]

    outcomes = [
        invoke(BACKUP, {"action": "unit", "backup": backup_id, "unit": u}, stores)["outcome"] for u in planned["units"]
    ]
    with pytest.raises(InvalidRequest, match="units missing"):
        invoke(BACKUP, {"action": "finalize", "backup": backup_id, "outcomes": outcomes[1:]}, stores)
    assert invoke(BACKUP, {"action": "list"}, stores)["backups"][0]["complete"] is False

    finalized = invoke(BACKUP, {"action": "finalize", "backup": backup_id, "outcomes": outcomes}, stores)
    assert finalized["status"] == "succeeded" and finalized["details"]["valid"] is True
    assert finalized["counts"]["services"] == 25

    fill_dynamodb(stores, 50, tag="changed")
    invoke(RESTORE, {"backup": backup_id, "safety_backup": False}, stores)
    assert everything(stores) == before


def test_unit_of_an_unplanned_backup_is_refused(provisioned):
    stores = provisioned("tattoo_directory")
    with pytest.raises(InvalidRequest, match="field 'backup'"):
        unplanned = {"action": "unit", "backup": "20990101T000000000Z-abcdef", "unit": {"store": "dynamodb"}}
        invoke(BACKUP, unplanned, stores)
    with pytest.raises(InvalidRequest, match="field 'unit'"):
        invoke(BACKUP, {"action": "unit", "backup": "20990101T000000000Z-abcdef"}, stores)
