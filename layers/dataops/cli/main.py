"""`dataops`: data operations for your app's stores, from the terminal."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated, Any

import typer

from dataops import __version__, naming
from dataops.cli.audit import audit
from dataops.cli.backup import register as register_backup_commands
from dataops.cli.local import local_app
from dataops.cli.migrate import migrate_app
from dataops.cli.monitor import maintenance, monitor_app
from dataops.cli.options import (
    STORE_ERRORS,
    JsonOption,
    ProfileOption,
    RemoteOption,
    StageOption,
    TargetOption,
    describe_store_error,
    execute,
    fail,
)
from dataops.cli.render import render_health, render_status
from dataops.cli.runner import CliTarget
from dataops.cli.seeding import reset_app, seed_app
from dataops.cli.sync import sync_app
from dataops.cli.validate import validate
from dataops.cli.workflow import init, workflow_app
from dataops.config import Target
from dataops.operations.health import HEALTH
from dataops.operations.status import STATUS

app = typer.Typer(
    name="dataops",
    help="Seed, reset, migrate, back up, restore, validate, monitor and sync your app's data.",
    no_args_is_help=True,
    rich_markup_mode="rich",
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _print_version(wanted: bool) -> None:
    if wanted:
        typer.echo(f"dataops {__version__}")
        raise typer.Exit()


@contextmanager
def _environment(values: dict[str, str]) -> Iterator[None]:
    saved = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


@app.callback()
def _root(
    ctx: typer.Context,
    version: Annotated[
        bool, typer.Option("--version", help="Print the dataops version and exit.", callback=_print_version,
                           is_eager=True)
    ] = False,
    profile: Annotated[str | None, typer.Option("--profile", "-p", help="For the command that follows.")] = None,
    stage: Annotated[str | None, typer.Option("--stage", "-s", help="For the command that follows.")] = None,
    target: Annotated[Target | None, typer.Option("--target", "-t", help="For the command that follows.")] = None,
) -> None:  # fmt: skip
    """Seed, reset, migrate, back up, restore, validate, monitor and sync your app's data."""
    # Given before the command, the common options become the environment variables every command reads for its
    # own, for this run only: the command's own flag still wins, and they beat what the shell has set.
    chosen = {"DATAOPS_PROFILE": profile, "DATAOPS_STAGE": stage, "DATAOPS_TARGET": target}
    if values := {name: value for name, value in chosen.items() if value is not None}:
        ctx.with_resource(_environment(values))


app.add_typer(
    local_app, name="local", help="Start, stop and inspect the local target (MiniStack, PostgreSQL, OpenSearch)."
)
# Each capability's commands live in their own module (dataops/cli/<capability>.py) and are registered here.
app.add_typer(workflow_app, name="workflow", help="Start and follow the deployed Step Functions workflows.")
app.command("init")(init)
app.command("audit")(audit)
app.add_typer(migrate_app, name="migrate", help="Versioned, locked, drift-checked migrations (PostgreSQL + DynamoDB).")
app.add_typer(sync_app, name="sync", help="Sync DynamoDB and OpenSearch: full, conflicts, sync points.")
app.add_typer(seed_app, name="seed", help="Seed deterministic scenario data (list, run [SCENARIO]).")
app.add_typer(reset_app, name="reset", help="Reset to a named state; clear, snapshot, restore, validate.")
register_backup_commands(app)
app.command("validate")(validate)
app.add_typer(monitor_app, name="monitor", help="Metrics, trends and alerts (check, watch, report, alerts).")
app.command("maintenance")(maintenance)


@app.command()
def health(
    profile: ProfileOption = naming.DEFAULT_PROFILE,
    stage: StageOption = naming.DEFAULT_STAGE,
    target: TargetOption = "local",
    check: Annotated[list[str] | None, typer.Option("--check", help="Run only this check (repeatable).")] = None,
    record: Annotated[bool, typer.Option("--record", help="Store the report in the health history.")] = False,
    remote: RemoteOption = False,
    as_json: JsonOption = False,
) -> None:
    """Check that every store is reachable and every resource exists. Exits 1 when the overall state is critical.

    Example: [bold]dataops health --remote -p tattoo_directory --check OpenSearch[/bold]
    """
    payload: dict[str, Any] = {"action": "check", "record": record}
    if check:
        payload["checks"] = check
    result = execute(
        HEALTH, payload, CliTarget(profile, stage, target), remote=remote, as_json=as_json, render=render_health
    )
    if result.get("overall") == "critical":
        raise typer.Exit(1)


@app.command()
def status(
    profile: ProfileOption = naming.DEFAULT_PROFILE,
    stage: StageOption = naming.DEFAULT_STAGE,
    target: TargetOption = "local",
    remote: RemoteOption = False,
    as_json: JsonOption = False,
) -> None:
    """Show the profile, its stores, and how many records of each entity each store holds.

    Example: [bold]dataops status --remote -p agent_system --json[/bold]
    """
    execute(
        STATUS,
        {"action": "show"},
        CliTarget(profile, stage, target),
        remote=remote,
        as_json=as_json,
        render=render_status,
    )


def main() -> None:
    """The `dataops` command: a store error that no command turned into a message is still one line, not a trace."""
    try:
        app()
    except STORE_ERRORS as error:
        raise SystemExit(fail(describe_store_error(error)).exit_code) from None
