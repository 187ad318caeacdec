"""The restore workflow's path on real stores: plan, one unit per invocation (payloads as JSON, as Lambda sees
them), finalize; every row equal to what the single-function restore gives."""

from __future__ import annotations

import json

import pytest

from dataops.errors import InvalidRequest, LeaseLost
from dataops.operations.backup import BACKUP
from dataops.operations.restore import RESTORE, BrokenBackup
from tests.integration.backup_support import (
    bucket_keys,
    everything,
    fill_dynamodb,
    fill_opensearch,
    fill_postgres,
    migrate,
)
from tests.integration.fanout_support import LOCK_KEY, as_lambda
from tests.integration.test_backup_faults import flip_byte, object_keys
from tests.integration.test_backup_incremental import change_rows
from tests.integration.test_backup_roundtrip import mutate_everything

pytestmark = pytest.mark.integration


def invoke(payload, stores, operation=RESTORE):
    return as_lambda(operation, payload, stores)


def create_backup(stores, **options):
    return invoke({"action": "create", **options}, stores, BACKUP)["backup"]["backup_id"]


def fan_out(stores, backup, **options):
    """What the state machine does: plan, the Map's units (one invocation each), finalize."""
    planned = invoke({"action": "plan", "backup": backup, **options}, stores)
    carried = {"backup": planned["backup"]["backup_id"], "lease": planned["backup"]["lease"]}
    outcomes = [invoke({"action": "unit", **carried, "unit": unit}, stores)["outcome"] for unit in planned["units"]]
    tables = {"tables": options["tables"]} if "tables" in options else {}
    finalized = invoke({"action": "finalize", **carried, **tables, "outcomes": outcomes}, stores)
    return planned, finalized


def change(stores) -> None:
    """Rows changed, deleted and added (an added item must be gone after the restore)."""
    mutate_everything(stores)
    entity = stores.profile.entities_in("dynamodb")[0].name
    attribute = stores.profile.table.entity_type_attribute
    stores.table.batch_write([{"PK": f"{entity.upper()}#added", "SK": "PROFILE", attribute: entity}])


def audit_actions(stores) -> list[str]:
    items = stores.control.client.scan(TableName=stores.control.name)["Items"]
    return sorted(
        f"{i['action']['S']}:{i['status']['S']}" for i in items if i.get("record_type", {}).get("S") == "audit"
    )


@pytest.fixture(scope="module")
def agent(provisioned):
    stores = provisioned("agent_system")
    migrate(stores)
    fill_dynamodb(stores, 300)
    fill_postgres(stores, 40)
    return stores


@pytest.fixture(scope="module")
def tattoo(provisioned):
    stores = provisioned("tattoo_directory")
    fill_dynamodb(stores, 260)
    fill_opensearch(stores, 150)
    return stores


@pytest.mark.parametrize("profile", ["agent", "tattoo"])
def test_fan_out_restores_every_row_like_the_single_function_restore(request, profile):
    stores = request.getfixturevalue(profile)
    backup_id = create_backup(stores, segments=3)
    before = everything(stores)

    change(stores)
    # Synthetic items and documents that do not describe each other: the single call keeps the index as the
    # backup holds it (settle_index false), as the fan-out's units do; the workflow settles in a later step.
    single = invoke({"backup": backup_id, "safety_backup": False, "settle_index": False}, stores)
    by_single = everything(stores)
    assert by_single == before

    change(stores)
    assert everything(stores) != before
    audits = len(audit_actions(stores))
    planned, finalized = fan_out(stores, backup_id)
    assert everything(stores) == by_single == before
    # Three scan segments, then PostgreSQL in one unit (agent_system) or the search index (tattoo_directory).
    stores_of_units = [unit["store"] for unit in planned["units"]]
    assert stores_of_units == ["dynamodb"] * 3 + (["postgres"] if profile == "agent" else ["opensearch"])
    assert planned["safety_backup_id"] is not None and planned["counts"] == {"units": 4}
    assert finalized["status"] == "succeeded" and finalized["problems"] == []
    assert finalized["counts"] == single["counts"]
    assert stores.control.get(LOCK_KEY) is None, "finalize released the lock"
    assert len(audit_actions(stores)) == audits + 1 and "finalize:succeeded" in audit_actions(stores)
    # The units are small: object keys and names, never data.
    assert max(len(json.dumps(unit)) for unit in planned["units"]) < 300


def test_selective_fan_out_touches_only_the_named_tables(agent):
    backup_id = create_backup(agent)
    mutate_everything(agent)
    invoke({"backup": backup_id, "tables": ["policies", "persona"], "safety_backup": False}, agent)
    by_single = everything(agent)
    mutate_everything(agent)
    planned, finalized = fan_out(agent, backup_id, tables=["policies", "persona"], safety_backup=False)
    assert everything(agent) == by_single
    assert planned["safety_backup_id"] is None
    assert {unit["store"]: unit["names"] for unit in planned["units"]} == {
        "dynamodb": ["persona"],
        "postgres": ["policies"],
    }
    assert set(finalized["counts"]) == {"persona", "policies"}


