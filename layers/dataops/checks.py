"""What a health check is: a probe of the stores that returns a CheckOutcome, run into a CheckResult.

Checks live with the capability they watch (operations/<op>/health_check.py, operations/health/store_checks.py)
as plain functions; operations/health/registry.py lists them, in report order. This vocabulary sits below both,
so a capability's check imports it without importing the health operation.
"""

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


def every_profile(_profile: Profile) -> bool:
    return True


@dataclass(frozen=True)
class HealthCheck:
    """A check under its display name; `applies` says which profiles it runs for."""

    name: str
    probe: CheckFunction
    applies: Callable[[Profile], bool] = every_profile

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
