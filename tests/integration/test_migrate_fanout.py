"""The migrate workflow's path on real stores: plan, one unit per invocation (payloads as JSON), finalize. A
fanned-out apply ends in exactly the items, documents and history of the single-call apply, runs under one lease,
and leaves nothing that a retried unit or a new run would change twice."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from typing import Any

import pytest

from dataops.audit import audit_records
from dataops.errors import InvalidRequest, LeaseLost
from dataops.migration_history import recorded_entries
from dataops.operations.migrate import MIGRATE
from dataops.operations.seed import SEED
from dataops.profiles import load_profile
from dataops.records import item_for, record_from_item
from tests.integration.conftest import with_migrations_path
from tests.integration.fanout_support import as_lambda, locked
from tests.integration.test_migrate_dynamodb import VERSIONS, documents, table_snapshot, write_legacy
from tests.integration.test_migrate_postgres import ALL_VERSIONS, columns_of

pytestmark = pytest.mark.integration


def invoke(payload: dict[str, Any], stores) -> dict[str, Any]:
    return as_lambda(MIGRATE, payload, stores)


def carried(job: dict[str, Any]) -> dict[str, Any]:
    """What every unit and finalize call carries from plan's job object (the workflow's FanOut `carried`)."""
    return {"job": job["job_id"], "lease": job["lease"], "segments": job["segments"], "migrations": job["migrations"]}


def fan_out(stores, **plan: Any) -> tuple[dict[str, Any], list[dict[str, Any]], dict[str, Any]]:
    planned = invoke({"action": "plan", **plan}, stores)
    job = carried(planned["job"])
    outcomes = [invoke({"action": "unit", **job, "unit": unit}, stores)["outcome"] for unit in planned["units"]]
    target = {"target": plan["target"]} if "target" in plan else {}
    finalized = invoke({"action": "finalize", **job, **target, "outcomes": outcomes}, stores)
    return planned, outcomes, finalized


def legacy_stage(provisioned):
    """Legacy artists (some without a version), and the minimal scenario's artists already at the latest."""
    stores = provisioned("tattoo_directory")
    write_legacy(stores, 90)
    SEED.run(SEED.parse({"action": "run", "scenario": "minimal"}), stores)
    return stores


def history(stores) -> dict[str, tuple[str, str]]:
    return {version: (entry.checksum, entry.outcome) for version, entry in recorded_entries(stores).items()}


def test_a_fanned_out_apply_ends_in_exactly_the_single_call_applys_items_documents_and_history(provisioned):
    single, fanned = legacy_stage(provisioned), legacy_stage(provisioned)
    assert table_snapshot(single) == table_snapshot(fanned)
    applied = invoke({"action": "apply"}, single)

    planned, outcomes, finalized = fan_out(fanned, segments=3)
    assert planned["counts"]["units"] == 3 and planned["details"]["job_migrations"] == VERSIONS
    assert [s["outcome"] for s in planned["steps"]] == ["planned"] * 4, "plan leaves every item migration pending"
    assert all(o["items"].keys() == set(VERSIONS) for o in outcomes)
    assert finalized["status"] == "succeeded" and locked(fanned) is False

    assert table_snapshot(fanned) == table_snapshot(single)
    assert documents(fanned) == documents(single)
    assert history(fanned) == history(single), "the same checksums, applied"
    assert {outcome for _, outcome in history(fanned).values()} == {"applied"} and len(history(fanned)) == 4
    for key in ("scanned", "changed", "reindexed"):
        assert finalized["counts"][key] == sum(step["items"].get(key, 0) for step in applied["steps"]), key
    assert [(s["version"], s["items"]) for s in finalized["steps"]] == [
        (s["version"], s["items"]) for s in applied["steps"]
    ]
    # The segments share the table: each item is read once per step, none twice.
    type_attribute = fanned.profile.table.entity_type_attribute
    artists = sum(1 for item in fanned.table.scan() if item.get(type_attribute) == "artist")
    assert finalized["counts"]["changed"] == 4 * 90 and finalized["counts"]["scanned"] == 4 * artists

    status = invoke({"action": "status"}, fanned)
    assert [(m["version"], m["state"]) for m in status["migrations"]] == [(v, "applied") for v in VERSIONS]
    assert invoke({"action": "validate"}, fanned)["valid"] is True
    # One audit record for the whole job, written by finalize.
    [record] = [r for r in audit_records(fanned.control, datetime.now(UTC)) if r["operation"] == "migrate"]
    assert record["action"] == "finalize" and record["status"] == "succeeded"

    before = (table_snapshot(fanned), documents(fanned))
    again, _, nothing = fan_out(fanned)
    assert again["units"] == [] and again["details"]["job_migrations"] == [] and again["counts"]["pending"] == 0
    assert nothing["status"] == "succeeded" and nothing["steps"] == []
    assert (table_snapshot(fanned), documents(fanned)) == before


