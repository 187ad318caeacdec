"""Running a workflow: in-process (step by step, through the operations) or as a Step Functions execution.

Both produce the same summary as the state machine's last state: the options, then per step its status and
counts, so `dataops init` and `dataops init --remote` print the same thing.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from dataops.config import Settings
from dataops.errors import DataOpsError
from dataops.profiles import load_profile
from dataops.registry import operation_named
from dataops.stores.data_stores import DataStores
from dataops.workflows import Workflow, WorkflowStep

StepListener = Callable[[str, str, Mapping[str, Any]], None]  # (step, "started" | status, summary)


class StepFailed(DataOpsError):
    """A workflow step failed; the message names the workflow, the step and the operation's own message."""

    code = "StepFailed"


def step_summary(step: WorkflowStep, result: Mapping[str, Any]) -> dict[str, Any]:
    """What the state machine's ResultSelector keeps of a step's result."""
    return {
        "operation": step.operation,
        "status": result["status"],
        "counts": result.get("counts", {}),
        "duration_ms": result.get("duration_ms", 0),
        **{name: result.get(name) for name in step.summary_fields},
    }


def run_in_process(
    workflow: Workflow, options: Mapping[str, Any], settings: Settings, on_step: StepListener
) -> dict[str, Any]:
    """Run each step through its operation here; the first failure stops the run (its error propagates)."""
    stores = DataStores(settings, load_profile(settings.profile))
    steps: dict[str, Any] = {}
    for step in workflow.for_profile(has_search=stores.profile.uses_opensearch).steps:
        if not step.runs_with(options):
            steps[step.name] = {"operation": step.operation, "status": "skipped"}
            on_step(step.name, "skipped", steps[step.name])
            continue
        operation = operation_named(step.operation)
        on_step(step.name, "started", {})
        try:
            result = operation.run(operation.parse(step.request(options)), stores).to_event()
        except Exception as error:
            # Like the state machine's Catch on States.ALL: whatever the step raised, name the step.
            on_step(step.name, "failed", {})
            message = error.message if isinstance(error, DataOpsError) else f"{type(error).__name__}: {error}"
            raise StepFailed(f"{workflow.name} failed at step {step.name}: {message}") from error
        steps[step.name] = step_summary(step, result)
        on_step(step.name, steps[step.name]["status"], steps[step.name])
        if result["status"] == "failed":
            raise StepFailed(f"{workflow.name} failed at step {step.name}: it finished with status failed")
    return {"workflow": workflow.name, "status": "succeeded", "options": dict(options), "steps": steps}
