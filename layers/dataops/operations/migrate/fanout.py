"""The migrate workflow: `apply` fanned out over Step Functions, so item migrations of a table past one
invocation's 15 minutes are no longer limited by it.

The workflow runs the same up() of the same files as apply, once per part, each time with a context that carries
out only that part (`context.Part`); migration files never know which part they are in.

- plan (takes the lease): the pending migrations (apply's rules: order, target, failed ones again, drift refused
  unless repair) before the first one with item steps are applied whole, as apply does: nothing of them fans out.
  From the first with item steps on, every pending migration joins the job: plan puts its search mappings and
  records, without running them, its item steps (`migrate_items` calls) and the index each one re-indexes into.
  It cuts the table into scan segments: one unit each.
- unit: carries its segment through every item step of every job migration, in migration order, each step
  scanning only that segment.
- finalize: checks that every segment's outcome is there, then runs each job migration's SQL in the transaction
  that records its history row (same checksum, so status and validate agree with apply's), in order.

Why the result is apply's: an item step maps each item on its own (its transform sees one record), and an item
stays in one segment (segments go by key, and a step rewrites an item under its key). So carrying each segment
through all the steps in order ends every item where apply's whole-table steps end it; migration N+1's step never
runs on a segment before N's, with no barrier between migrations, and one job covers every pending migration.
SQL and item steps touch different stores, so running the job's SQL after its item steps changes neither, and the
SQL keeps its own order. Running it at finalize, not plan, keeps it in one transaction with its history row: a
job that dies before finalize has run no SQL, so the next run never repeats a statement of a migration that the
history still calls pending. Mappings are the profile's whichever migration puts them, so plan putting all of
them is putting some early; the index each step re-indexes into is decided by plan in apply's order and kept by
the units. up() may decide on what it reads: units and finalize refuse (PlanNotKept) other item steps than plan's.

Every unit is safe to repeat: items record their version, so a retried unit, or a new run after an abort, skips
what was changed already. Until finalize the history calls the job's migrations pending, and a new run finishes
them. A unit reads its segment once per item step, so the table is cut by the items read over all the steps.
"""

from __future__ import annotations

import time
import uuid
from collections import Counter
from collections.abc import Iterable

from dataops.errors import InvalidRequest
from dataops.migration_history import error_line
from dataops.operations.framework import elapsed_ms, held_lease
from dataops.operations.migrate.context import Part
from dataops.operations.migrate.engine import (
    MigrationFailed,
    MigrationRun,
    load_migrations,
    open_run,
    pending_of,
    resolve_target,
    run_outcome,
)
from dataops.operations.migrate.files import MigrationFile
from dataops.operations.migrate.history import StepFailed
from dataops.operations.migrate.models import (
    AbortMigrations,
    FinalizeMigrations,
    ItemStep,
    MigrateOutput,
    MigrationSegment,
    MigrationUnitOutcome,
    MigrationUnitRequest,
    PlanMigrations,
    PlannedJob,
    PlannedMigration,
)
from dataops.segmented_compare import shares_for
from dataops.stores.data_stores import DataStores

ITEM_COUNTS = ("scanned", "changed", "reindexed")
# What plan carries out of a job migration: its mappings (a dry run also shows the SQL finalize would run).
AT_PLAN = Part(sql=False, items=False)
AT_PLAN_DRY = Part(items=False)


