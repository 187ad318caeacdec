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
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from functools import cached_property
from typing import Annotated, Any, Generic, TypeVar, Union, get_args

from pydantic import Field, TypeAdapter, ValidationError

from dataops.audit import current_actor, record_audit
from dataops.errors import DataOpsError, InvalidRequest, validation_path, validation_problems
from dataops.locks import LeaseLock, hold_lock, keep_lease
from dataops.models import ActionOutput, OperationRequest, OperationResult, OperationStatus, utc_now
from dataops.stores.data_stores import DataStores

RequestT = TypeVar("RequestT", bound=OperationRequest)
ResultT = TypeVar("ResultT", bound=OperationResult)

MUTATION_LOCK = "mutations"
# Operations without an `action` field have one action; results and audit records call it this.
SOLE_ACTION = "run"


class Lease(StrEnum):
    """How an action of a fanned-out job (plan -> units -> finalize, or abort) uses the lease that spans its
    invocations: plan takes it, units renew it, finalize or abort release it, and a workflow that dies leaves it
    to expire within the operation's lock_lease_seconds."""

    TAKE = "take"  # plan: acquire; still held when the call returns (its token goes back in the result)
    KEEP = "keep"  # unit: renew while running; refused, writing nothing, once the lease is gone
    RELEASE = "release"  # finalize: renew while running, then release and audit the whole job
    ABANDON = "abandon"  # abort: release if still ours and audit why; never refused


# The steps after plan: they write (or release), so a dry run of one is refused.
LEASED_STEPS = {Lease.KEEP, Lease.RELEASE, Lease.ABANDON}
# A lease token would let a reader of the audit renew someone's lock; outcomes repeat the counts unit by unit.
UNAUDITED_FIELDS = {"lease", "outcomes"}
_HELD: ContextVar[LeaseLock | None] = ContextVar("held_lease", default=None)


def held_lease() -> LeaseLock:
    """The lease the running action holds (a plan returns its token; an abort asks whether it is still ours)."""
    lock = _HELD.get()
    if lock is None:
        raise RuntimeError("held_lease() is only available inside an action that declares a Lease")
    return lock


def workflow_lease(stores: DataStores, operation: Operation[Any, Any], who: str, token: str | None) -> LeaseLock:
    owner = f"{who} ({operation.name} workflow)"
    lease_seconds = operation.lock_lease_seconds
    if token is None:
        return LeaseLock(stores.control, MUTATION_LOCK, owner, lease_seconds)
    return LeaseLock(stores.control, MUTATION_LOCK, owner, lease_seconds, token=token)