def test_dry_run_plan_previews_and_writes_nothing(agent):
    backup_id = create_backup(agent)
    mutate_everything(agent)
    state, keys = everything(agent), bucket_keys(agent)
    planned = invoke({"action": "plan", "backup": backup_id, "dry_run": True}, agent)
    assert planned["status"] == "dry_run" and planned["units"] == []
    assert {t["name"]: t["rows_after"] for t in planned["tables"]}["services"] == 40
    assert planned["counts"]["services"] == 40
    assert everything(agent) == state and bucket_keys(agent) == keys
    assert agent.control.get(LOCK_KEY) is None


def test_corrupted_backup_is_refused_at_plan_with_nothing_written(agent):
    backup_id = create_backup(agent)
    mutate_everything(agent)
    damaged = object_keys(agent, backup_id)[1]
    flip_byte(agent, damaged, 99)
    state, keys, audits = everything(agent), bucket_keys(agent), audit_actions(agent)
    with pytest.raises(BrokenBackup, match=damaged):
        invoke({"action": "plan", "backup": backup_id}, agent)
    assert everything(agent) == state, "0 rows written"
    assert bucket_keys(agent) == keys, "no safety backup"
    # The refused attempt is audited, as the single-call restore audits it; the lease it took is released.
    assert agent.control.get(LOCK_KEY) is None and audit_actions(agent) == sorted([*audits, "plan:failed"])


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"action": "unit", "lease": "x", "unit": {"store": "postgres", "names": ["services"]}}, "backup"),
        ({"action": "unit", "backup": "latest", "unit": {"store": "postgres", "names": ["services"]}}, "lease"),
        ({"action": "unit", "backup": "latest", "lease": "x"}, "unit"),
        ({"action": "unit", "backup": "latest", "lease": "x", "unit": {"store": "tape", "names": []}}, "unit.store"),
        ({"action": "finalize", "backup": "latest", "lease": "x"}, "outcomes"),
        ({"action": "abort", "backup": "latest"}, "lease"),
        (
            {
                "action": "unit",
                "backup": "latest",
                "lease": "x",
                "dry_run": True,
                "unit": {"store": "postgres", "names": []},
            },
            "dry_run",
        ),
    ],
)
def test_bad_fan_out_requests_name_the_field_and_write_nothing(agent, payload, field):
    state, audits = everything(agent), audit_actions(agent)
    with pytest.raises(InvalidRequest, match=f"field '{field}'"):
        invoke(payload, agent)
    assert everything(agent) == state and audit_actions(agent) == audits


def test_unknown_unit_is_refused_naming_the_field(agent):
    backup_id = create_backup(agent)
    planned = invoke({"action": "plan", "backup": backup_id, "safety_backup": False}, agent)
    carried = {"backup": backup_id, "lease": planned["backup"]["lease"]}
    state = everything(agent)
    forged = [
        {"store": "dynamodb", "names": ["persona"], "key": "backups/elsewhere/part-00000.jsonl"},
        {**planned["units"][0], "key": planned["units"][-1]["key"]},
        {"store": "postgres", "names": ["not_a_table"]},
        {"store": "chain", "names": ["services"]},
    ]
    for unit in forged:
        with pytest.raises(InvalidRequest, match="field 'unit'"):
            invoke({"action": "unit", **carried, "unit": unit}, agent)
    assert everything(agent) == state
    with pytest.raises(InvalidRequest, match=r"field 'outcomes'.*units missing"):
        invoke({"action": "finalize", **carried, "outcomes": []}, agent)
    assert agent.control.get(LOCK_KEY) is None, "a failed finalize releases the lock"
    fan_out(agent, backup_id, safety_backup=False)


def test_abort_releases_the_lock_and_a_later_unit_of_that_restore_is_refused(agent):
    backup_id = create_backup(agent)
    planned = invoke({"action": "plan", "backup": backup_id, "safety_backup": False}, agent)
    lease = planned["backup"]["lease"]
    assert agent.control.get(LOCK_KEY)["token"] == lease
    with pytest.raises(Exception, match="held"):
        BACKUP.run(BACKUP.parse({"action": "create"}), agent)
    aborted = invoke({"action": "abort", "backup": backup_id, "lease": lease, "reason": "unit 2 failed"}, agent)
    assert aborted["details"]["lock_released"] is True
    assert agent.control.get(LOCK_KEY) is None
    with pytest.raises(LeaseLost):
        invoke({"action": "unit", "backup": backup_id, "lease": lease, "unit": planned["units"][0]}, agent)
    assert "abort:failed" in audit_actions(agent)
    # The stores are usable again: a full fan-out restore works.
    fan_out(agent, backup_id, safety_backup=False)


def test_an_incremental_chain_is_one_unit_that_restores_the_whole_chain(agent):
    create_backup(agent)
    change_rows(agent, "fan")
    increment = create_backup(agent, kind="incremental")
    at_increment = everything(agent)
    change(agent)
    planned, finalized = fan_out(agent, increment, safety_backup=False)
    assert planned["units"] == [
        {"store": "chain", "names": planned["units"][0]["names"], "key": None, "whole_table": False}
    ]
    assert len(planned["backup"]["chain"]) == 2
    assert everything(agent) == at_increment
    assert finalized["status"] == "succeeded", finalized["problems"]
