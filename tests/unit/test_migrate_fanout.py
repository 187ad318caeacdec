"""The migrate workflow's pure parts: its payloads as the workflow builds them, how plan sizes the job, what
finalize refuses, and a context that keeps to plan's item steps."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any, cast

import pytest

from dataops.errors import InvalidRequest
from dataops.operations.migrate import MIGRATE
from dataops.operations.migrate.context import MigrationContext, Part, PlanNotKept
from dataops.operations.migrate.fanout import check_unit, job_files, outcomes_by_segment, segments_for
from dataops.operations.migrate.files import discover
from dataops.operations.migrate.models import (
    AbortMigrations,
    FinalizeMigrations,
    ItemStep,
    MigrationUnitRequest,
    PlanMigrations,
)
from dataops.profiles import load_profile
from dataops.segmented_compare import MAX_SHARES, RECORDS_PER_UNIT
from dataops.stores.data_stores import DataStores
from dataops.workflows import workflow_named

TATTOO = load_profile("tattoo_directory")
FILES = discover(TATTOO.migrations_dir)
STEP = {"entity": "artist", "from_version": "1.0.0", "to_version": "1.1.0", "index": "artists"}
PLANNED = [{"version": m.version, "name": m.name, "checksum": m.checksum, "item_steps": [STEP]} for m in FILES[:2]]
JOB = {"job_id": "migrate-abc", "lease": "f00d", "segments": 2, "migrations": PLANNED}
# The migrate workflow's one step, as the catalog (and so the state machine) has it.
(MIGRATE_STEP,) = workflow_named("migrate").steps


def stores(**fakes: Any) -> DataStores:
    return cast(DataStores, SimpleNamespace(profile=TATTOO, settings=SimpleNamespace(migrations_path=None), **fakes))


def finalize(outcomes: list[dict[str, Any]], migrations: list[dict[str, Any]] = PLANNED) -> FinalizeMigrations:
    request = MIGRATE.parse(
        {"action": "finalize", "job": "migrate-abc", "lease": "f00d", "segments": 2, "migrations": migrations}
        | {"outcomes": outcomes}
    )
    assert isinstance(request, FinalizeMigrations)
    return request


def outcome(segment: int, versions: tuple[str, ...] = ("1.1.0", "1.2.0")) -> dict[str, Any]:
    return {"unit": {"segment": segment}, "items": {v: {"scanned": 3, "changed": 1, "reindexed": 1} for v in versions}}


def test_the_workflows_plan_unit_finalize_and_abort_payloads_are_the_fan_out_actions() -> None:
    options = {"dry_run": False}
    plan = MIGRATE_STEP.plan_request(options)
    unit = MIGRATE_STEP.unit_request("migrate-abc", {"segment": 1}, JOB)
    final = MIGRATE_STEP.finalize_request(options, "migrate-abc", [outcome(0), outcome(1)], JOB)
    assert plan == {"action": "plan", "dry_run": False}
    assert isinstance(MIGRATE.parse(plan), PlanMigrations)
    parsed = MIGRATE.parse(unit)
    assert isinstance(parsed, MigrationUnitRequest) and parsed.segments == 2 and parsed.unit.segment == 1
    assert [m.version for m in parsed.migrations] == ["1.1.0", "1.2.0"]
    assert isinstance(MIGRATE.parse(final), FinalizeMigrations)
    # The workflow's catch sends the carried fields too (infra/constructs/workflow_fan_out.py).
    abort = {"action": "abort", "job": "migrate-abc", **{k: JOB[k] for k in ("lease", "segments", "migrations")}}
    assert isinstance(MIGRATE.parse(abort | {"reason": "units failed"}), AbortMigrations)


def test_steps_after_plan_need_the_lease_and_a_dry_run_of_one_is_refused() -> None:
    with pytest.raises(InvalidRequest, match="field 'lease'"):
        MIGRATE.parse({"action": "unit", "job": "j", "segments": 1, "migrations": [], "unit": {"segment": 0}})
    with pytest.raises(InvalidRequest, match="field 'dry_run'"):
        MIGRATE.check(MIGRATE.parse({**MIGRATE_STEP.unit_request("j", {"segment": 0}, JOB), "dry_run": True}), stores())


def test_a_unit_of_a_segment_plan_did_not_cut_is_refused_before_the_lease() -> None:
    request = MIGRATE.parse(MIGRATE_STEP.unit_request("migrate-abc", {"segment": 2}, JOB))
    with pytest.raises(InvalidRequest, match=r"field 'unit\.segment'"):
        check_unit(cast(MigrationUnitRequest, request), stores())


def test_a_job_is_cut_by_the_items_its_units_read_over_all_the_item_steps() -> None:
    assert segments_for(10**9, 0, None) == 0, "no item steps: no unit"
    assert segments_for(10, 4, None) == 1
    assert segments_for(RECORDS_PER_UNIT, 4, None) == 4, "each unit reads its segment once per step"
    assert segments_for(10**9, 4, None) == MAX_SHARES
    assert segments_for(10**9, 4, 3) == 3


def test_finalize_refuses_outcomes_that_miss_a_unit_naming_every_missing_one() -> None:
    with pytest.raises(InvalidRequest, match="units missing: segment 1 of 2"):
        outcomes_by_segment(finalize([outcome(0)]))
    with pytest.raises(InvalidRequest, match="units missing: segment 0 of 2, segment 1 of 2"):
        outcomes_by_segment(finalize([]))
    assert sorted(outcomes_by_segment(finalize([outcome(1), outcome(0)]))) == [0, 1]


def test_finalize_refuses_an_outcome_that_is_not_one_of_the_jobs_units() -> None:
    with pytest.raises(InvalidRequest, match="segment 5 is not one of this job's units"):
        outcomes_by_segment(finalize([outcome(0), outcome(1), outcome(5)]))
    with pytest.raises(InvalidRequest, match="segment 1 is not one of this job's units"):
        outcomes_by_segment(finalize([outcome(0), outcome(1, ("1.1.0",))]))


def test_a_job_without_item_steps_expects_no_unit() -> None:
    plain = [{**planned, "item_steps": []} for planned in PLANNED]
    assert outcomes_by_segment(finalize([], plain)) == {}


def test_a_unit_or_finalize_refuses_a_migration_file_edited_since_plan() -> None:
    request = finalize([outcome(0), outcome(1)])
    assert [migration.version for migration, _ in job_files(FILES, request.migrations)] == ["1.1.0", "1.2.0"]
    request.migrations[1].checksum = "0" * 64
    with pytest.raises(InvalidRequest, match=r"1\.2\.0 \(normalize-locations\) was edited since plan"):
        job_files(FILES, request.migrations)


def run_up(part: Part, **fakes: Any) -> MigrationContext:
    context = MigrationContext(stores(**fakes), dry_run=False, part=part)
    FILES[0].up(context)
    context.finish()
    return context


def test_plan_records_the_item_steps_and_their_index_without_scanning_or_mapping() -> None:
    # No table to scan and no search client to put mappings with: recording must touch neither.
    search = SimpleNamespace(index_exists=lambda index: index == "artists")
    context = run_up(
        Part(sql=False, items=False, mappings=False), search=search, search_indexes=lambda: {"artist": "artists"}
    )
    assert context.item_steps == [ItemStep.model_validate(STEP)]
    assert context.actions == ["artist items 1.0.0 -> 1.1.0 (by the job's units)"]
    assert context.items == {}


def test_a_context_under_a_plan_refuses_other_or_fewer_item_steps_than_planned() -> None:
    planned = ItemStep.model_validate(STEP)
    kept = run_up(Part(items=False, mappings=False, planned=(planned,)))
    assert kept.item_steps == [planned], "the plan's index is kept"
    with pytest.raises(PlanNotKept, match="plan did not record"):
        run_up(Part(items=False, mappings=False, planned=(planned.model_copy(update={"to_version": "9.0.0"}),)))
    with pytest.raises(PlanNotKept, match="plan did not record"):
        run_up(Part(items=False, mappings=False, planned=()))
    with pytest.raises(PlanNotKept, match="made 1 item step"):
        run_up(Part(items=False, mappings=False, planned=(planned, planned)))