@dataclass(frozen=True)
class Action(Generic[RequestT]):
    """One action of an operation: its own request model and body."""

    request_model: type[RequestT]
    body: Callable[[RequestT, DataStores], ActionOutput]
    # A bool, or a rule over the request (validate changes data only with fix_issues).
    mutates: bool | Callable[[RequestT], bool] = False
    # Checks that need the profile (scenario or state names); raised before the lock, so bad input writes nothing.
    check: Callable[[RequestT, DataStores], None] | None = None
    # The part this action plays in a fanned-out job; such an action's request carries `lease` unless it takes it.
    lease: Lease | None = None

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

    def fields_for(self, payload: Mapping[str, Any]) -> frozenset[str]:
        """The fields the payload's action takes (all actions' fields when it names none that exists)."""
        name = payload.get("action", self.default_action if len(self.actions) > 1 else None)
        if len(self.actions) == 1:
            return frozenset(self.actions[0].request_model.model_fields)
        if isinstance(name, str) and name in self.by_name:
            return frozenset(self.by_name[name].request_model.model_fields)
        return self.request_fields

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
        if not isinstance(name, str) or name not in self.by_name:
            raise InvalidRequest(self._without_action(name, data))
        model = self.by_name[name].request_model
        try:
            return model.model_validate(data)  # type: ignore[no-any-return]
        except ValidationError as exc:
            raise InvalidRequest(self._problems(name, exc)) from None

    def _without_action(self, name: object, data: Mapping[str, Any]) -> list[tuple[str, str]]:
        """No valid action: say which ones there are, and still name every other field that no action could take."""
        valid = ", ".join(repr(known) for known in self.action_names)
        said = f"required; one of {valid}" if name is None else f"Input should be one of {valid} (got {name!r})"
        problems = [("action", said)]
        problems += [(field, "unknown field; remove it") for field in data if field not in self.request_fields]
        shared = {field: data[field] for field in OperationRequest.model_fields if field in data}
        try:
            OperationRequest.model_validate(shared)
        except ValidationError as exc:
            problems += validation_problems(exc)
        return problems

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
                said = f"unknown field; remove it (action {name!r})"
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
        result = self.result_model.model_validate(
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
        return result.failed_if(output.is_failure).failed_because(output.failure)

    def changes_data(self, request: OperationRequest) -> bool:
        return self.action_for(request).changes_data(request)

    def check(self, request: OperationRequest, stores: DataStores) -> None:
        """The action's checks that need the profile or the stores; they raise InvalidRequest, writing nothing."""
        action = self.action_for(request)
        if action.lease in LEASED_STEPS and request.dry_run:
            raise InvalidRequest.for_field("dry_run", f"a dry run stops at plan; {action_of(request)} writes")
        if action.check is not None:
            action.check(request, stores)

    def run(self, request: OperationRequest, stores: DataStores, *, actor: str | None = None) -> ResultT:
        """Execute; a mutating, non-dry run holds the lock and leaves an audit record. A fanned-out job's actions
        use the lease that spans its invocations instead (see `Lease`)."""
        self.check(request, stores)
        action = self.action_for(request)
        if request.dry_run or (action.lease is None and not action.changes_data(request)):
            return self.execute(request, stores)
        who = actor or current_actor()
        if action.lease is not None:
            return self._run_leased(action.lease, request, stores, who)
        with hold_lock(stores.control, MUTATION_LOCK, who, self.lock_lease_seconds):
            return self._audited(request, stores, who)

    def _run_leased(self, role: Lease, request: OperationRequest, stores: DataStores, who: str) -> ResultT:
        token = None if role is Lease.TAKE else str(getattr(request, "lease"))  # noqa: B009 - leased models have it
        lock = workflow_lease(stores, self, who, token)
        if role is Lease.TAKE:
            lock.acquire()
        entered = _HELD.set(lock)
        try:
            if role is Lease.KEEP:
                # A LeaseLost here writes nothing: units run in parallel and never audit on their own.
                with keep_lease(lock):
                    return self.execute(request, stores)
            if role is Lease.ABANDON:
                return self._audited(request, stores, who, lease=lock)
            with keep_lease(lock):
                return self._audited(request, stores, who, lease=lock, keep_on_success=role is Lease.TAKE)
        finally:
            _HELD.reset(entered)

    def _audited(
        self,
        request: OperationRequest,
        stores: DataStores,
        who: str,
        *,
        lease: LeaseLock | None = None,
        keep_on_success: bool = False,
    ) -> ResultT:
        """Execute and leave the audit record, releasing `lease` first. A plan that succeeds keeps its lease and
        leaves the audit to the finalize or abort that ends the job; a failure is always released and audited."""
        parameters = request.model_dump(mode="json", exclude=UNAUDITED_FIELDS)
        started_at, started = utc_now(), time.monotonic()
        try:
            result = self.execute(request, stores)
        except Exception as exc:
            if lease is not None:
                lease.release()
            failed = failed_result(self.name, request, stores.profile.name, started_at, started)
            record_audit(stores.control, actor=who, parameters=parameters, result=failed, error=str(exc))
            raise
        if keep_on_success:
            return result
        if lease is not None:
            lease.release()
        record_audit(stores.control, actor=who, parameters=parameters, result=result, error=result.failure)
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
    "Lease",
    "Operation",
    "action_of",
    "elapsed_ms",
    "held_lease",
    "parse_request",
    "status_for",
]
