"""`dataops workflow start|status|list` (Step Functions executions) and `dataops init` (in-process or remote)."""

from __future__ import annotations

import json
import time
from collections.abc import Mapping
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table

from dataops import naming, progress
from dataops.cli.options import (
    JsonOption,
    ProfileOption,
    StageOption,
    TargetOption,
    console,
    errors,
    fail,
)
from dataops.cli.runner import CliTarget, with_shell_behaviour
from dataops.errors import DataOpsError, InvalidRequest
from dataops.profiles import load_profile
from dataops.stores.step_functions import Execution, StateMachines
from dataops.workflow_runs import run_in_process
from dataops.workflows import WORKFLOWS, Workflow, workflow_named

workflow_app = typer.Typer(
    help=f"Start the deployed Step Functions workflows ({', '.join(WORKFLOWS)}) and follow them.",
    no_args_is_help=True,
    rich_markup_mode="rich",
)

STATUS_STYLE = {"succeeded": "green", "SUCCEEDED": "green", "dry_run": "cyan", "skipped": "dim", "started": "blue"}
InputOption = Annotated[
    str | None, typer.Option("--input", "-i", help="Execution input as a JSON object, e.g. '{\"dry_run\": true}'.")
]
SetOption = Annotated[
    list[str] | None,
    typer.Option("--set", help="One option as key=value (repeatable); the value is read as JSON when it parses."),
]
WaitOption = Annotated[bool, typer.Option("--wait/--no-wait", help="Follow the execution's steps until it ends.")]


def _styled(value: str) -> str:
    style = STATUS_STYLE.get(value, "red" if value.lower() in {"failed", "timed_out", "aborted"} else "white")
    return f"[{style}]{value}[/{style}]"


def render_summary(out: Console, summary: Mapping[str, Any]) -> None:
    """The workflow's final output (the state machine's Summary state, or the in-process run)."""
    options = ", ".join(f"{name}={json.dumps(value)}" for name, value in summary.get("options", {}).items())
    table = Table(title=f"workflow {summary['workflow']}: {_styled(summary['status'])}", title_justify="left")
    for column in ("Step", "Operation", "Status", "Counts", "Duration"):
        table.add_column(column, justify="right" if column == "Duration" else "left")
    for name, step in summary.get("steps", {}).items():
        counts = ", ".join(f"{key} {value}" for key, value in sorted(step.get("counts", {}).items())) or "-"
        extra = f" ({step['overall']})" if step.get("overall") else ""
        duration = f"{step['duration_ms']} ms" if "duration_ms" in step else "-"
        table.add_row(name, step["operation"], _styled(step["status"]) + extra, counts, duration)
    out.print(table)
    out.print(f"options: {options or '(defaults)'}", highlight=False)


def render_execution(out: Console, execution: Mapping[str, Any]) -> None:
    out.print(f"execution {execution['execution']}: {_styled(execution['status'])}", highlight=False)
    output = execution.get("output") or {}
    if "steps" in output:  # a failed execution's output (on MiniStack) is only its error and cause
        render_summary(out, output)
    if execution.get("error"):
        out.print(f"[red]{execution['error']}[/red]: {execution.get('cause') or ''}", highlight=False)


def _print_step(state: str, change: str) -> None:
    errors.print(f"  {state}: {_styled(change)}", highlight=False)


def _options(workflow: Workflow, raw_input: str | None, settings: list[str] | None) -> dict[str, Any]:
    """Shell switches (DRY_RUN, SKIP_EXISTING) < --input < --set, checked against the workflow's options."""
    given: dict[str, Any] = {}
    if raw_input:
        try:
            given = json.loads(raw_input)
        except json.JSONDecodeError as error:
            raise InvalidRequest.for_field("--input", f"is not JSON: {error.msg} at column {error.colno}") from None
        if not isinstance(given, dict):
            raise InvalidRequest.for_field("--input", f"must be a JSON object, got {type(given).__name__}")
    for item in settings or []:
        key, separator, value = item.partition("=")
        if not separator or not key:
            raise InvalidRequest.for_field("--set", f"expected key=value, got {item!r}")
        try:
            given[key] = json.loads(value)
        except json.JSONDecodeError:
            given[key] = value
    return workflow.resolve_options(with_shell_behaviour(workflow.options, given))


