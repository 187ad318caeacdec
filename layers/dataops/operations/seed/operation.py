"""`seed`: list the profile's scenarios, or seed one (the profile's default when none is named)."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Literal

from pydantic import BaseModel, Field

from dataops.config import behaviour_defaults
from dataops.errors import ConfigurationError, InvalidRequest
from dataops.models import OperationRequest, OperationResult, utc_now
from dataops.operations.framework import Action, Operation, elapsed_ms, status_for
from dataops.operations.seed.engine import SeedEngine, SeedOptions, StoreTally
from dataops.operations.seed.sinks import PostgresSink, sinks_for
from dataops.profiles.model import Scenario, SeedContext, SeedingCatalog
from dataops.stores.data_stores import DataStores

DEFAULT_SEED = 4
# Generated timestamps are relative to this fixed instant, never to the wall clock, so data sets repeat exactly.
DATASET_CLOCK = datetime(2026, 11, 1, tzinfo=UTC)


class SeedRequest(OperationRequest):
    action: Literal["list", "run"] = "run"
    scenario: str | None = Field(default=None, description="Scenario to seed; the profile's default when absent.")
    seed: int = Field(default=DEFAULT_SEED, ge=0, description="Seed value: the same value gives the same data.")
    skip_existing: bool = Field(
        default_factory=lambda: behaviour_defaults().skip_existing,
        description="Leave existing records untouched (true) or overwrite them (false) (env SKIP_EXISTING).",
    )


class ScenarioInfo(BaseModel):
    name: str
    description: str
    counts: dict[str, int]
    default: bool = False


class SeedResult(OperationResult):
    scenario: str | None = None
    seed: int | None = None
    skip_existing: bool | None = None
    tallies: list[StoreTally] = []
    scenarios: list[ScenarioInfo] = []


def catalog_of(stores: DataStores) -> SeedingCatalog:
    if stores.profile.seeding is None:
        raise InvalidRequest.for_field("profile", f"profile {stores.profile.name!r} defines no seed data")
    return stores.profile.seeding


def check_seed(request: SeedRequest, stores: DataStores) -> None:
    if request.action == "run":
        catalog_of(stores).scenario(request.scenario)


def seed_scenario(
    stores: DataStores, scenario: Scenario, context: SeedContext, options: SeedOptions
) -> list[StoreTally]:
    """Shared with reset: stream the scenario's records into the stores and tally what happened."""
    engine = SeedEngine(stores, options, scenario.counts(context))
    return engine.run(scenario.generate(context))


def preflight(stores: DataStores, scenario: Scenario, context: SeedContext) -> None:
    """Refuse what seeding would refuse (a missing PostgreSQL table) before anything else changes the stores."""
    for entity_name in scenario.counts(context):
        for sink in sinks_for(stores, stores.profile.entity(entity_name)):
            problem = sink.missing() if isinstance(sink, PostgresSink) else None
            if problem is not None:
                raise ConfigurationError(problem)


def totals(tallies: list[StoreTally]) -> dict[str, int]:
    return {kind: sum(getattr(tally, kind) for tally in tallies) for kind in ("created", "updated", "skipped")}


def run_seed(request: SeedRequest, stores: DataStores) -> SeedResult:
    started_at, started = utc_now(), time.monotonic()
    catalog = catalog_of(stores)
    common = {
        "operation": "seed",
        "action": request.action,
        "status": status_for(request),
        "profile": stores.profile.name,
        "started_at": started_at,
    }
    context = SeedContext(seed=request.seed, clock=DATASET_CLOCK)
    if request.action == "list":
        infos = [
            ScenarioInfo(
                name=scenario.name,
                description=scenario.description,
                counts=scenario.counts(context),
                default=scenario.name == catalog.default_scenario,
            )
            for scenario in catalog.scenarios
        ]
        return SeedResult(**common, duration_ms=elapsed_ms(started), scenarios=infos)
    scenario = catalog.scenario(request.scenario)
    options = SeedOptions(skip_existing=request.skip_existing, dry_run=request.dry_run)
    tallies = seed_scenario(stores, scenario, context, options)
    return SeedResult(
        **common,
        duration_ms=elapsed_ms(started),
        counts=totals(tallies),
        scenario=scenario.name,
        seed=request.seed,
        skip_existing=request.skip_existing,
        tallies=tallies,
        warnings=[tally.warning for tally in tallies if tally.warning],
    )


SEED = Operation(
    name="seed",
    result_model=SeedResult,
    actions=(Action(SeedRequest, run_seed, mutates=lambda request: request.action == "run", check=check_seed),),
)