def plan(request: PlanMigrations, stores: DataStores) -> MigrateOutput:
    """Apply whole what comes before the first item step; put the rest's mappings and plan its item steps."""
    with open_run(stores, dry_run=request.dry_run) as run:
        target = resolve_target(run.migrations, request.target)
        with run.exclusive():
            entries = run.history.entries()
            run.check_drift(entries, request.repair)
            job: list[PlannedMigration] = []
            for migration in pending_of(run.migrations, entries, target):
                if not job and not item_steps_of(run, migration):
                    run.up(migration)
                    continue
                context = run.prepare(migration, AT_PLAN_DRY if request.dry_run else AT_PLAN)
                job.append(
                    PlannedMigration(
                        version=migration.version,
                        name=migration.name,
                        checksum=migration.checksum,
                        item_steps=context.item_steps,
                    )
                )
        output = run_outcome(run)
    steps = sum(len(planned.item_steps) for planned in job)
    segments = segments_for(stores.table.item_count() if steps else 0, steps, request.segments)
    output.units = [MigrationSegment(segment=segment) for segment in range(segments)]
    output.counts |= {"units": segments, "table_segments": segments, "job_migrations": len(job)}
    output.details = {"job_migrations": [planned.version for planned in job]}
    if not request.dry_run:
        output.job = {
            "job_id": f"migrate-{uuid.uuid4().hex[:12]}",
            "lease": held_lease().token,
            "segments": segments,
            "migrations": [planned.model_dump(mode="json") for planned in job],
        }
    return output


def segments_for(item_count: int, item_steps: int, asked: int | None) -> int:
    """No unit without item steps; else as asked, or enough that a unit reads about RECORDS_PER_UNIT items over
    all the steps (it reads its segment once per step)."""
    if not item_steps:
        return 0
    return asked or shares_for(item_count * item_steps)


def item_steps_of(run: MigrationRun, migration: MigrationFile) -> list[ItemStep]:
    """The item steps up() makes, read with a dry run that runs none of them."""
    try:
        context = run.history.run_step(migration.up, dry_run=True, record=None, forget=None, part=AT_PLAN_DRY)
    except StepFailed:
        # Applied whole instead, it fails there as apply's run would, and its failure is recorded the same way.
        return []
    return context.item_steps


def unit(request: MigrationUnitRequest, stores: DataStores) -> MigrateOutput:
    """Carry one segment through every planned item step, migration by migration, in order."""
    segment = request.unit.segment
    items: dict[str, dict[str, int]] = {}
    durations: dict[str, int] = {}
    with open_run(stores, dry_run=False) as run:
        for migration, planned in job_files(run.migrations, request.migrations):
            if not planned.item_steps:
                continue
            started = time.monotonic()
            part = Part(
                sql=False, mappings=False, segment=segment, segments=request.segments, planned=tuple(planned.item_steps)
            )
            try:
                context = run.history.run_step(migration.up, dry_run=False, record=None, forget=None, part=part)
            except StepFailed as failure:
                raise MigrationFailed(
                    f"migration {migration.version} ({migration.name}) failed in segment {segment} of "
                    f"{request.segments}: {error_line(failure.error)}; a new run finishes what this unit left"
                ) from None
            items[migration.version] = {name: context.items[name] for name in ITEM_COUNTS}
            durations[migration.version] = elapsed_ms(started)
    outcome = MigrationUnitOutcome(unit=request.unit, items=items, duration_ms=durations)
    return MigrateOutput(job={"job_id": request.job}, outcome=outcome, counts=summed(items.values()))


def finalize(request: FinalizeMigrations, stores: DataStores) -> MigrateOutput:
    """With every unit's outcome there, run each job migration's SQL with its history row, in order."""
    outcomes = outcomes_by_segment(request)
    by_version: dict[str, Counter[str]] = {}
    spent: Counter[str] = Counter()
    for outcome in outcomes.values():
        for version, counts in outcome.items.items():
            by_version.setdefault(version, Counter()).update(counts)
        spent.update(outcome.duration_ms)
    with open_run(stores, dry_run=False) as run:
        target = resolve_target(run.migrations, request.target)
        job = job_files(run.migrations, request.migrations)
        with run.exclusive():
            entries = run.history.entries()
            run.check_drift(entries, request.repair)
            ahead = [migration.version for migration in pending_of(run.migrations, entries, target)[: len(job)]]
            if ahead != [planned.version for planned in request.migrations]:
                raise InvalidRequest.for_field(
                    "migrations",
                    f"the job planned {', '.join(p.version for p in request.migrations)} but the next pending "
                    f"migrations are {', '.join(ahead) or 'none'}; abort this job and run the workflow again",
                )
            for migration, planned in job:
                part = Part(mappings=False, items=False, planned=tuple(planned.item_steps))
                run.up(migration, part, spent_ms=spent[migration.version])
                run.steps[-1].items = dict(by_version.get(migration.version, {}))
        output = run_outcome(run)
    # What the units re-indexed becomes searchable before the workflow says it is done.
    for index in {step.index for planned in request.migrations for step in planned.item_steps if step.index}:
        if stores.search.index_exists(index):
            stores.search.refresh(index)
    output.job = {"job_id": request.job}
    output.counts |= summed(by_version.values()) | {"units": len(outcomes)}
    return output


