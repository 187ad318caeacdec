"""`dataops seed ...` and `dataops reset ...`: scenario data, named states, clearing, snapshots, validation."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from dataops import naming, progress
from dataops.cli.consent import YesOption, confirm_replacing, replaced_stores
from dataops.cli.options import (
    DryRunOption,
    JsonOption,
    ProfileOption,
    RemoteOption,
    StageOption,
    TargetOption,
    errors,
    execute,
)
from dataops.cli.runner import CliTarget
from dataops.operations.framework import Operation
from dataops.operations.reset import RESET
from dataops.operations.reset.models import ClearableStore
from dataops.operations.seed import SEED

seed_app = typer.Typer(help="Seed deterministic scenario data.", no_args_is_help=True, rich_markup_mode="rich")
reset_app = typer.Typer(
    help="Reset the stores to a named state, clear them, snapshot and restore.",
    no_args_is_help=True,
    rich_markup_mode="rich",
)

SkipOption = Annotated[
    bool | None,
    typer.Option("--skip-existing/--overwrite", help="Leave existing records untouched (env SKIP_EXISTING)."),
]
SeedValueOption = Annotated[int | None, typer.Option("--seed", help="Seed value: the same value gives the same data.")]


@contextmanager
def live_progress(enabled: bool) -> Iterator[None]:
    """A bar per entity while records stream in, on stderr so `--json` output stays clean."""
    columns = (SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn())
    with Progress(*columns, TextColumn("{task.fields[rate]}"), TimeElapsedColumn(), console=errors,
                  disable=not enabled) as bar:  # fmt: skip
        tasks: dict[str, Any] = {}

        def on_progress(task_name: str, done: int, total: int | None) -> None:
            if task_name not in tasks:
                tasks[task_name] = bar.add_task(task_name, total=total, rate="")
            elapsed = bar.tasks[tasks[task_name]].elapsed or 0
            bar.update(tasks[task_name], completed=done, total=total,
                       rate=f"{done / elapsed:,.0f}/s" if elapsed > 0 else "")  # fmt: skip

        with progress.listening(on_progress):
            yield


def render_seeding(out: Console, result: dict[str, Any]) -> None:
    title = f"dataops {result['operation']} {result['action']}: {result['profile']}"
    if result.get("scenarios"):
        table = Table("scenario", "description", "records", title=title, title_justify="left")
        for info in result["scenarios"]:
            name = f"{info['name']} (default)" if info["default"] else info["name"]
            table.add_row(name, info["description"], ", ".join(f"{k} {v}" for k, v in info["counts"].items()))
        out.print(table)
    if result.get("states"):
        table = Table("state", "description", "actions", title=title, title_justify="left")
        for state in result["states"]:
            table.add_row(state["name"], state["description"], " -> ".join(state["actions"]) or "nothing")
        out.print(table)
    for store, deleted in result.get("cleared", {}).items():
        out.print(f"cleared {store}: " + (", ".join(f"{k} {v}" for k, v in deleted.items()) or "already empty"))
    if result.get("tallies"):
        table = Table("entity", "store", "created", "updated", "skipped", "sample keys", title=title,
                      title_justify="left")  # fmt: skip
        for tally in result["tallies"]:
            samples = "; ".join(f"{kind}: {', '.join(keys[:2])}" for kind, keys in tally["samples"].items())
            table.add_row(tally["entity"], tally["store"], str(tally["created"]), str(tally["updated"]),
                          str(tally["skipped"]), samples)  # fmt: skip
        out.print(table)
    for difference in result.get("differences", []):
        out.print(f"[red]differs[/red] {difference['entity']} in {difference['store']}: {difference['detail']}")
    if result.get("backup"):
        out.print(f"backup: {result['backup'].get('backup')}", highlight=False)
    state = f" state {result['state']}" if result.get("state") else ""
    counts = ", ".join(f"{k} {v}" for k, v in result.get("counts", {}).items())
    out.print(f"{counts}{state} [{result['status']}, {result['duration_ms']} ms]".strip(), highlight=False)
    for warning in result.get("warnings", []):
        out.print(f"[yellow]warning:[/yellow] {warning}", highlight=False)


def _run(operation: Operation[Any, Any], payload: dict[str, Any], where: CliTarget, remote: bool,
         as_json: bool) -> dict[str, Any]:  # fmt: skip
    if remote:
        with errors.status(f"{operation.name} {payload['action']} (remote) ..."):
            return execute(operation, payload, where, remote=True, as_json=as_json, render=render_seeding)
    with live_progress(not as_json):
        return execute(operation, payload, where, remote=False, as_json=as_json, render=render_seeding)


def _options(**values: Any) -> dict[str, Any]:
    """Only what the user gave: absent options keep the request model's defaults (and the environment's)."""
    return {name: value for name, value in values.items() if value is not None}


@seed_app.command("list")
def seed_list(
    profile: ProfileOption = naming.DEFAULT_PROFILE,
    stage: StageOption = naming.DEFAULT_STAGE,
    target: TargetOption = "local",
    remote: RemoteOption = False,
    as_json: JsonOption = False,
) -> None:
    """List the profile's scenarios with what each seeds. Example: [bold]dataops seed list -p tattoo_directory[/bold]"""
    _run(SEED, {"action": "list"}, CliTarget(profile, stage, target), remote, as_json)


