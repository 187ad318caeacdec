"""`seed`: deterministic scenario data into every store an entity lives in."""

from dataops.operations.seed.models import ListScenarios, SeedOutput, SeedScenario
from dataops.operations.seed.operation import SEED, SeedRequest, SeedResult, seed_scenario

__all__ = ["SEED", "ListScenarios", "SeedOutput", "SeedRequest", "SeedResult", "SeedScenario", "seed_scenario"]
