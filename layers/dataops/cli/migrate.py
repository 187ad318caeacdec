"""`dataops migrate ...`: status, list, apply, run, rollback, validate, lint, and (CLI only) create."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from dataops import naming
from dataops.cli.options import (
    JsonOption,
    ProfileOption,
    RemoteOption,
    StageOption,
    TargetOption,
    console,
    execute,
    fail,
)
from dataops.cli.runner import CliTarget
from dataops.errors import DataOpsError, InvalidRequest
from dataops.operations.migrate import MIGRATE
from dataops.operations.migrate.engine import migrations_folder
from dataops.operations.migrate.template import create_migration
from dataops.profiles import load_profile
from dataops.stores.data_stores import DataStores

migrate_app = typer.Typer(
    help="Versioned migrations of PostgreSQL schema and DynamoDB items: locked, transactional, drift-checked.",
    no_args_is_help=True,
    rich_markup_mode="rich",
)

DryRunOption = Annotated[
    bool | None,
    typer.Option("--dry-run/--no-dry-run", help="Print the plan and the exact SQL; change nothing (env DRY_RUN)."),
]
RepairOption = Annotated[
    bool, typer.Option("--repair", help="Accept edited (drifted) applied files and record their new checksums.")
]
STATE_STYLE = {"applied": "green", "pending": "yellow", "failed": "red", "drifted": "magenta", "missing_file": "red"}


def render_migrations(out: Console, result: dict[str, Any]) -> None:
    if result.get("migrations"):
        table = Table(title=f"dataops migrate {result['action']}: {result['profile']}", title_justify="left")
        for column in ("Version", "Name", "State", "Applied at", "Duration"):
            table.add_column(column)
        for migration in result["migrations"]:
            style = STATE_STYLE.get(migration["state"], "white")
            duration = "" if migration.get("duration_ms") is None else f"{migration['duration_ms']} ms"
            table.add_row(
                migration["version"],
                migration["name"],
                f"[{style}]{migration['state']}[/{style}]",
                (migration.get("applied_at") or "")[:19],
                duration,
            )
        out.print(table)
    for step in result.get("steps", []):
        items = ", ".join(f"{kind} {count}" for kind, count in step.get("items", {}).items())
        line = f"{step['direction']:>8} {step['version']} {step['name']}: {step['outcome']} in {step['duration_ms']} ms"
        out.print(line + (f" ({items})" if items else ""), highlight=False)
        for statement in step.get("sql", []):
            out.print(f"           [cyan]{' '.join(statement.split())};[/cyan]", highlight=False, soft_wrap=True)
        if step.get("transactional") is False:
            out.print("           (outside a transaction: statement by statement)", highlight=False)
        if step.get("error"):
            out.print(f"           [red]{step['error']}[/red]", highlight=False)
    for finding in result.get("findings", []):
        where = f" on {finding['table']}" if finding.get("table") else ""
        out.print(
            f"[red]{finding['rule']}[/red] {finding['version']} {finding['name']}{where}: {finding['message']}\n"
            f"           [cyan]{finding['statement']}[/cyan]\n           fix: {finding['fix']}",
            highlight=False,
            soft_wrap=True,
        )
    if result.get("valid") is not None:
        out.print("valid" if result["valid"] else "[red]invalid[/red]")
    out.print(f"current version: {result.get('current_version') or '(none)'} [{result['status']}]", highlight=False)
    for warning in result.get("warnings", []):
        out.print(f"[yellow]warning:[/yellow] {warning}", highlight=False)


def _run(
    payload: dict[str, Any], profile: str, stage: str, target: str, remote: bool, as_json: bool, dry_run: bool | None
) -> dict[str, Any]:
    if dry_run is not None:
        payload["dry_run"] = dry_run
    target_of_run = CliTarget(profile, stage, target)
    if as_json:
        return execute(MIGRATE, payload, target_of_run, remote=remote, as_json=True, render=render_migrations)
    with console.status(f"migrate {payload['action']} ..."):
        return execute(MIGRATE, payload, target_of_run, remote=remote, as_json=False, render=render_migrations)


@migrate_app.command("status")
def status(
    profile: ProfileOption = naming.DEFAULT_PROFILE,
    stage: StageOption = naming.DEFAULT_STAGE,
    target: TargetOption = "local",
    remote: RemoteOption = False,
    as_json: JsonOption = False,
) -> None:
    """Each migration applied, pending, failed or drifted, with applied time and duration.

    Example: [bold]dataops migrate status --profile agent_system[/bold]
    """
    _run({"action": "status"}, profile, stage, target, remote, as_json, None)


@migrate_app.command("list")
def list_migrations(
    profile: ProfileOption = naming.DEFAULT_PROFILE,
    stage: StageOption = naming.DEFAULT_STAGE,
    target: TargetOption = "local",
    remote: RemoteOption = False,
    as_json: JsonOption = False,
) -> None:
    """The migration files, in order, with their descriptions.

    Example: [bold]dataops migrate list --profile tattoo_directory[/bold]
    """
    _run({"action": "list"}, profile, stage, target, remote, as_json, None)


@migrate_app.command("apply")
def apply(
    target_version: Annotated[str | None, typer.Argument(help="Stop after this version (default: all).")] = None,
    repair: RepairOption = False,
    dry_run: DryRunOption = None,
    profile: ProfileOption = naming.DEFAULT_PROFILE,
    stage: StageOption = naming.DEFAULT_STAGE,
    target: TargetOption = "local",
    remote: RemoteOption = False,
    as_json: JsonOption = False,
) -> None:
    """Apply every pending migration, or those up to TARGET_VERSION.

    Example: [bold]dataops migrate apply --dry-run[/bold]   then   [bold]dataops migrate apply 20241201000300[/bold]
    """
    payload: dict[str, Any] = {"action": "apply", "repair": repair}
    if target_version is not None:
        payload["target"] = target_version
    _run(payload, profile, stage, target, remote, as_json, dry_run)


@migrate_app.command("run")
def run(
    migration: Annotated[str, typer.Argument(help="The migration's version, name or file slug.")],
    dry_run: DryRunOption = None,
    profile: ProfileOption = naming.DEFAULT_PROFILE,
    stage: StageOption = naming.DEFAULT_STAGE,
    target: TargetOption = "local",
    remote: RemoteOption = False,
    as_json: JsonOption = False,
) -> None:
    """Apply one migration, named by version, name or slug.

    Example: [bold]dataops migrate run add-social-media --profile tattoo_directory[/bold]
    """
    _run({"action": "run", "migration": migration}, profile, stage, target, remote, as_json, dry_run)


@migrate_app.command("rollback")
def rollback(
    target_version: Annotated[
        str | None, typer.Argument(help="Undo every migration after this version ('0' for all); default: the last.")
    ] = None,
    dry_run: DryRunOption = None,
    profile: ProfileOption = naming.DEFAULT_PROFILE,
    stage: StageOption = naming.DEFAULT_STAGE,
    target: TargetOption = "local",
    remote: RemoteOption = False,
    as_json: JsonOption = False,
) -> None:
    """Run down() in reverse order back to TARGET_VERSION, or undo only the last migration.

    Example: [bold]dataops migrate rollback 1.2.0 --profile tattoo_directory[/bold]
    """
    payload: dict[str, Any] = {"action": "rollback"}
    if target_version is not None:
        payload["target"] = target_version
    _run(payload, profile, stage, target, remote, as_json, dry_run)


@migrate_app.command("validate")
def validate(
    profile: ProfileOption = naming.DEFAULT_PROFILE,
    stage: StageOption = naming.DEFAULT_STAGE,
    target: TargetOption = "local",
    remote: RemoteOption = False,
    as_json: JsonOption = False,
) -> None:
    """Run each applied migration's validate() and compare recorded checksums with the files. Exits 1 if invalid.

    Example: [bold]dataops migrate validate --json[/bold]
    """
    result = _run({"action": "validate"}, profile, stage, target, remote, as_json, None)
    if result.get("valid") is False:
        raise typer.Exit(1)


@migrate_app.command("lint")
def lint(
    large_table_rows: Annotated[
        int, typer.Option("--large-table-rows", help="Tables over this many rows count as large.")
    ] = 100_000,
    profile: ProfileOption = naming.DEFAULT_PROFILE,
    stage: StageOption = naming.DEFAULT_STAGE,
    target: TargetOption = "local",
    remote: RemoteOption = False,
    as_json: JsonOption = False,
) -> None:
    """Flag risky DDL in the pending migrations before it runs, each finding with its fix. Exits 1 on a finding.

    Rules: an index built without CONCURRENTLY on a large table; CONCURRENTLY inside a transaction; NOT NULL added
    without a default; a volatile default on a large table; a dropped column the profile's models still name; a
    type change that rewrites a large table. A migration file sets [bold]transactional = False[/bold] to run
    CREATE INDEX CONCURRENTLY, and [bold]lock_timeout[/bold] / [bold]statement_timeout[/bold] (seconds) to change
    the limits every migration runs under (env MIGRATION_LOCK_TIMEOUT, default 5; MIGRATION_STATEMENT_TIMEOUT,
    default 300).

    Example: [bold]dataops migrate lint --profile agent_system[/bold]
    """
    payload = {"action": "lint", "large_table_rows": large_table_rows}
    result = _run(payload, profile, stage, target, remote, as_json, None)
    if result.get("valid") is False:
        raise typer.Exit(1)


@migrate_app.command("create")
def create(
    description: Annotated[str, typer.Argument(help="What the migration does; it names the file.")],
    path: Annotated[
        Path | None, typer.Option("--path", help="Folder to write to (default: MIGRATIONS_PATH or the profile's).")
    ] = None,
    profile: ProfileOption = naming.DEFAULT_PROFILE,
    stage: StageOption = naming.DEFAULT_STAGE,
    target: TargetOption = "local",
    as_json: JsonOption = False,
) -> None:
    """Write <YYYYMMDDHHMMSS>_<slug>.py with version, name, description, up, down and validate.

    Example: [bold]dataops migrate create "Add new column to services table"[/bold]
    """
    try:
        settings = CliTarget(profile, stage, target).settings()
        folder = path or migrations_folder(DataStores(settings, load_profile(settings.profile)))
        if folder is None:
            raise InvalidRequest.for_field(
                "path", f"profile {settings.profile!r} has no migrations folder; pass --path"
            )
        created = create_migration(folder, description, datetime.now(UTC))
    except InvalidRequest as exc:
        raise fail(exc.message, 2) from None
    except DataOpsError as exc:
        raise fail(exc.message, 1) from None
    if as_json:
        typer.echo(json.dumps({"created": str(created)}))
    else:
        console.print(f"created {created}", highlight=False)
