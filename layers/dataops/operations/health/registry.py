"""The health check registry. Later capabilities add checks (backup age, pending migrations, validation errors)."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import BaseModel

from dataops.errors import DataOpsError
from dataops.profiles import Profile
from dataops.stores.data_stores import DataStores

CheckStatus = Literal["pass", "warn", "fail"]


class CheckResult(BaseModel):
    name: str
    status: CheckStatus
    message: str
    latency_ms: int
    details: dict[str, Any] = {}


@dataclass(frozen=True)
class CheckOutcome:
    status: CheckStatus
    message: str
    details: dict[str, Any] = field(default_factory=dict)


CheckFunction = Callable[[DataStores], CheckOutcome]


@dataclass(frozen=True)
class HealthCheck:
    name: str
    probe: CheckFunction
    applies: Callable[[Profile], bool]

    def run(self, stores: DataStores) -> CheckResult:
        """Never raises: a failing probe is a `fail` with a one-line reason, not a traceback."""
        started = time.monotonic()
        try:
            outcome = self.probe(stores)
        except DataOpsError as exc:
            outcome = CheckOutcome("fail", exc.message)
        except Exception as exc:  # noqa: BLE001 - a health report must describe every failure, whatever its type
            outcome = CheckOutcome(
                "fail", f"{type(exc).__name__}: {str(exc).strip().splitlines()[0] if str(exc).strip() else 'failed'}"
            )
        latency_ms = int((time.monotonic() - started) * 1000)
        return CheckResult(
            name=self.name,
            status=outcome.status,
            message=outcome.message,
            latency_ms=latency_ms,
            details=outcome.details,
        )


_REGISTRY: dict[str, HealthCheck] = {}


def health_check(
    name: str, applies: Callable[[Profile], bool] = lambda _profile: True
) -> Callable[[CheckFunction], CheckFunction]:
    """Register a check under a display name; registering the same name again replaces it."""

    def register(probe: CheckFunction) -> CheckFunction:
        _REGISTRY[name] = HealthCheck(name=name, probe=probe, applies=applies)
        return probe

    return register


def checks_for(profile: Profile) -> list[HealthCheck]:
    return [check for check in _REGISTRY.values() if check.applies(profile)]


def overall_of(results: list[CheckResult]) -> Literal["healthy", "warning", "critical"]:
    statuses = {result.status for result in results}
    if "fail" in statuses:
        return "critical"
    if "warn" in statuses:
        return "warning"
    return "healthy"
