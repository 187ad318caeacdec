"""`seed`: list the profile's scenarios, or seed one (the profile's default when none is named)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from dataops.errors import ConfigurationError, InvalidRequest
from dataops.operations.framework import Action, Operation
from dataops.operations.seed.engine import SeedEngine, SeedOptions, StoreTally
from dataops.operations.seed.models import (
    DEFAULT_SEED,
    ListScenarios,
    ScenarioInfo,
    SeedOutput,
    SeedRequest,
    SeedResult,
    SeedScenario,
)
from dataops.operations.seed.sinks import PostgresSink, sinks_for
from dataops.profiles.model import Scenario, SeedContext, SeedingCatalog
from dataops.stores.data_stores import DataStores

# Generated timestamps are relative to this fixed instant, never to the wall clock, so data sets repeat exactly.
DATASET_CLOCK = datetime(2026, 11, 1, tzinfo=UTC)


def catalog_of(stores: DataStores) -> SeedingCatalog:
    if stores.profile.seeding is None:
        raise InvalidRequest.for_field("profile", f"profile {stores.profile.name!r} defines no seed data")
    return stores.profile.seeding


def check_scenario(request: SeedScenario, stores: DataStores) -> None:
    """An unknown scenario is refused before the lock, so it writes nothing, not even an audit record."""
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


def list_scenarios(request: ListScenarios, stores: DataStores) -> SeedOutput:
    catalog = catalog_of(stores)
    context = SeedContext(seed=request.seed, clock=DATASET_CLOCK)
    return SeedOutput(
        scenarios=[
            ScenarioInfo(
                name=scenario.name,
                description=scenario.description,
                counts=scenario.counts(context),
                default=scenario.name == catalog.default_scenario,
            )
            for scenario in catalog.scenarios
        ]
    )


def run_seed(request: SeedScenario, stores: DataStores) -> SeedOutput:
    scenario = catalog_of(stores).scenario(request.scenario)
    context = SeedContext(seed=request.seed, clock=DATASET_CLOCK)
    options = SeedOptions(skip_existing=request.skip_existing, dry_run=request.dry_run)
    tallies = seed_scenario(stores, scenario, context, options)
    return SeedOutput(
        counts=totals(tallies),
        scenario=scenario.name,
        seed=request.seed,
        skip_existing=request.skip_existing,
        tallies=tallies,
        warnings=[tally.warning for tally in tallies if tally.warning],
    )


SEED: Operation[Any, SeedResult] = Operation(
    name="seed",
    result_model=SeedResult,
    actions=(
        Action(ListScenarios, list_scenarios),
        Action(SeedScenario, run_seed, mutates=True, check=check_scenario),
    ),
    default_action="run",
)

__all__ = [
    "DATASET_CLOCK",
    "DEFAULT_SEED",
    "SEED",
    "SeedRequest",
    "SeedResult",
    "catalog_of",
    "preflight",
    "seed_scenario",
]
