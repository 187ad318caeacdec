"""`dataops`: data operations for your app's stores, from the terminal."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Annotated, Any

import typer
from rich.console import Console

from dataops import naming
from dataops.cli.local import local_app
from dataops.cli.render import render_health, render_status
from dataops.cli.runner import CliTarget, run_in_process, run_remote
from dataops.errors import DataOpsError, InvalidRequest
from dataops.operations.framework import Operation
from dataops.operations.health import HEALTH
from dataops.operations.status import STATUS

app = typer.Typer(
    name="dataops",
    help="Seed, reset, migrate, back up, restore, validate, monitor and sync your app's data.",
    no_args_is_help=True,
    rich_markup_mode="rich",
)
app.add_typer(
    local_app, name="local", help="Start, stop and inspect the local target (MiniStack, PostgreSQL, OpenSearch)."
)

console = Console()
errors = Console(stderr=True)

ProfileOption = Annotated[
    str,
    typer.Option(
        "--profile", "-p", envvar=["DATAOPS_PROFILE", "PROFILE"], help="Built-in profile or dotted module path."
    ),
]
StageOption = Annotated[str, typer.Option("--stage", "-s", envvar=["DATAOPS_STAGE", "STAGE"], help="Deployment stage.")]
TargetOption = Annotated[
    str, typer.Option("--target", "-t", envvar="DATAOPS_TARGET", help="local (MiniStack on 127.0.0.1:4566) or aws.")
]
RemoteOption = Annotated[
    bool, typer.Option("--remote", help="Invoke the deployed Lambda function instead of running here.")
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print the result as JSON (machine output).")]


def _execute(
    operation: Operation[Any, Any],
    payload: dict[str, Any],
    target: CliTarget,
    *,
    remote: bool,
    as_json: bool,
    render: Callable[[Console, dict[str, Any]], None],
) -> dict[str, Any]:
    try:
        result = (run_remote if remote else run_in_process)(operation, payload, target)
    except InvalidRequest as exc:
        errors.print(f"[red]error:[/red] {exc.message}", highlight=False, soft_wrap=True)
        raise typer.Exit(2) from None
    except DataOpsError as exc:
        errors.print(f"[red]error:[/red] {exc.message}", highlight=False, soft_wrap=True)
        raise typer.Exit(1) from None
    if as_json:
        typer.echo(json.dumps(result, indent=2))
    else:
        render(console, result)
    return result


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
    """Check that every store is reachable and every resource exists. Exits 1 when the overall state is critical."""
    payload: dict[str, Any] = {"action": "check", "record": record}
    if check:
        payload["checks"] = check
    result = _execute(
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
    """Show the profile, its stores, and how many records of each entity each store holds."""
    _execute(
        STATUS,
        {"action": "show"},
        CliTarget(profile, stage, target),
        remote=remote,
        as_json=as_json,
        render=render_status,
    )


def main() -> None:
    app()
