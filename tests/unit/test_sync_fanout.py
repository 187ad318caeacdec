"""The sync workflow's payloads in the catalog: each one a valid request of the sync operation."""

from __future__ import annotations

import pytest

from dataops.errors import InvalidRequest
from dataops.operations.sync import SYNC
from dataops.operations.sync.models import FinalizeSync, FullSync, PlanSync, SyncUnitRequest
from dataops.segmented_compare import RECORDS_PER_UNIT, shares_for
from dataops.workflows import workflow_named

UNIT = {"side": "opensearch", "entities": ["artist"], "segment": 1, "segments": 4, "lists": 2}


def test_in_process_the_sync_workflow_is_the_single_call_full_sync_of_its_direction() -> None:
    sync = workflow_named("sync")
    ((_step, payload),) = sync.planned_steps(sync.resolve_options({"direction": "os-to-dynamo"}))
    assert payload == {"action": "os-to-dynamo", "dry_run": False, "entity": ""}
    assert isinstance(SYNC.parse(payload), FullSync)
    assert sync.needs_search and not sync.deployable_with({"sync"}, has_search=False)


def test_plan_unit_and_finalize_payloads_carry_the_direction_job_and_lease() -> None:
    sync = workflow_named("sync")
    (step,) = sync.steps
    options = sync.resolve_options({"direction": "os-to-dynamo", "entity": "artist"})
    planned = {"job_id": "os-to-dynamo-abc", "lease": "f00d", "direction": "os-to-dynamo"}
    plan = step.plan_request(options)
    unit = step.unit_request("os-to-dynamo-abc", UNIT, planned)
    finalize = step.finalize_request(options, "os-to-dynamo-abc", [], planned)
    assert plan == {"action": "plan", "direction": "os-to-dynamo", "dry_run": False, "entity": "artist"}
    assert unit == {
        "action": "unit",
        "job": "os-to-dynamo-abc",
        "lease": "f00d",
        "direction": "os-to-dynamo",
        "unit": UNIT,
    }
    assert finalize["action"] == "finalize" and finalize["direction"] == "os-to-dynamo"
    assert isinstance(SYNC.parse(plan), PlanSync)
    assert isinstance(SYNC.parse(finalize), FinalizeSync)
    # The direction travels with the lease from the plan's job object to every unit.
    parsed = SYNC.parse(unit)
    assert isinstance(parsed, SyncUnitRequest) and parsed.direction == "os-to-dynamo"


def test_a_unit_without_its_lease_or_with_a_bad_share_is_refused_naming_the_field() -> None:
    with pytest.raises(InvalidRequest, match="field 'lease'"):
        SYNC.parse({"action": "unit", "job": "j", "unit": UNIT})
    with pytest.raises(InvalidRequest, match=r"unit\.segments"):
        SYNC.parse({"action": "unit", "job": "j", "lease": "f00d", "unit": {**UNIT, "segments": 0}})


def test_a_store_is_cut_into_one_share_per_hundred_thousand_records() -> None:
    assert [shares_for(n) for n in (0, 1, RECORDS_PER_UNIT, RECORDS_PER_UNIT + 1, 10**9)] == [1, 1, 1, 2, 400]
