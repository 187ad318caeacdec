"""The Step Functions path: plan, one unit per invocation (payloads as JSON), finalize; restorable exactly."""

from __future__ import annotations

import pytest

from dataops import segmented_compare
from dataops.errors import InvalidRequest, LeaseLost
from dataops.operations.backup import BACKUP
from dataops.operations.restore import RESTORE
from tests.integration.backup_support import everything, fill_dynamodb, fill_postgres, migrate
from tests.integration.fanout_support import LOCK_KEY, as_lambda

pytestmark = pytest.mark.integration


def invoke(operation, payload, stores):
    return as_lambda(operation, payload, stores)


def test_plan_units_finalize_gives_a_complete_restorable_backup(provisioned):
    stores = provisioned("agent_system")
    migrate(stores)
    fill_dynamodb(stores, 200)
    fill_postgres(stores, 25)
    before = everything(stores)

    planned = invoke(BACKUP, {"action": "plan", "segments": 3}, stores)
    backup_id, lease = planned["backup"]["backup_id"], planned["backup"]["lease"]
    assert stores.control.get(LOCK_KEY)["token"] == lease, "plan holds the lease for the whole job"
    assert [unit["store"] for unit in planned["units"]] == ["dynamodb"] * 3 + ["postgres"]
    listed = invoke(BACKUP, {"action": "list"}, stores)["backups"]
    assert [(b["backup_id"], b["complete"]) for b in listed] == [(backup_id, False)]

    leased = {"backup": backup_id, "lease": lease}
    outcomes = [invoke(BACKUP, {"action": "unit", **leased, "unit": u}, stores)["outcome"] for u in planned["units"]]
    finalized = invoke(BACKUP, {"action": "finalize", **leased, "outcomes": outcomes}, stores)
    assert finalized["status"] == "succeeded" and finalized["details"]["valid"] is True
    assert finalized["counts"]["services"] == 25
    assert stores.control.get(LOCK_KEY) is None, "finalize released the lease"

    fill_dynamodb(stores, 50, tag="changed")
    invoke(RESTORE, {"backup": backup_id, "safety_backup": False}, stores)
    assert everything(stores) == before


def test_plan_cuts_the_table_into_segments_by_its_size(provisioned, monkeypatch):
    """Without `segments`, one unit per RECORDS_PER_UNIT items (100,000; 40 here, so 200 items give 5 units), and
    the backup those units write restores exactly."""
    monkeypatch.setattr(segmented_compare, "RECORDS_PER_UNIT", 40)
    stores = provisioned("tattoo_directory")
    fill_dynamodb(stores, 200)
    before = everything(stores)
    planned = invoke(BACKUP, {"action": "plan"}, stores)
    segments = [unit for unit in planned["units"] if unit["store"] == "dynamodb"]
    assert [(unit["segment"], unit["total_segments"]) for unit in segments] == [(n, 5) for n in range(5)]

    leased = {"backup": planned["backup"]["backup_id"], "lease": planned["backup"]["lease"]}
    outcomes = [invoke(BACKUP, {"action": "unit", **leased, "unit": u}, stores)["outcome"] for u in planned["units"]]
    finalized = invoke(BACKUP, {"action": "finalize", **leased, "outcomes": outcomes}, stores)
    assert finalized["status"] == "succeeded" and finalized["details"]["valid"] is True
    fill_dynamodb(stores, 30, tag="changed")
    invoke(RESTORE, {"backup": leased["backup"], "safety_backup": False, "settle_index": False}, stores)
    assert everything(stores) == before


def test_unit_of_an_unplanned_backup_is_refused(provisioned):
    stores = provisioned("tattoo_directory")
    unplanned = {"action": "unit", "backup": "20990101T000000000Z-abcdef", "lease": "f00d"}
    with pytest.raises(LeaseLost):
        invoke(BACKUP, {**unplanned, "unit": {"store": "dynamodb"}}, stores)
    with pytest.raises(InvalidRequest, match="field 'unit'"):
        invoke(BACKUP, unplanned, stores)
    with pytest.raises(InvalidRequest, match="field 'lease'"):
        invoke(
            BACKUP, {"action": "unit", "backup": "20990101T000000000Z-abcdef", "unit": {"store": "dynamodb"}}, stores
        )


def test_a_finalize_missing_a_unit_is_refused_releases_the_lease_and_leaves_it_incomplete(provisioned):
    stores = provisioned("agent_system")
    migrate(stores)
    fill_dynamodb(stores, 20)
    planned = invoke(BACKUP, {"action": "plan", "segments": 2}, stores)
    leased = {"backup": planned["backup"]["backup_id"], "lease": planned["backup"]["lease"]}
    outcomes = [invoke(BACKUP, {"action": "unit", **leased, "unit": u}, stores)["outcome"] for u in planned["units"]]
    with pytest.raises(InvalidRequest, match="units missing"):
        invoke(BACKUP, {"action": "finalize", **leased, "outcomes": outcomes[1:]}, stores)
    assert invoke(BACKUP, {"action": "list"}, stores)["backups"][0]["complete"] is False
    assert stores.control.get(LOCK_KEY) is None, "a failed finalize ends the job"
    with pytest.raises(LeaseLost):
        invoke(BACKUP, {"action": "unit", **leased, "unit": planned["units"][0]}, stores)


def test_abort_releases_the_lease_and_audits_why(provisioned):
    stores = provisioned("tattoo_directory")
    planned = invoke(BACKUP, {"action": "plan"}, stores)
    leased = {"backup": planned["backup"]["backup_id"], "lease": planned["backup"]["lease"]}
    aborted = invoke(BACKUP, {"action": "abort", **leased, "reason": "backup: units failed"}, stores)
    assert aborted["status"] == "failed" and aborted["details"]["lock_released"] is True
    assert stores.control.get(LOCK_KEY) is None
    with pytest.raises(InvalidRequest, match="field 'dry_run'"):
        invoke(BACKUP, {"action": "abort", **leased, "dry_run": True}, stores)
