"""`health`: every store reachable, with latency, and every resource present; seed 000's report shape."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Literal

from pydantic import Field

from dataops.checks import CheckResult
from dataops.errors import UnknownName
from dataops.models import ActionOutput, OperationRequest, OperationResult
from dataops.operations.framework import Action, Operation
from dataops.operations.health.history import record_health
from dataops.operations.health.registry import checks_for, overall_of
from dataops.stores.data_stores import DataStores

Overall = Literal["healthy", "warning", "critical"]


class HealthRequest(OperationRequest):
    action: Literal["check"] = "check"
    checks: list[str] | None = Field(default=None, description="Run only these checks, by name.")
    record: bool = Field(default=False, description="Store the report in the control table's health history.")


class HealthOutput(ActionOutput):
    overall: Overall
    checks: list[CheckResult]


class HealthResult(OperationResult, HealthOutput):
    pass


def check_names(request: HealthRequest, stores: DataStores) -> None:
    if request.checks is not None:
        known = {check.name for check in checks_for(stores.profile)}
        for name in request.checks:
            if name not in known:
                raise UnknownName("checks", name, known)


def run_health(request: HealthRequest, stores: DataStores) -> HealthOutput:
    selected = checks_for(stores.profile)
    if request.checks is not None:
        selected = [check for check in selected if check.name in request.checks]
    # Checks wait on the network, so they run side by side: the report takes as long as the slowest one.
    with ThreadPoolExecutor(max_workers=max(1, len(selected)), thread_name_prefix="health") as pool:
        results = list(pool.map(lambda check: check.run(stores), selected))
    output = HealthOutput(
        overall=overall_of(results),
        checks=results,
        counts={status: sum(1 for r in results if r.status == status) for status in ("pass", "warn", "fail")},
    )
    if request.record and not request.dry_run:
        output.details["recorded"] = record_health(stores.control, output.overall, results)
    return output


HEALTH = Operation(
    name="health",
    result_model=HealthResult,
    actions=(Action(HealthRequest, run_health, check=check_names),),
)
