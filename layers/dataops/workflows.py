"""The workflows: which operations run in which order, with which payloads, and what the caller may pass in.

One catalog serves three readers: the CDK app builds a Step Functions state machine per workflow from it,
`dataops workflow start` checks an execution's input against it, and `dataops init` runs the same steps in-process.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Iterator, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from dataops.errors import InvalidRequest, UnknownName


def options_named(*names: str) -> dict[str, str]:
    """Request fields that take the workflow option of the same name."""
    return {name: name for name in names}


@dataclass(frozen=True)
class FanOut:
    """How the state machine spreads a step over many invocations: the `plan` action lists units, a Map runs
    the `unit` action once per unit (at most the deployment's map concurrency at a time), and the `finalize`
    action combines the units' outcomes. In-process the step runs its own payload (the single-function path)."""

    plan_action: str = "plan"
    unit_action: str = "unit"
    finalize_action: str = "finalize"
    # The plan's result names the job in this object (its id under `job_id`); every later call carries the id in
    # a request field of the same name. A backup job is its backup; a restore job, the backup it restores.
    job: str = "backup"
    job_id: str = "backup_id"
    # The step's own action moves to this field of the plan and finalize calls, whose `action` names their part:
    # sync's single-call action (dynamo-to-os, os-to-dynamo) is the job's direction. None: it is dropped.
    action_field: str | None = None
    # Fields of the plan's job object that every unit and finalize call carries too: the job's lease.
    carried: tuple[str, ...] = ("lease",)
    # Called by the workflow's catch once plan has succeeded, before the failure notice: it releases the lease.
    abort_action: str | None = "abort"
    # Fields of finalize's job object that the step's summary shows.
    summary_fields: tuple[str, ...] = ("backup_id",)
    # The CDK context key that bounds the Map's concurrency.
    concurrency_key: str = "backup_map_concurrency"


@dataclass(frozen=True)
class WorkflowStep:
    """One operation call: fixed `payload` fields, plus `from_options` (request field -> workflow option)."""

    name: str
    operation: str
    payload: Mapping[str, Any]
    from_options: Mapping[str, str] = field(default_factory=lambda: options_named("dry_run"))
    # The step runs only when this option is true (a bool) or non-empty (a string).
    only_if: str | None = None
    # Result fields beyond status and counts that the summary shows, e.g. health's `overall`.
    summary_fields: tuple[str, ...] = ()
    # Read-only steps are retried once after any failure; a step that writes is never repeated blindly.
    retry_on_failure: bool = False
    fan_out: FanOut | None = None
    # Only for profiles with search indexes: the step is left out of the others' workflows.
    needs_search: bool = False

    def request(self, options: Mapping[str, Any]) -> dict[str, Any]:
        """The payload this step sends for `options` (the same one the state machine builds)."""
        return {**self.payload, **{name: options[option] for name, option in self.from_options.items()}}

    def runs_with(self, options: Mapping[str, Any]) -> bool:
        return self.only_if is None or bool(options[self.only_if])

    def as_fan_out(self, request: Mapping[str, Any], action: str) -> dict[str, Any]:
        """The step's request as one of its fan-out actions (the state machine builds the same)."""
        moved = self._fan_out.action_field
        return {**request, **({moved: request["action"]} if moved else {}), "action": action}

    def plan_request(self, options: Mapping[str, Any]) -> dict[str, Any]:
        """A fan-out step's first call: the step's own request, as the plan action."""
        return self.as_fan_out(self.request(options), self._fan_out.plan_action)

    def unit_request(
        self, job: str, unit: Mapping[str, Any], planned: Mapping[str, Any] | None = None
    ) -> dict[str, Any]:
        """What the Map sends for one planned unit (the job's id, the carried fields of the plan's job object and
        the unit, so each payload stays small)."""
        fan_out = self._fan_out
        return {"action": fan_out.unit_action, fan_out.job: job, **self._carried(planned), "unit": dict(unit)}

    def finalize_request(
        self,
        options: Mapping[str, Any],
        job: str,
        outcomes: list[Mapping[str, Any]],
        planned: Mapping[str, Any] | None = None,
    ) -> dict[str, Any]:
        """The last call: the step's request as the finalize action, with every unit's outcome."""
        return {
            **self.as_fan_out(self.request(options), self._fan_out.finalize_action),
            self._fan_out.job: job,
            **self._carried(planned),
            "outcomes": list(outcomes),
        }

    def _carried(self, planned: Mapping[str, Any] | None) -> dict[str, Any]:
        return {name: (planned or {})[name] for name in self._fan_out.carried}

    @property
    def _fan_out(self) -> FanOut:
        if self.fan_out is None:
            raise ValueError(f"step {self.name} does not fan out")
        return self.fan_out


@dataclass(frozen=True)
class Workflow:
    name: str
    description: str
    steps: tuple[WorkflowStep, ...]
    # Every option a caller may set, with its default; the state machine merges the input over these.
    options: Mapping[str, Any] = field(default_factory=lambda: {"dry_run": False})
    # Options without a usable default: the execution input must carry them.
    required: tuple[str, ...] = ()
    # Only for profiles with search indexes (a sync has nothing to do without one).
    needs_search: bool = False

    @property
    def operations(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(step.operation for step in self.steps))

    def for_profile(self, *, has_search: bool) -> Workflow:
        """The workflow as a profile runs it: without the steps that need search indexes when it has none."""
        return replace(self, steps=tuple(step for step in self.steps if has_search or not step.needs_search))

    def deployable_with(self, deployed: Collection[str], *, has_search: bool = True) -> bool:
        steps = self.for_profile(has_search=has_search)
        return (has_search or not self.needs_search) and all(operation in deployed for operation in steps.operations)

    def resolve_options(self, given: Mapping[str, Any]) -> dict[str, Any]:
        """Defaults merged with `given`; an unknown or mistyped option is refused naming it."""
        if not isinstance(given, Mapping):
            raise InvalidRequest.for_field("input", f"must be a JSON object, got {type(given).__name__}")
        problems = [
            (name, f"unknown option for workflow {self.name!r}; valid: {', '.join(self.options)}")
            for name in given
            if name not in self.options
        ]
        problems += [(name, "required option is missing") for name in self.required if not given.get(name)]
        for name, value in given.items():
            default = self.options.get(name)
            if name in self.options and type(value) is not type(default):
                problems.append((name, f"must be {type(default).__name__}, got {json.dumps(value)}"))
        if problems:
            raise InvalidRequest(problems)
        return {**self.options, **given}

    def planned_steps(self, options: Mapping[str, Any]) -> Iterator[tuple[WorkflowStep, dict[str, Any]]]:
        for step in self.steps:
            if step.runs_with(options):
                yield step, step.request(options)


VALIDATE_ALL = {"action": "run", "target": "all"}

# Tables and index slices compared and synced in parallel; one direction per job.
SYNC_FAN_OUT = FanOut(
    job="job",
    job_id="job_id",
    action_field="direction",
    carried=("lease", "direction"),
    summary_fields=("job_id",),
    concurrency_key="sync_map_concurrency",
)


def settle_index_step() -> WorkflowStep:
    """After a fanned-out rewrite of DynamoDB: the index made equal to the table, as a `dynamo-to-os` sync fan-out.

    The rewrite's units load the index beside the table, in parallel, while the stream sync works through the
    rewrite's records; this step leaves no difference behind, whatever the table's size."""
    return WorkflowStep("settle-index", "sync", {"action": "dynamo-to-os"}, fan_out=SYNC_FAN_OUT, needs_search=True)


WORKFLOWS: dict[str, Workflow] = {
    workflow.name: workflow
    for workflow in (
        Workflow(
            name="init",
            description="Prepare the stores: apply migrations, seed the default data, validate, then back up.",
            steps=(
                WorkflowStep("migrate", "migrate", {"action": "apply"}),
                WorkflowStep(
                    "seed",
                    "seed",
                    {"action": "run"},
                    from_options=options_named("dry_run", "skip_existing", "scenario"),
                ),
                WorkflowStep("validate", "validate", VALIDATE_ALL, retry_on_failure=True),
                WorkflowStep("backup", "backup", {"action": "create"}),
            ),
            # An empty scenario seeds the profile's default one.
            options={"dry_run": False, "skip_existing": True, "scenario": ""},
        ),
        Workflow(
            name="maintenance",
            description="Routine upkeep: remove expired backups, validate and fix what can be fixed, check health.",
            steps=(
                WorkflowStep("cleanup-backups", "backup", {"action": "cleanup"}),
                WorkflowStep("validate-and-fix", "validate", {**VALIDATE_ALL, "fix_issues": True}),
                WorkflowStep(
                    "health",
                    "health",
                    {"action": "check", "record": True},
                    summary_fields=("overall",),
                    retry_on_failure=True,
                ),
            ),
        ),
        Workflow(
            name="backup",
            description=(
                "Back up every store of the profile into one encrypted, checksummed backup: plan the units, "
                "back them up in parallel (a Map), then write the manifest and validate the backup."
            ),
            steps=(
                WorkflowStep(
                    "backup",
                    "backup",
                    {"action": "create"},
                    fan_out=FanOut(summary_fields=("backup_id", "stored_bytes")),
                ),
            ),
        ),
        Workflow(
            name="restore",
            description=(
                "Verify a backup, restore it (plan: safety backup and lock; a Map restores the units in parallel; "
                "finalize checks the counts), make the search index equal to the table (a sync fan-out, for "
                "profiles with one), then validate the stores."
            ),
            steps=(
                WorkflowStep(
                    "verify-backup",
                    "backup",
                    {"action": "validate"},
                    from_options=options_named("backup"),
                    retry_on_failure=True,
                ),
                WorkflowStep(
                    "restore",
                    "restore",
                    {"action": "restore"},
                    from_options=options_named("dry_run", "backup"),
                    fan_out=FanOut(concurrency_key="restore_map_concurrency"),
                ),
                settle_index_step(),
                WorkflowStep("validate", "validate", VALIDATE_ALL),
            ),
            options={"dry_run": False, "backup": ""},
            required=("backup",),
        ),
        Workflow(
            name="migrate",
            description=(
                "Apply the pending migrations with their DynamoDB item steps fanned out: plan (SQL waits for "
                "finalize; item steps recorded), a Map carrying each scan segment through every item step in order, "
                "then finalize (SQL and history, one transaction per migration)."
            ),
            steps=(
                WorkflowStep(
                    "migrate",
                    "migrate",
                    {"action": "apply"},
                    fan_out=FanOut(
                        job="job",
                        job_id="job_id",
                        carried=("lease", "segments", "migrations"),
                        summary_fields=("job_id",),
                        concurrency_key="migrate_map_concurrency",
                    ),
                ),
            ),
        ),
        Workflow(
            name="export",
            description=(
                "Export the stores as plain JSON lines under exports/<path>/: plan the units (table segments, "
                "each PostgreSQL table, each index), write them in parallel (a Map), then write export.json last."
            ),
            steps=(
                WorkflowStep(
                    "export",
                    "backup",
                    {"action": "export"},
                    from_options=options_named("dry_run", "path", "mask_pii"),
                    fan_out=FanOut(
                        plan_action="export-plan",
                        unit_action="export-unit",
                        finalize_action="export-finalize",
                        abort_action="export-abort",
                        job="job",
                        job_id="job_id",
                        carried=("lease", "destination", "mask_pii"),
                        summary_fields=("job_id",),
                        concurrency_key="export_map_concurrency",
                    ),
                ),
            ),
            options={"dry_run": False, "path": "", "mask_pii": False},
            required=("path",),
        ),
        Workflow(
            name="import",
            description=(
                "Import an export from exports/<path>/: plan (manifest checked, DynamoDB scope cleared), load the "
                "files in parallel (a Map; PostgreSQL in one transaction), check every count, then make the search "
                "index equal to the table (a sync fan-out, for profiles with one)."
            ),
            steps=(
                WorkflowStep(
                    "import",
                    "backup",
                    {"action": "import"},
                    from_options=options_named("dry_run", "path"),
                    fan_out=FanOut(
                        plan_action="import-plan",
                        unit_action="import-unit",
                        finalize_action="import-finalize",
                        abort_action="import-abort",
                        job="job",
                        job_id="job_id",
                        carried=("lease", "destination"),
                        summary_fields=("job_id",),
                        concurrency_key="import_map_concurrency",
                    ),
                ),
                settle_index_step(),
            ),
            options={"dry_run": False, "path": ""},
            required=("path",),
        ),
        Workflow(
            name="sync",
            description=(
                "Make one store match the other for the indexed entities (direction dynamo-to-os or os-to-dynamo): "
                "plan the units (table segments and index slices), sync them in parallel (a Map), then add up."
            ),
            steps=(
                WorkflowStep(
                    "sync",
                    "sync",
                    {},
                    from_options={"dry_run": "dry_run", "action": "direction", "entity": "entity"},
                    fan_out=SYNC_FAN_OUT,
                ),
            ),
            # An empty entity syncs every indexed entity.
            options={"dry_run": False, "direction": "dynamo-to-os", "entity": ""},
            needs_search=True,
        ),
        Workflow(
            name="reset",
            description="Bring the stores to a named state: optional snapshot, clear, seed the state, validate.",
            steps=(
                # A dry run of the seeding refuses an unknown state before anything is cleared.
                WorkflowStep(
                    "check-state",
                    "reset",
                    {"action": "seed-state", "dry_run": True},
                    from_options=options_named("state"),
                    retry_on_failure=True,
                ),
                WorkflowStep(
                    "snapshot",
                    "reset",
                    {"action": "snapshot"},
                    from_options={"dry_run": "dry_run", "name": "snapshot"},
                    only_if="snapshot",
                ),
                WorkflowStep("clear", "reset", {"action": "clear", "store": "all"}),
                WorkflowStep(
                    "seed-state", "reset", {"action": "seed-state"}, from_options=options_named("dry_run", "state")
                ),
                WorkflowStep(
                    "validate", "reset", {"action": "validate"}, from_options=options_named("dry_run", "state")
                ),
            ),
            options={"dry_run": False, "state": "fresh", "snapshot": ""},
        ),
    )
}


def workflow_named(name: str) -> Workflow:
    if name not in WORKFLOWS:
        raise UnknownName("workflow", name, WORKFLOWS)
    return WORKFLOWS[name]
