"""What every CLI command shares: the common options, running an operation here or remotely, and printing it.

Each command module declares its own typer signature (that is how typer reads options) from these definitions.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Annotated, Any

import psycopg2
import typer
from botocore.exceptions import BotoCoreError, ClientError
from opensearchpy.exceptions import OpenSearchException
from rich.console import Console

from dataops.cli.runner import CliTarget, run_in_process, run_remote
from dataops.config import Target
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
    Target, typer.Option("--target", "-t", envvar="DATAOPS_TARGET", help="local (MiniStack on 127.0.0.1:4566) or aws.")
]
RemoteOption = Annotated[
    bool,
    typer.Option(
        "--remote",
        help="Invoke the deployed Lambda function instead of running here: one call, within the function's "
        "timeout. Work too large for that runs as a workflow (`dataops workflow start`).",
    ),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print the result as JSON (machine output).")]
DryRunOption = Annotated[
    bool | None, typer.Option("--dry-run/--no-dry-run", help="Report what would change; write nothing (env DRY_RUN).")
]

Renderer = Callable[[Console, dict[str, Any]], None]


def fail(message: str, code: int = 1) -> typer.Exit:
    """Print one error line; raise the returned Exit. Exit code 2 means bad input, 1 means the run failed."""
    errors.print(f"[red]error:[/red] {message}", highlight=False, soft_wrap=True)
    return typer.Exit(code)


# What a store client raises when a resource is missing or unreachable; the CLI says it in one line, not a traceback.
STORE_ERRORS = (ClientError, BotoCoreError, psycopg2.Error, OpenSearchException)
MISSING_CODES = {"ResourceNotFoundException", "NoSuchBucket", "NoSuchKey", "NotFoundException"}


def describe_store_error(error: Exception, target: CliTarget | None = None) -> str:
    """One line: the call that failed, the store's code and message, the resource, and for a missing resource
    the stage that was looked at (a stage whose stores were never deployed is the usual cause)."""
    if isinstance(error, ClientError):
        details = error.response.get("Error", {})
        code, message = details.get("Code", "error"), details.get("Message", str(error))
        resource = str(details.get("Resource") or details.get("BucketName") or "").lstrip("/")
        line = f"{error.operation_name} failed: {code}: {message}"
        if resource and resource not in message:
            line += f" ({resource})"
        if code in MISSING_CODES and target is not None:
            line += (
                f"; are the stores of {target.profile} stage {target.stage!r} deployed on {target.target}? "
                f"(make deploy PROFILE={target.profile} STAGE={target.stage})"
            )
        return line
    if isinstance(error, psycopg2.Error):
        first_line = (str(error).strip().splitlines() or [type(error).__name__])[0]
        return f"PostgreSQL: {first_line}"
    return f"{type(error).__name__}: {error}"


def execute(
    operation: Operation[Any, Any],
    payload: dict[str, Any],
    target: CliTarget,
    *,
    remote: bool,
    as_json: bool,
    render: Renderer,
) -> dict[str, Any]:
    """Run `operation` in-process or through its deployed function, then print JSON or the rich rendering; a
    failed result exits 1 either way."""
    try:
        result = (run_remote if remote else run_in_process)(operation, payload, target)
    except InvalidRequest as exc:
        raise fail(exc.message, 2) from None
    except DataOpsError as exc:
        raise fail(exc.message, 1) from None
    except STORE_ERRORS as exc:
        raise fail(describe_store_error(exc, target), 1) from None
    if as_json:
        typer.echo(json.dumps(result, indent=2))
    else:
        render(console, result)
    # The exit code says how it went, whichever way the result was printed.
    if result.get("status") == "failed":
        raise typer.Exit(1)
    return result
