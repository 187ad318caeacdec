"""The `reset` operation's requests (one model per action, discriminated on `action`) and its one result."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field, model_validator

from dataops.config import behaviour_defaults
from dataops.errors import InvalidRequest
from dataops.models import ActionOutput, OperationRequest, OperationResult
from dataops.operations.reset.promise import Difference, StatePromise
from dataops.operations.seed.engine import StoreTally
from dataops.operations.seed.operation import DEFAULT_SEED

ClearableStore = Literal["dynamodb", "postgres", "opensearch", "all"]


class ListStates(OperationRequest):
    """Each reset state of the profile and the actions that reach it."""

    action: Literal["list"]


class StateSeeding(OperationRequest):
    """What reaching a state takes: which state, and how its data is generated."""

    state: str = Field(min_length=1, description="The state to reach.")
    seed: int = Field(default=DEFAULT_SEED, ge=0, description="Seed value for the state's generated data.")
    skip_existing: bool = Field(
        default_factory=lambda: behaviour_defaults().skip_existing,
        description="Leave existing records untouched (env SKIP_EXISTING); after a clear there are none.",
    )

    @model_validator(mode="before")
    @classmethod
    def _state_is_named(cls, data: Any) -> Any:
        # Refused in the words the CLI and the tests have always shown, ahead of pydantic's "field required".
        if isinstance(data, dict) and not data.get("state"):
            raise InvalidRequest.for_field("state", f"action {data.get('action')!r} needs 'state' (the state to reach)")
        return data


class ReachState(StateSeeding):
    """Clear every data store, then seed (or restore) the state, and record what it promises."""

    action: Literal["state"]


class SeedState(StateSeeding):
    """Seed the state's data without clearing first (the reset workflow's step), and record what it promises."""

    action: Literal["seed-state"]


class ClearStores(OperationRequest):
    """Empty one data store or all; the backup bucket and the control table are never touched."""

    action: Literal["clear"]
    store: ClearableStore = Field(default="all", description="Which data store to empty.")


class ValidateState(OperationRequest):
    """Compare the stores with what the last state reached promised."""

    action: Literal["validate"]
    state: str | None = Field(default=None, description="The state expected to be the last one reached.")


class NamedSnapshot(OperationRequest):
    """A snapshot taken or restored through the backup capability, by name."""

    name: str = Field(min_length=1, description="The snapshot name (backup's rules).")


class TakeSnapshot(NamedSnapshot):
    """Take a named snapshot (an encrypted backup)."""

    action: Literal["snapshot"]


class RestoreSnapshot(NamedSnapshot):
    """Restore a named snapshot (a safety backup first), and record the stores as its state."""

    action: Literal["restore"]


ResetRequest = ListStates | ReachState | SeedState | ClearStores | ValidateState | TakeSnapshot | RestoreSnapshot


class StateInfo(BaseModel):
    name: str
    description: str
    actions: list[str]


class ResetOutput(ActionOutput):
    """What a reset action returns besides counts: the state, what was cleared and seeded, and what differs."""

    state: str | None = None
    cleared: dict[str, dict[str, int]] = {}
    tallies: list[StoreTally] = []
    states: list[StateInfo] = []
    promise: StatePromise | None = None
    differences: list[Difference] = []
    backup: dict[str, Any] | None = None


class ResetResult(OperationResult, ResetOutput):
    pass
