"""The `seed` operation's requests (one model per action, discriminated on `action`) and its one result."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from dataops.config import behaviour_defaults
from dataops.models import ActionOutput, OperationRequest, OperationResult
from dataops.operations.seed.engine import StoreTally

DEFAULT_SEED = 4


class SeededRequest(OperationRequest):
    """The seed value both actions generate from: `list` counts what it would give, `run` writes it."""

    seed: int = Field(default=DEFAULT_SEED, ge=0, description="Seed value: the same value gives the same data.")


class ListScenarios(SeededRequest):
    """List the profile's scenarios with what each seeds."""

    action: Literal["list"]


class SeedScenario(SeededRequest):
    """Seed one scenario into every store its entities live in."""

    action: Literal["run"] = "run"
    scenario: str | None = Field(default=None, description="Scenario to seed; the profile's default when absent.")
    skip_existing: bool = Field(
        default_factory=lambda: behaviour_defaults().skip_existing,
        description="Leave existing records untouched (true) or overwrite them (false) (env SKIP_EXISTING).",
    )


SeedRequest = ListScenarios | SeedScenario


class ScenarioInfo(BaseModel):
    name: str
    description: str
    counts: dict[str, int]
    default: bool = False


class SeedOutput(ActionOutput):
    """What a seed action returns besides counts: the scenario seeded and its tallies, or the scenario list."""

    scenario: str | None = None
    seed: int | None = None
    skip_existing: bool | None = None
    tallies: list[StoreTally] = []
    scenarios: list[ScenarioInfo] = []


class SeedResult(OperationResult, SeedOutput):
    pass
