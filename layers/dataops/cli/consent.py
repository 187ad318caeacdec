"""Consent before replacing data: `reset clear`, `reset state`, `reset restore`, `restore` and `import` ask first.

Aimed at the local default stage (where `make demo` works) they go ahead. Anywhere else they show the stage, the
account and what will be replaced, and ask; `--yes` answers for the user, and with no terminal to ask at (CI, a
pipe) the command refuses instead of guessing. A dry run writes nothing, so it never asks.
"""

from __future__ import annotations

import sys
from collections.abc import Collection
from typing import Annotated

import typer

from dataops import naming
from dataops.cli.options import fail
from dataops.cli.runner import CliTarget
from dataops.config import behaviour_defaults
from dataops.profiles import load_profile
from dataops.stores.data_stores import DataStores

YesOption = Annotated[
    bool, typer.Option("--yes", "-y", help="Replace the data without asking (needed when there is no terminal).")
]


def replaced_stores(target: CliTarget, stores: Collection[str] = ("all",)) -> str:
    """What a command replaces, by physical name: `stores` is any of dynamodb, postgres, opensearch, or all."""
    settings = target.settings()
    data = DataStores(settings, load_profile(settings.profile))
    profile = data.profile
    every = "all" in stores
    parts = []
    if profile.uses_dynamodb and (every or "dynamodb" in stores):
        parts.append(f"DynamoDB table {data.table.name}")
    if profile.uses_postgres and (every or "postgres" in stores):
        tables = ", ".join(placement.table for _, placement in profile.postgres_tables())
        parts.append(f"PostgreSQL tables {tables}")
    if profile.uses_opensearch and (every or "opensearch" in stores):
        parts.append(f"OpenSearch indexes {', '.join(data.search_indexes().values())}")
    return "; ".join(parts)


def at_a_terminal() -> bool:
    return sys.stdin.isatty()


def is_local_default(target: CliTarget) -> bool:
    return target.target == "local" and target.stage == naming.DEFAULT_STAGE


def confirm_replacing(target: CliTarget, command: str, replaced: str, *, yes: bool, dry_run: bool | None) -> None:
    """Return when the command may go ahead; otherwise exit (2 when nobody could be asked, 1 when the user said no)."""
    if yes or is_local_default(target) or (dry_run if dry_run is not None else behaviour_defaults().dry_run):
        return
    settings = target.settings()
    where = f"stage {target.stage!r} of {target.profile} on the {target.target} target"
    if settings.target == "aws":
        where += f" (account {settings.account}, {settings.region})"
    if not at_a_terminal():
        raise fail(f"{command} replaces data on {where}: {replaced}. No terminal to ask at; pass --yes to go ahead", 2)
    typer.echo(f"{command} will replace data on {where}:\n  {replaced}", err=True)
    if not typer.confirm("Go ahead?", default=False, err=True):
        typer.echo("nothing was changed", err=True)
        raise typer.Exit(1)
