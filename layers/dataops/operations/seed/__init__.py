"""`seed`: deterministic scenario data into every store an entity lives in."""

from dataops.operations.seed.operation import SEED, SeedRequest, SeedResult

__all__ = ["SEED", "SeedRequest", "SeedResult"]
