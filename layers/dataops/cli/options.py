"""What every CLI command shares: the common options, running an operation here or remotely, and printing it.

Each command module declares its own typer signature (that is how typer reads options) from these definitions.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Annotated, Any

import typer
from rich.console import Console

from dataops.cli.runner import CliTarget, run_in_process, run_remote
from dataops.errors import DataOpsError, InvalidRequest
from dataops.operations.framework import Operation

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

Renderer = Callable[[Console, dict[str, Any]], None]


def fail(message: str, code: int = 1) -> typer.Exit:
    """Print one error line; raise the returned Exit. Exit code 2 means bad input, 1 means the run failed."""
    errors.print(f"[red]error:[/red] {message}", highlight=False, soft_wrap=True)
    return typer.Exit(code)


def execute(
    operation: Operation[Any, Any],
    payload: dict[str, Any],
    target: CliTarget,
    *,
    remote: bool,
    as_json: bool,
    render: Renderer,
) -> dict[str, Any]:
    """Run `operation` in-process or through its deployed function, then print JSON or the rich rendering."""
    try:
        result = (run_remote if remote else run_in_process)(operation, payload, target)
    except InvalidRequest as exc:
        raise fail(exc.message, 2) from None
    except DataOpsError as exc:
        raise fail(exc.message, 1) from None
    if as_json:
        typer.echo(json.dumps(result, indent=2))
    else:
        render(console, result)
    return result
