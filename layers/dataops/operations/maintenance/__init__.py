"""`maintenance` (seed 000 `data:maintenance`): clean up old backups, validate with fixes, then check health.

One operation under one lease lock; the steps call the other operations' bodies, which would otherwise try to
take the same lock. A validation that still fails fails the run, after health has been recorded.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field

from dataops.config import behaviour_defaults
from dataops.errors import DataOpsError
from dataops.models import ActionOutput, OperationRequest, OperationResult
from dataops.operations.backup import BACKUP
from dataops.operations.framework import Action, Operation
from dataops.operations.health import HealthRequest, run_health
from dataops.operations.validate import VALIDATE, ValidationFailed
from dataops.stores.data_stores import DataStores


class MaintenanceFailed(DataOpsError):
    code = "MaintenanceFailed"


class MaintenanceRequest(OperationRequest):
    action: Literal["run"] = "run"
    retention_days: int = Field(default_factory=lambda: behaviour_defaults().retention_days, ge=1)
    keep_last: int = Field(default=3, ge=1, description="Always keep this many newest complete backups.")
    fix_issues: bool = Field(default=True, description="Repair what validation finds (maintenance's purpose).")
    strict_mode: bool = Field(default_factory=lambda: behaviour_defaults().strict_mode)


class MaintenanceStep(BaseModel):
    name: Literal["backup-cleanup", "validate", "health"]
    status: Literal["succeeded", "failed", "dry_run"]
    summary: str
    details: dict[str, Any] = {}


class MaintenanceOutput(ActionOutput):
    steps: list[MaintenanceStep]
    overall: str


class MaintenanceResult(OperationResult, MaintenanceOutput):
    pass


def run_maintenance(request: MaintenanceRequest, stores: DataStores) -> MaintenanceOutput:
    done = "dry_run" if request.dry_run else "succeeded"
    steps: list[MaintenanceStep] = []

    cleanup = BACKUP.execute(
        BACKUP.parse(
            {"action": "cleanup", "retention_days": request.retention_days, "keep_last": request.keep_last,
             "dry_run": request.dry_run}
        ),
        stores,
    )  # fmt: skip
    removed = cleanup.counts.get("backups_removed", 0)
    steps.append(
        MaintenanceStep(
            name="backup-cleanup", status=done, summary=f"{removed} backup(s) older than the retention removed",
            details=cleanup.details,
        )
    )  # fmt: skip

    failure: ValidationFailed | None = None
    try:
        validation = VALIDATE.execute(
            VALIDATE.parse(
                {"target": "all", "fix_issues": request.fix_issues, "strict_mode": request.strict_mode,
                 "dry_run": request.dry_run, "sample_limit": 20}
            ),
            stores,
        )  # fmt: skip
        summary = validation.summary
        steps.append(
            MaintenanceStep(
                name="validate", status=done,
                summary=f"{summary['total']} issue(s), {summary['fixed']} fixed ({summary['fixes_planned']} planned)",
                details={"summary": summary, "report_key": validation.report_key},
            )
        )  # fmt: skip
    except ValidationFailed as exc:
        failure = exc
        steps.append(MaintenanceStep(name="validate", status="failed", summary=exc.message))

    health = run_health(HealthRequest(record=not request.dry_run), stores)
    failing = ", ".join(check.name for check in health.checks if check.status != "pass")
    steps.append(
        MaintenanceStep(
            name="health", status=done, summary=f"overall {health.overall}" + (f": {failing}" if failing else ""),
            details={"counts": health.counts},
        )
    )  # fmt: skip
    if failure is not None:
        raise MaintenanceFailed(f"maintenance: backups cleaned, health {health.overall}; {failure.message}")
    return MaintenanceOutput(
        counts={"backups_removed": removed, "issues": steps[1].details["summary"]["total"]},
        steps=steps,
        overall=health.overall,
    )


MAINTENANCE = Operation(
    name="maintenance",
    result_model=MaintenanceResult,
    actions=(Action(MaintenanceRequest, run_maintenance, mutates=True),),
    lock_lease_seconds=900,
)