def abort(request: AbortMigrations, stores: DataStores) -> MigrateOutput:
    """Say whether the lease was still this job's; the framework releases it and audits why it stopped. Units that
    ran have carried their segment on; the history still calls the job's migrations pending, so a new run (the
    workflow or apply) finishes them."""
    return MigrateOutput(
        job={"job_id": request.job},
        details={"lock_released": held_lease().holds(), "reason": request.reason},
    ).failed_because(request.reason or "the migrate workflow stopped")


def job_files(
    migrations: list[MigrationFile], planned: list[PlannedMigration]
) -> list[tuple[MigrationFile, PlannedMigration]]:
    """Each planned migration's file, unchanged since plan: a unit or finalize never runs another up()."""
    files = {migration.version: migration for migration in migrations}
    job = []
    for step in planned:
        migration = files.get(step.version)
        if migration is None or migration.checksum != step.checksum:
            said = "has no file now" if migration is None else f"was edited since plan (checksum {step.checksum})"
            raise InvalidRequest.for_field(
                "migrations", f"migration {step.version} ({step.name}) {said}; abort this job and plan it again"
            )
        job.append((migration, step))
    return job


def outcomes_by_segment(request: FinalizeMigrations) -> dict[int, MigrationUnitOutcome]:
    """One outcome per planned segment, each for every migration with item steps; else refused, naming the gap."""
    expected = range(request.segments) if any(planned.item_steps for planned in request.migrations) else range(0)
    outcomes = {outcome.unit.segment: outcome for outcome in request.outcomes}
    if missing := [segment for segment in expected if segment not in outcomes]:
        listed = ", ".join(f"segment {segment} of {request.segments}" for segment in missing[:10])
        raise InvalidRequest.for_field("outcomes", f"units missing: {listed}; run the migrate workflow again")
    itemized = sorted(planned.version for planned in request.migrations if planned.item_steps)
    for segment, outcome in outcomes.items():
        if segment not in expected or sorted(outcome.items) != itemized:
            raise InvalidRequest.for_field(
                "outcomes", f"the outcome of segment {segment} is not one of this job's units ({request.job})"
            )
    return outcomes


def summed(counts: Iterable[dict[str, int]]) -> dict[str, int]:
    totals: Counter[str] = Counter({name: 0 for name in ITEM_COUNTS})
    for entry in counts:
        totals.update(entry)
    return dict(totals)


def check_unit(request: MigrationUnitRequest, stores: DataStores) -> None:
    """Before the lease: the files are plan's, and the segment is one plan cut."""
    check_job(request, stores)
    if request.unit.segment >= request.segments:
        raise InvalidRequest.for_field("unit.segment", f"plan cut {request.segments} segment(s), 0 to n-1")


def check_finalize(request: FinalizeMigrations, stores: DataStores) -> None:
    check_job(request, stores)
    resolve_target(load_migrations(stores), request.target)


def check_job(request: PlannedJob, stores: DataStores) -> None:
    job_files(load_migrations(stores), request.migrations)
