"""`health`: every store reachable, with latency, and every resource present; seed 000's report shape."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from typing import Literal

from pydantic import Field

from dataops.checks import CheckResult
from dataops.errors import UnknownName
from dataops.models import OperationRequest, OperationResult, utc_now
from dataops.operations.framework import Action, Operation, elapsed_ms, status_for
from dataops.operations.health.history import record_health
from dataops.operations.health.registry import checks_for, overall_of
from dataops.stores.data_stores import DataStores

Overall = Literal["healthy", "warning", "critical"]


class HealthRequest(OperationRequest):
    action: Literal["check"] = "check"
    checks: list[str] | None = Field(default=None, description="Run only these checks, by name.")
    record: bool = Field(default=False, description="Store the report in the control table's health history.")


class HealthResult(OperationResult):
    overall: Overall
    checks: list[CheckResult]


def run_health(request: HealthRequest, stores: DataStores) -> HealthResult:
    started_at, started = utc_now(), time.monotonic()
    selected = checks_for(stores.profile)
    if request.checks is not None:
        known = {check.name for check in selected}
        for name in request.checks:
            if name not in known:
                raise UnknownName("checks", name, known)
        selected = [check for check in selected if check.name in request.checks]
    # Checks wait on the network, so they run side by side: the report takes as long as the slowest one.
    with ThreadPoolExecutor(max_workers=max(1, len(selected)), thread_name_prefix="health") as pool:
        results = list(pool.map(lambda check: check.run(stores), selected))
    result = HealthResult(
        operation="health",
        action=request.action,
        status=status_for(request),
        profile=stores.profile.name,
        started_at=started_at,
        duration_ms=elapsed_ms(started),
        overall=overall_of(results),
        checks=results,
        counts={status: sum(1 for r in results if r.status == status) for status in ("pass", "warn", "fail")},
    )
    if request.record and not request.dry_run:
        result.details["recorded"] = record_health(stores.control, result.overall, results)
    return result


HEALTH = Operation(name="health", result_model=HealthResult, actions=(Action(HealthRequest, run_health),))