def test_a_job_to_a_target_leaves_the_rest_pending_and_the_next_job_finishes_like_apply(provisioned):
    single, fanned = legacy_stage(provisioned), legacy_stage(provisioned)
    invoke({"action": "apply"}, single)
    _, _, first = fan_out(fanned, segments=2, target="1.2.0")
    assert [(m["version"], m["state"]) for m in first["migrations"]] == [
        ("1.1.0", "applied"),
        ("1.2.0", "applied"),
        ("1.3.0", "pending"),
        ("1.4.0", "pending"),
    ]
    assert first["counts"]["pending"] == 2, "the result says what is left"
    planned, _, _ = fan_out(fanned, segments=2)
    assert planned["details"]["job_migrations"] == ["1.3.0", "1.4.0"]
    assert table_snapshot(fanned) == table_snapshot(single)
    assert documents(fanned) == documents(single)
    assert history(fanned).keys() == set(VERSIONS)


def test_a_retried_unit_changes_nothing_twice(provisioned):
    stores = legacy_stage(provisioned)
    planned = invoke({"action": "plan", "segments": 2}, stores)
    job = carried(planned["job"])
    first = invoke({"action": "unit", **job, "unit": planned["units"][0]}, stores)
    assert first["counts"]["changed"] > 0
    after = (table_snapshot(stores), documents(stores))
    retried = invoke({"action": "unit", **job, "unit": planned["units"][0]}, stores)
    assert retried["counts"]["changed"] == 0 and retried["counts"]["scanned"] == first["counts"]["scanned"]
    assert (table_snapshot(stores), documents(stores)) == after
    second = invoke({"action": "unit", **job, "unit": planned["units"][1]}, stores)
    finalized = invoke({"action": "finalize", **job, "outcomes": [retried["outcome"], second["outcome"]]}, stores)
    # The retry's outcome counts what it changed (nothing): the items it left are the first run's.
    assert finalized["status"] == "succeeded" and history(stores).keys() == set(VERSIONS)


def test_a_dry_run_plan_lists_the_units_and_writes_nothing(provisioned):
    stores = legacy_stage(provisioned)
    before = (table_snapshot(stores), documents(stores))
    planned = invoke({"action": "plan", "segments": 2, "dry_run": True}, stores)
    assert planned["status"] == "dry_run" and planned["job"] is None and len(planned["units"]) == 2
    assert [s["outcome"] for s in planned["steps"]] == ["planned"] * 4
    assert locked(stores) is False
    assert (table_snapshot(stores), documents(stores)) == before
    assert history(stores) == {}


def test_a_unit_after_the_job_was_aborted_is_refused_and_writes_nothing(provisioned):
    stores = legacy_stage(provisioned)
    planned = invoke({"action": "plan", "segments": 1}, stores)
    job = carried(planned["job"])
    # As the workflow's catch sends it: with every carried field.
    aborted = invoke({"action": "abort", **job, "reason": "test stopped it"}, stores)
    assert aborted["status"] == "failed" and aborted["details"]["lock_released"] is True
    before = (table_snapshot(stores), documents(stores))
    with pytest.raises(LeaseLost):
        invoke({"action": "unit", **job, "unit": planned["units"][0]}, stores)
    assert (table_snapshot(stores), documents(stores)) == before
    assert history(stores) == {}, "nothing was recorded: a new run applies everything"


