"""`dataops local ...`: start, stop and inspect the Docker-free local stack."""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from dataops.errors import DataOpsError
from dataops.local import SERVICE_NAMES, down, ministack_python, state_dir, status, up

local_app = typer.Typer(
    help=(
        "Run the local stack without Docker: MiniStack (AWS APIs on :4566), PostgreSQL 18 (:15432) and "
        "osmem-server (OpenSearch API on :9200). State, logs and endpoints.json live in $DATAOPS_LOCAL_DIR "
        "(default ./.dataops/local)."
    ),
    no_args_is_help=True,
)

_console = Console()
_err = Console(stderr=True)

OnlyOption = Annotated[
    list[str] | None,
    typer.Option(
        "--service",
        "-s",
        help=f"Limit to this service (repeatable): {', '.join(SERVICE_NAMES)}. Default: all.",
        show_default=False,
    ),
]

_STATE_STYLE = {
    "running": "green",
    "starting": "yellow",
    "external": "cyan",
    "stopped": "dim",
    "foreign-port": "red",
}


def _fail(err: DataOpsError) -> typer.Exit:
    _err.print(f"[bold red]error:[/] {err.message}", markup=True, highlight=False)
    return typer.Exit(code=1)


def _say(message: str) -> None:
    _console.print(f"[bold]•[/] {message}", highlight=False)


@local_app.command("up")
def up_command(service: OnlyOption = None) -> None:
    """Start MiniStack, PostgreSQL and osmem-server detached, wait until each answers, write endpoints.json.

    Idempotent: services already started by an earlier `up` are left running.

    Fails (exit 1) if a port is held by a process dataops did not start.

    Ports: GATEWAY_PORT (4566), DATAOPS_PG_PORT (15432), DATAOPS_OS_PORT (9200).

    With DATAOPS_PG_DSN set, no PostgreSQL is started: that DSN is checked and used instead.
    """
    try:
        results = up(only=service, progress=_say)
    except DataOpsError as err:
        raise _fail(err) from None
    started = sum(1 for r in results if r.action == "started")
    _console.print(f"[green]local stack up[/] ({started} started); endpoints: {state_dir() / 'endpoints.json'}")


@local_app.command("down")
def down_command(service: OnlyOption = None) -> None:
    """Stop the services `up` started, by the PIDs in their PID files (PostgreSQL via `pg_ctl stop -m fast`).

    Never touches a process dataops did not start.

    Data is kept: PostgreSQL's data folder and MiniStack's venv stay in the state folder.
    """
    try:
        stopped = down(only=service, progress=_say)
    except DataOpsError as err:
        raise _fail(err) from None
    _console.print(f"stopped: {', '.join(stopped)}" if stopped else "nothing was running")


@local_app.command("status")
def status_command(
    service: OnlyOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")] = False,
) -> None:
    """Show each service's state (running, starting, stopped, external, foreign-port), PID, port, URL and log."""
    try:
        rows = status(only=service)
    except DataOpsError as err:
        raise _fail(err) from None
    if as_json:
        typer.echo(json.dumps([row.model_dump(mode="json") for row in rows], indent=2))
        return
    table = Table(title=f"local stack ({state_dir()})")
    for column in ("service", "state", "pid", "port", "url", "log"):
        table.add_column(column)
    for row in rows:
        style = _STATE_STYLE.get(row.state, "")
        table.add_row(row.name, f"[{style}]{row.state}[/]", str(row.pid or "-"), str(row.port), row.url, row.log or "-")
    _console.print(table)


@local_app.command("python")
def python_command() -> None:
    """Print the path of MiniStack's venv interpreter (creating the venv if missing); build Lambda layers for it."""
    try:
        typer.echo(str(ministack_python()))
    except DataOpsError as err:
        raise _fail(err) from None