def _finish(execution: Execution, as_json: bool) -> None:
    if as_json:
        typer.echo(json.dumps(execution.to_dict(), indent=2))
    else:
        render_execution(console, execution.to_dict())
    if execution.status != "SUCCEEDED":
        raise typer.Exit(1)


def start_remote(workflow: Workflow, options: Mapping[str, Any], target: CliTarget, wait: bool, as_json: bool) -> None:
    machines = StateMachines(target.settings())
    execution_arn = machines.start(workflow.name, options)
    if not wait:
        typer.echo(json.dumps({"execution": execution_arn}) if as_json else execution_arn)
        return
    errors.print(f"started {workflow.name}: {execution_arn}", highlight=False)
    _finish(machines.wait(execution_arn, _print_step), as_json)


@workflow_app.command("start")
def start(
    name: Annotated[str, typer.Argument(help=f"The workflow: {', '.join(WORKFLOWS)}.")],
    raw_input: InputOption = None,
    settings: SetOption = None,
    wait: WaitOption = False,
    profile: ProfileOption = naming.DEFAULT_PROFILE,
    stage: StageOption = naming.DEFAULT_STAGE,
    target: TargetOption = "local",
    as_json: JsonOption = False,
) -> None:
    """Start a workflow's state machine; with --wait, show its steps live and print the summary.

    Exits 1 when the execution fails, 2 on bad input. Example:
    [bold]dataops workflow start reset --set state=fresh --set snapshot=before-demo --wait[/bold]
    """
    try:
        workflow = workflow_named(name)
        start_remote(
            workflow, _options(workflow, raw_input, settings), CliTarget(profile, stage, target), wait, as_json
        )
    except InvalidRequest as error:
        raise fail(error.message, 2) from None
    except DataOpsError as error:
        raise fail(error.message) from None


@workflow_app.command("status")
def status(
    execution: Annotated[str, typer.Argument(help="The execution ARN that `workflow start` printed.")],
    wait: WaitOption = False,
    profile: ProfileOption = naming.DEFAULT_PROFILE,
    stage: StageOption = naming.DEFAULT_STAGE,
    target: TargetOption = "local",
    as_json: JsonOption = False,
) -> None:
    """Show an execution's status and, once it ended, its per-step summary or its error.

    Example: [bold]dataops workflow status arn:aws:states:us-east-1:000000000000:execution:...[/bold]
    """
    try:
        machines = StateMachines(CliTarget(profile, stage, target).settings())
        found = machines.wait(execution, _print_step) if wait else machines.describe(execution)
    except InvalidRequest as error:
        raise fail(error.message, 2) from None
    except DataOpsError as error:
        raise fail(error.message) from None
    _finish(found, as_json)


@workflow_app.command("list")
def list_workflows(
    executions: Annotated[
        int, typer.Option("--executions", "-n", min=0, max=100, help="Recent runs per workflow.")
    ] = 1,
    profile: ProfileOption = naming.DEFAULT_PROFILE,
    stage: StageOption = naming.DEFAULT_STAGE,
    target: TargetOption = "local",
    as_json: JsonOption = False,
) -> None:
    """List the workflows, their steps and options, whether each is deployed, and its recent executions.

    Example: [bold]dataops workflow list -n 5 --json[/bold]
    """
    machines = StateMachines(CliTarget(profile, stage, target).settings())
    has_search = load_profile(profile).uses_opensearch
    rows: list[dict[str, Any]] = []
    for workflow in (w.for_profile(has_search=has_search) for w in WORKFLOWS.values()):
        try:
            recent = machines.executions(workflow.name, executions) if executions else []
            deployed = True
        except DataOpsError:
            recent, deployed = [], False
        rows.append(
            {
                "workflow": workflow.name,
                "description": workflow.description,
                "steps": [step.name for step in workflow.steps],
                "options": dict(workflow.options),
                "deployed": deployed,
                "executions": recent,
            }
        )
    if as_json:
        typer.echo(json.dumps(rows, indent=2))
        return
    table = Table(title=f"workflows: {profile} ({stage})", title_justify="left")
    for column in ("Workflow", "Steps", "Options", "Deployed", "Recent executions"):
        table.add_column(column)
    for row in rows:
        recent_text = "\n".join(
            f"{_styled(run['status'])} {run['started'][:19]} {run['name']}" for run in row["executions"]
        )
        table.add_row(
            row["workflow"],
            " → ".join(row["steps"]),
            ", ".join(f"{key}={json.dumps(value)}" for key, value in row["options"].items()),
            "yes" if row["deployed"] else "[dim]no[/dim]",
            recent_text or "-",
        )
    console.print(table)


