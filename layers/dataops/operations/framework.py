"""What every operation shares: one request model per action, the envelope and timing of its result, and the
lease lock and audit record around a mutation.

An operation is a name, its result model and its actions. An `Action` is a request model (whose `action` field is
a `Literal` naming it), a body, whether it changes data, and the checks that need the profile. The body returns
only what is its own (an `ActionOutput`); `Operation.execute` wraps it in the envelope. Requests are a pydantic
union discriminated on `action`, so each action accepts exactly its own fields.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from typing import Annotated, Any, Generic, TypeVar, Union, get_args

from pydantic import Field, TypeAdapter, ValidationError

from dataops.audit import current_actor, record_audit
from dataops.errors import DataOpsError, InvalidRequest, validation_path, validation_problems
from dataops.locks import hold_lock
from dataops.models import ActionOutput, OperationRequest, OperationResult, OperationStatus, utc_now
from dataops.stores.data_stores import DataStores

RequestT = TypeVar("RequestT", bound=OperationRequest)
ResultT = TypeVar("ResultT", bound=OperationResult)

MUTATION_LOCK = "mutations"
# Operations without an `action` field have one action; results and audit records call it this.
SOLE_ACTION = "run"


@dataclass(frozen=True)
class Action(Generic[RequestT]):
    """One action of an operation: its own request model and body."""

    request_model: type[RequestT]
    body: Callable[[RequestT, DataStores], ActionOutput]
    # A bool, or a rule over the request (validate changes data only with fix_issues).
    mutates: bool | Callable[[RequestT], bool] = False
    # Checks that need the profile (scenario or state names); raised before the lock, so bad input writes nothing.
    check: Callable[[RequestT, DataStores], None] | None = None

    @property
    def names(self) -> tuple[str, ...]:
        """The `action` values this model accepts (its Literal's values), or the sole action."""
        return action_names(self.request_model)

    def changes_data(self, request: RequestT) -> bool:
        return self.mutates(request) if callable(self.mutates) else self.mutates


@dataclass(frozen=True)
class Operation(Generic[RequestT, ResultT]):
    """An operation: its name, its result model, and its actions (one request model each)."""

    name: str
    result_model: type[ResultT]
    actions: Sequence[Action[RequestT]]
    # The action a payload without `action` means (restore's `restore`); None makes `action` required.
    default_action: str | None = None
    lock_lease_seconds: int = 120
    description: str = field(default="", compare=False)

    @cached_property
    def by_name(self) -> dict[str, Action[Any]]:
        found: dict[str, Action[Any]] = {}
        for action in self.actions:
            for name in action.names:
                if name in found:
                    raise TypeError(f"{self.name}: two actions accept action {name!r}")
                found[name] = action
        return found

    @property
    def action_names(self) -> tuple[str, ...]:
        return tuple(self.by_name)

    @cached_property
    def request_type(self) -> Any:
        """The request as one type: a single model, or the union of the actions' models discriminated on action."""
        models = tuple(action.request_model for action in self.actions)
        if len(models) == 1:
            return models[0]
        return Annotated[Union[models], Field(discriminator="action")]  # noqa: UP007 - a runtime tuple of models

    @cached_property
    def request_adapter(self) -> TypeAdapter[Any]:
        return TypeAdapter(self.request_type)

    @property
    def request_fields(self) -> frozenset[str]:
        """Every field some action's request has (the CLI carries shell switches only for these)."""
        return frozenset(name for action in self.actions for name in action.request_model.model_fields)

    def action_for(self, request: OperationRequest) -> Action[Any]:
        return self.by_name[action_of(request)]

    def parse(self, payload: Mapping[str, Any] | None) -> RequestT:
        """Validate an event or CLI payload against its action's model; every problem names its field."""
        if payload is None:
            payload = {}
        if not isinstance(payload, Mapping):
            raise InvalidRequest.for_field("(event)", f"must be a JSON object, got {type(payload).__name__}")
        data = dict(payload)
        if len(self.actions) == 1:
            # One model: its own `action` Literal and default (if any) decide.
            return parse_request(self.actions[0].request_model, data)
        if "action" not in data and self.default_action is not None:
            data["action"] = self.default_action
        name = data.get("action")
        if name is None:
            raise InvalidRequest.for_field("action", f"required; one of {', '.join(self.action_names)}")
        if not isinstance(name, str) or name not in self.by_name:
            raise InvalidRequest.for_field(
                "action", f"unknown action {name!r} for {self.name}; valid: {', '.join(self.action_names)}"
            )
        model = self.by_name[name].request_model
        try:
            return model.model_validate(data)  # type: ignore[no-any-return]
        except ValidationError as exc:
            raise InvalidRequest(self._problems(name, exc)) from None

    def _problems(self, name: str, error: ValidationError) -> list[tuple[str, str]]:
        """A field of another action is named as such: `list` given `name` says `name` belongs to `create`."""
        kinds = {validation_path(item["loc"]): item["type"] for item in error.errors()}
        fields = self.by_name[name].request_model.model_fields
        rewritten = []
        for path, reason in validation_problems(error):
            owners = [other for other in self.action_names if path in self.by_name[other].request_model.model_fields]
            if kinds.get(path) == "extra_forbidden" and owners:
                said = f"action {name!r} does not take this field (it belongs to {', '.join(owners)})"
            elif kinds.get(path) == "extra_forbidden":
                said = f"unknown field for action {name!r}; remove it"
            elif kinds.get(path) == "missing" and path in fields and fields[path].description:
                said = f"action {name!r} needs it: {fields[path].description}"
            else:
                said = f"{reason} (action {name!r})"
            rewritten.append((path, said))
        return rewritten

    def execute(self, request: OperationRequest, stores: DataStores) -> ResultT:
        """Run the action's body and wrap its output in the envelope; no lock (callers inside a run use this)."""
        started_at, started = utc_now(), time.monotonic()
        output = self.action_for(request).body(request, stores)
        if isinstance(output, OperationResult):
            # A body that still builds its own envelope; it already carries status and timing.
            return output  # type: ignore[return-value]
        return self.result_model.model_validate(
            {
                **{name: getattr(output, name) for name in type(output).model_fields},
                "operation": self.name,
                "action": action_of(request),
                "status": OperationStatus.FAILED if output.is_failure else status_for(request),
                "profile": stores.profile.name,
                "started_at": started_at,
                "duration_ms": elapsed_ms(started),
            }
        )

    def changes_data(self, request: OperationRequest) -> bool:
        return self.action_for(request).changes_data(request)

    def check(self, request: OperationRequest, stores: DataStores) -> None:
        """The action's checks that need the profile or the stores; they raise InvalidRequest, writing nothing."""
        action = self.action_for(request)
        if action.check is not None:
            action.check(request, stores)

    def run(self, request: OperationRequest, stores: DataStores, *, actor: str | None = None) -> ResultT:
        """Execute; a mutating, non-dry run holds the lease lock and leaves an audit record."""
        self.check(request, stores)
        if request.dry_run or not self.changes_data(request):
            return self.execute(request, stores)
        who = actor or current_actor()
        parameters = request.model_dump(mode="json")
        started_at, started = utc_now(), time.monotonic()
        with hold_lock(stores.control, MUTATION_LOCK, who, self.lock_lease_seconds):
            try:
                result = self.execute(request, stores)
            except Exception as exc:
                failed = failed_result(self.name, request, stores.profile.name, started_at, started)
                record_audit(stores.control, actor=who, parameters=parameters, result=failed, error=str(exc))
                raise
            record_audit(stores.control, actor=who, parameters=parameters, result=result)
        return result


def action_names(model: type[OperationRequest]) -> tuple[str, ...]:
    found = model.model_fields.get("action")
    if found is None:
        return (SOLE_ACTION,)
    values = get_args(found.annotation)
    if not values:
        raise TypeError(f"{model.__name__}.action must be a Literal naming the action")
    return tuple(str(value) for value in values)


def parse_request(model: type[RequestT], payload: Mapping[str, Any] | None) -> RequestT:
    """Validate a payload against one model; every problem becomes one InvalidRequest naming its field."""
    if payload is None:
        payload = {}
    if not isinstance(payload, Mapping):
        raise InvalidRequest.for_field("(event)", f"must be a JSON object, got {type(payload).__name__}")
    try:
        return model.model_validate(dict(payload))
    except ValidationError as exc:
        raise InvalidRequest.from_validation_error(exc) from None


def action_of(request: OperationRequest) -> str:
    return str(getattr(request, "action", SOLE_ACTION))


def failed_result(
    operation: str, request: OperationRequest, profile: str, started_at: datetime, started: float
) -> OperationResult:
    return OperationResult(
        operation=operation,
        action=action_of(request),
        status=OperationStatus.FAILED,
        profile=profile,
        started_at=started_at,
        duration_ms=elapsed_ms(started),
    )


def elapsed_ms(started: float) -> int:
    return int((time.monotonic() - started) * 1000)


def status_for(request: OperationRequest) -> OperationStatus:
    return OperationStatus.DRY_RUN if request.dry_run else OperationStatus.SUCCEEDED


__all__ = [
    "Action",
    "ActionOutput",
    "DataOpsError",
    "Operation",
    "action_of",
    "elapsed_ms",
    "parse_request",
    "status_for",
]
