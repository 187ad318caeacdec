"""What every operation shares: parsing the request, the lease lock and audit record for mutations, timing."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, TypeVar

from pydantic import ValidationError

from dataops.audit import current_actor, record_audit
from dataops.errors import DataOpsError, InvalidRequest
from dataops.locks import hold_lock
from dataops.models import OperationRequest, OperationResult, OperationStatus, utc_now
from dataops.stores.data_stores import DataStores

RequestT = TypeVar("RequestT", bound=OperationRequest)
ResultT = TypeVar("ResultT", bound=OperationResult)

MUTATION_LOCK = "mutations"


@dataclass(frozen=True)
class Operation(Generic[RequestT, ResultT]):
    """An operation: its request model, its body, and whether a given request changes data."""

    name: str
    request_model: type[RequestT]
    body: Callable[[RequestT, DataStores], ResultT]
    mutates: Callable[[RequestT], bool] = lambda _request: False
    lock_lease_seconds: int = 120
    # Checks that need the profile (scenario or state names); raised before the lock, so bad input writes nothing.
    check: Callable[[RequestT, DataStores], None] | None = None

    def parse(self, payload: Mapping[str, Any] | None) -> RequestT:
        return parse_request(self.request_model, payload)

    def run(self, request: RequestT, stores: DataStores, *, actor: str | None = None) -> ResultT:
        """Run the body; a mutating, non-dry run holds the lease lock and leaves an audit record."""
        if self.check is not None:
            self.check(request, stores)
        if request.dry_run or not self.mutates(request):
            return self.body(request, stores)
        who = actor or current_actor()
        parameters = request.model_dump(mode="json")
        started_at, started = utc_now(), time.monotonic()
        with hold_lock(stores.control, MUTATION_LOCK, who, self.lock_lease_seconds):
            try:
                result = self.body(request, stores)
            except Exception as exc:
                failed = failed_result(self.name, request, stores.profile.name, started_at, started)
                record_audit(stores.control, actor=who, parameters=parameters, result=failed, error=str(exc))
                raise
            record_audit(stores.control, actor=who, parameters=parameters, result=result)
        return result


def parse_request(model: type[RequestT], payload: Mapping[str, Any] | None) -> RequestT:
    """Validate an event or CLI payload; every problem becomes one InvalidRequest naming its field."""
    if payload is None:
        payload = {}
    if not isinstance(payload, Mapping):
        raise InvalidRequest.for_field("(event)", f"must be a JSON object, got {type(payload).__name__}")
    try:
        return model.model_validate(dict(payload))
    except ValidationError as exc:
        raise InvalidRequest.from_validation_error(exc) from None


def action_of(request: OperationRequest) -> str:
    return str(getattr(request, "action", "run"))


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


__all__ = ["DataOpsError", "Operation", "action_of", "elapsed_ms", "parse_request", "status_for"]
