"""The sync workflow's path on real stores: plan, one unit per invocation (payloads as JSON), finalize. A fanned-out
full sync finds and fixes exactly what the single-call sync does, its shares read each record once, and it runs
under one lease."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from dataops.audit import audit_records
from dataops.errors import InvalidRequest, LeaseLost
from dataops.operations.sync import SYNC
from tests.integration.fanout_support import as_lambda, locked
from tests.integration.test_sync_operation import EXPECTED_DRIFT, make_drift, remaining
from tests.sync_support import search_snapshot, table_snapshot

pytestmark = pytest.mark.integration


@pytest.fixture
def tattoo(provisioned):
    return provisioned("tattoo_directory")


def invoke(payload: dict[str, Any], stores) -> dict[str, Any]:
    return as_lambda(SYNC, payload, stores)


def fan_out(stores, direction: str, segments: int) -> tuple[dict[str, Any], list[dict[str, Any]], dict[str, Any]]:
    planned = invoke({"action": "plan", "direction": direction, "segments": segments}, stores)
    job = planned["job"]
    leased = {"job": job["job_id"], "lease": job["lease"], "direction": job["direction"]}
    outcomes = [invoke({"action": "unit", **leased, "unit": unit}, stores)["outcome"] for unit in planned["units"]]
    finalized = invoke({"action": "finalize", **leased, "outcomes": outcomes}, stores)
    return planned, outcomes, finalized


def test_a_fanned_out_dynamo_to_os_fixes_exactly_the_drift_and_reads_each_record_once(tattoo):
    make_drift(tattoo)
    type_attribute = tattoo.profile.table.entity_type_attribute
    artists = sum(1 for item in tattoo.table.scan() if item.get(type_attribute) == "artist")
    documents = len(search_snapshot(tattoo))
    planned, outcomes, finalized = fan_out(tattoo, "dynamo-to-os", segments=3)
    assert planned["counts"] == {"units": 6, "table_segments": 3}  # 3 segments of the table, 3 slices of the index
    assert locked(tattoo) is False, "finalize released the lease"
    assert finalized["status"] == "succeeded"
    assert {entry["key"] for entry in finalized["differences"]} == set(EXPECTED_DRIFT)
    counts = finalized["counts"]
    assert (counts["updated"], counts["created"], counts["deleted"]) == (4, 2, 3)
    # The shares partition the stores: no record is read by two units, none is missed. (Here the slices ran after
    # the table's segments, which had created 2 documents.)
    assert [o["unit"]["side"] for o in outcomes] == ["dynamodb"] * 3 + ["opensearch"] * 3
    assert counts["read_dynamodb"] == artists and counts["read_opensearch"] == documents + 2
    assert all(o["counts"][f"read_{o['unit']['side']}"] > 0 for o in outcomes), "each share holds some records"
    assert remaining(tattoo) == set()
    # One audit record for the whole job, written by finalize.
    [record] = [r for r in audit_records(tattoo.control, datetime.now(UTC)) if r["operation"] == "sync"]
    assert record["action"] == "finalize" and record["status"] == "succeeded"


def test_a_second_run_finds_nothing_left_to_change(tattoo):
    make_drift(tattoo)
    fan_out(tattoo, "dynamo-to-os", segments=2)
    before = (table_snapshot(tattoo), search_snapshot(tattoo))
    _, _, again = fan_out(tattoo, "dynamo-to-os", segments=2)
    assert set(again["counts"]) == {"unchanged", "read_dynamodb", "read_opensearch"}
    assert (table_snapshot(tattoo), search_snapshot(tattoo)) == before


def test_a_fanned_out_os_to_dynamo_matches_the_single_call_sync(tattoo):
    make_drift(tattoo)
    _, _, finalized = fan_out(tattoo, "os-to-dynamo", segments=2)
    counts = finalized["counts"]
    assert (counts["created"], counts["deleted"], counts["skipped_incomplete"]) == (2, 2, 1)
    assert remaining(tattoo) == {"artist-00800"}, "a partial document cannot create an item, as in the single call"


def test_a_dry_run_plan_lists_the_units_and_writes_nothing(tattoo):
    make_drift(tattoo)
    before = (table_snapshot(tattoo), search_snapshot(tattoo))
    planned = invoke({"action": "plan", "segments": 2, "dry_run": True}, tattoo)
    assert planned["status"] == "dry_run" and planned["job"] is None and len(planned["units"]) == 4
    assert locked(tattoo) is False
    assert (table_snapshot(tattoo), search_snapshot(tattoo)) == before


def test_a_unit_after_the_job_ended_is_refused_and_writes_nothing(tattoo):
    make_drift(tattoo)
    planned = invoke({"action": "plan", "segments": 1}, tattoo)
    job = planned["job"]
    leased = {"job": job["job_id"], "lease": job["lease"], "direction": job["direction"]}
    aborted = invoke({"action": "abort", **leased, "reason": "test stopped it"}, tattoo)
    assert aborted["status"] == "failed" and aborted["details"]["lock_released"] is True
    before = (table_snapshot(tattoo), search_snapshot(tattoo))
    with pytest.raises(LeaseLost):
        invoke({"action": "unit", **leased, "unit": planned["units"][0]}, tattoo)
    assert (table_snapshot(tattoo), search_snapshot(tattoo)) == before


def test_a_finalize_missing_a_share_is_refused_and_ends_the_job(tattoo):
    make_drift(tattoo)
    planned = invoke({"action": "plan", "segments": 2}, tattoo)
    job = planned["job"]
    leased = {"job": job["job_id"], "lease": job["lease"], "direction": job["direction"]}
    outcomes = [invoke({"action": "unit", **leased, "unit": unit}, tattoo)["outcome"] for unit in planned["units"]]
    with pytest.raises(InvalidRequest, match="units missing: opensearch artist share 1"):
        invoke({"action": "finalize", **leased, "outcomes": outcomes[:-1]}, tattoo)
    assert locked(tattoo) is False, "a failed finalize releases the lease"