def run_here(workflow: Workflow, options: Mapping[str, Any], target: CliTarget, as_json: bool) -> dict[str, Any]:
    """Run the workflow's steps in this process, with a live line per step and a bar per long task."""
    columns = (
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[rate]}"),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=errors, disable=as_json, transient=False) as bar:
        step_tasks: dict[str, TaskID] = {}
        work_tasks: dict[str, tuple[TaskID, float]] = {}

        def on_step(step: str, change: str, summary: Mapping[str, Any]) -> None:
            if change == "started":
                step_tasks[step] = bar.add_task(step, total=None, rate="")
                return
            task = step_tasks[step] if step in step_tasks else bar.add_task(step, total=1, rate="")
            counts = ", ".join(f"{key} {value}" for key, value in sorted(summary.get("counts", {}).items()))
            bar.update(task, description=f"{step}: {_styled(change)} {counts}", total=1, completed=1)

        def on_progress(name: str, done: int, total: int | None) -> None:
            if name not in work_tasks:
                work_tasks[name] = (bar.add_task(f"  {name}", total=total, rate=""), time.monotonic())
            task, started = work_tasks[name]
            elapsed = time.monotonic() - started
            bar.update(task, completed=done, total=total, rate=f"{done / elapsed:,.0f}/s" if elapsed > 0 else "")

        with progress.listening(on_progress):
            return run_in_process(workflow, options, target.settings(), on_step)


def init(
    dry_run: Annotated[
        bool | None, typer.Option("--dry-run/--no-dry-run", help="Report what each step would do (env DRY_RUN).")
    ] = None,
    skip_existing: Annotated[
        bool | None,
        typer.Option("--skip-existing/--overwrite", help="Seeding leaves existing records (env SKIP_EXISTING)."),
    ] = None,
    scenario: Annotated[
        str | None, typer.Option("--scenario", help="Seed this scenario instead of the profile's default.")
    ] = None,
    wait: Annotated[bool, typer.Option("--wait/--no-wait", help="With --remote: follow the execution.")] = True,
    profile: ProfileOption = naming.DEFAULT_PROFILE,
    stage: StageOption = naming.DEFAULT_STAGE,
    target: TargetOption = "local",
    remote: Annotated[
        bool, typer.Option("--remote", help="Start the deployed `init` state machine instead of running here.")
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """Prepare the stores: apply migrations, seed the default data, validate everything, then back up.

    Seed 000's `npm run data:init`. Examples: [bold]DRY_RUN=true dataops init[/bold],
    [bold]dataops init --remote -p tattoo_directory --scenario minimal[/bold]
    """
    workflow = workflow_named("init")
    chosen = {"dry_run": dry_run, "skip_existing": skip_existing, "scenario": scenario}
    given = {name: value for name, value in chosen.items() if value is not None}
    where = CliTarget(profile, stage, target)
    try:
        options = workflow.resolve_options(with_shell_behaviour(workflow.options, given))
        if remote:
            start_remote(workflow, options, where, wait, as_json)
            return
        summary = run_here(workflow, options, where, as_json)
    except InvalidRequest as error:
        raise fail(error.message, 2) from None
    except DataOpsError as error:
        raise fail(error.message) from None
    if as_json:
        typer.echo(json.dumps(summary, indent=2))
    else:
        render_summary(console, summary)