@seed_app.command("run")
def seed_run(
    scenario: Annotated[str | None, typer.Argument(help="Scenario name; the profile's default when omitted.")] = None,
    seed: SeedValueOption = None,
    skip_existing: SkipOption = None,
    dry_run: DryRunOption = None,
    profile: ProfileOption = naming.DEFAULT_PROFILE,
    stage: StageOption = naming.DEFAULT_STAGE,
    target: TargetOption = "local",
    remote: RemoteOption = False,
    as_json: JsonOption = False,
) -> None:
    """Seed a scenario into every store. Example: [bold]dataops seed run location-london -p tattoo_directory[/bold]"""
    payload = {"action": "run", **_options(scenario=scenario, seed=seed, skip_existing=skip_existing,
                                           dry_run=dry_run)}  # fmt: skip
    _run(SEED, payload, CliTarget(profile, stage, target), remote, as_json)


@reset_app.command("list")
def reset_list(
    profile: ProfileOption = naming.DEFAULT_PROFILE,
    stage: StageOption = naming.DEFAULT_STAGE,
    target: TargetOption = "local",
    remote: RemoteOption = False,
    as_json: JsonOption = False,
) -> None:
    """List the reset states and their actions. Example: [bold]dataops reset list -p tattoo_directory[/bold]"""
    _run(RESET, {"action": "list"}, CliTarget(profile, stage, target), remote, as_json)


@reset_app.command("state")
def reset_state(
    name: Annotated[str, typer.Argument(help="The state to reach, e.g. fresh, minimal, performance-test.")],
    seed: SeedValueOption = None,
    dry_run: DryRunOption = None,
    profile: ProfileOption = naming.DEFAULT_PROFILE,
    stage: StageOption = naming.DEFAULT_STAGE,
    target: TargetOption = "local",
    remote: RemoteOption = False,
    as_json: JsonOption = False,
    yes: YesOption = False,
) -> None:
    """Clear the stores and seed (or restore) a state. Example: [bold]dataops reset state fresh[/bold]"""
    where = CliTarget(profile, stage, target)
    confirm_replacing(where, f"reset state {name}", replaced_stores(where), yes=yes, dry_run=dry_run)
    payload = {"action": "state", "state": name, **_options(seed=seed, dry_run=dry_run)}
    _run(RESET, payload, where, remote, as_json)


@reset_app.command("clear")
def reset_clear(
    store: Annotated[ClearableStore, typer.Argument(help="The store to clear, or all of the profile's.")] = "all",
    dry_run: DryRunOption = None,
    profile: ProfileOption = naming.DEFAULT_PROFILE,
    stage: StageOption = naming.DEFAULT_STAGE,
    target: TargetOption = "local",
    remote: RemoteOption = False,
    as_json: JsonOption = False,
    yes: YesOption = False,
) -> None:
    """Empty one data store or all; backups are never touched. Example: [bold]dataops reset clear dynamodb[/bold]"""
    where = CliTarget(profile, stage, target)
    confirm_replacing(where, f"reset clear {store}", replaced_stores(where, [store]), yes=yes, dry_run=dry_run)
    payload = {"action": "clear", "store": store, **_options(dry_run=dry_run)}
    _run(RESET, payload, where, remote, as_json)


@reset_app.command("validate")
def reset_validate(
    profile: ProfileOption = naming.DEFAULT_PROFILE,
    stage: StageOption = naming.DEFAULT_STAGE,
    target: TargetOption = "local",
    remote: RemoteOption = False,
    as_json: JsonOption = False,
) -> None:
    """Check the stores still hold what the last state promised; exits 1 when they differ.
    Example: [bold]dataops reset validate -p tattoo_directory[/bold]"""
    _run(RESET, {"action": "validate"}, CliTarget(profile, stage, target), remote, as_json)


@reset_app.command("snapshot")
def reset_snapshot(
    name: Annotated[str, typer.Argument(help="Snapshot name (letters, digits, '.', '_', '-').")],
    dry_run: DryRunOption = None,
    profile: ProfileOption = naming.DEFAULT_PROFILE,
    stage: StageOption = naming.DEFAULT_STAGE,
    target: TargetOption = "local",
    remote: RemoteOption = False,
    as_json: JsonOption = False,
) -> None:
    """Take a named snapshot (an encrypted backup). Example: [bold]dataops reset snapshot before-tests[/bold]"""
    payload = {"action": "snapshot", "name": name, **_options(dry_run=dry_run)}
    _run(RESET, payload, CliTarget(profile, stage, target), remote, as_json)


@reset_app.command("restore")
def reset_restore(
    name: Annotated[str, typer.Argument(help="The snapshot name (or a backup id, or 'latest').")],
    dry_run: DryRunOption = None,
    profile: ProfileOption = naming.DEFAULT_PROFILE,
    stage: StageOption = naming.DEFAULT_STAGE,
    target: TargetOption = "local",
    remote: RemoteOption = False,
    as_json: JsonOption = False,
    yes: YesOption = False,
) -> None:
    """Restore a named snapshot. Example: [bold]dataops reset restore before-tests[/bold]"""
    where = CliTarget(profile, stage, target)
    confirm_replacing(where, f"reset restore {name}", replaced_stores(where), yes=yes, dry_run=dry_run)
    payload = {"action": "restore", "name": name, **_options(dry_run=dry_run)}
    _run(RESET, payload, where, remote, as_json)