def test_a_finalize_missing_a_unit_is_refused_naming_it_and_ends_the_job(provisioned):
    stores = legacy_stage(provisioned)
    planned = invoke({"action": "plan", "segments": 3}, stores)
    job = carried(planned["job"])
    outcomes = [invoke({"action": "unit", **job, "unit": unit}, stores)["outcome"] for unit in planned["units"]]
    with pytest.raises(InvalidRequest, match="units missing: segment 1 of 3"):
        invoke({"action": "finalize", **job, "outcomes": [outcomes[0], outcomes[2]]}, stores)
    assert locked(stores) is False, "a failed finalize releases the lease"
    assert history(stores) == {}
    # The next job finds the units' work done and records it.
    _, _, finalized = fan_out(stores, segments=3)
    assert finalized["counts"]["changed"] == 0 and history(stores).keys() == set(VERSIONS)


PERSONA_TIER = '''"""A migration with SQL and an item step."""

from dataops.migrations import MigrationContext

version = "20250101000000"
name = "persona-tier"
description = "An SLA column for services; a tier on every persona"


def tiered(persona):
    persona["tier"] = "gold" if persona["persona_id"].endswith("0") else "standard"
    return persona


def up(ctx: MigrationContext) -> None:
    ctx.execute("ALTER TABLE services ADD COLUMN sla_hours integer")
    ctx.migrate_items("persona", from_version="1.0.0", to_version="2.0.0", transform=tiered)


def down(ctx: MigrationContext) -> None:
    ctx.execute("ALTER TABLE services DROP COLUMN sla_hours")
'''


def test_on_postgres_sql_runs_at_finalize_with_its_history_row_so_an_aborted_job_can_be_planned_again(
    provisioned, tmp_path
):
    folder = tmp_path / "migrations"
    shutil.copytree(load_profile("agent_system").migrations_dir, folder, ignore=shutil.ignore_patterns("__pycache__"))
    (folder / "20250101000000_persona_tier.py").write_text(PERSONA_TIER)
    stores = with_migrations_path(provisioned("agent_system"), folder)
    persona = stores.profile.entity("persona")
    records: list[dict[str, Any]] = [
        {
            "persona_id": f"persona-{number:02d}",
            "name": f"Persona {number}",
            "role": "engineer",
            "description": "d",
            "expertise": ["python"],
            "communication_style": "direct",
        }
        for number in range(25)
    ]
    stores.table.batch_write(item_for(stores.profile, persona, record) for record in records)

    planned = invoke({"action": "plan", "segments": 2}, stores)
    # The SQL-only migrations before the first item step were applied whole; the mixed one waits for finalize.
    assert [s["outcome"] for s in planned["steps"]] == ["applied"] * 4 + ["planned"]
    assert "sla_hours" not in columns_of(stores, "services")
    invoke({"action": "abort", "job": planned["job"]["job_id"], "lease": planned["job"]["lease"]}, stores)

    _, _, finalized = fan_out(stores, segments=2)
    assert finalized["status"] == "succeeded"
    assert finalized["steps"][0]["sql"] == ["ALTER TABLE services ADD COLUMN sla_hours integer"]
    assert "sla_hours" in columns_of(stores, "services")
    migrated = [record_from_item(stores.profile, item) for item in stores.table.scan()]
    assert sorted((r["persona_id"], r["tier"], r["schemaVersion"]) for r in migrated) == [
        (r["persona_id"], "gold" if r["persona_id"].endswith("0") else "standard", "2.0.0") for r in records
    ]
    assert history(stores).keys() == {*ALL_VERSIONS, "20250101000000"}
    assert invoke({"action": "validate"}, stores)["valid"] is True
