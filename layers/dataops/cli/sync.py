"""`dataops sync ...`: full syncs both ways, conflicts, and sync points between DynamoDB and OpenSearch."""

from __future__ import annotations

from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from dataops import naming
from dataops.cli.options import (
    DryRunOption,
    JsonOption,
    ProfileOption,
    RemoteOption,
    StageOption,
    TargetOption,
    console,
    execute,
)
from dataops.cli.runner import CliTarget
from dataops.operations.sync import SYNC
from dataops.reconcile.resolve import Strategy

sync_app = typer.Typer(
    help="Sync DynamoDB and OpenSearch: full syncs, conflict detection and resolution, sync points.",
    no_args_is_help=True,
    rich_markup_mode="rich",
)

EntityOption = Annotated[
    str | None, typer.Option("--entity", "-e", help="One indexed entity (default: every indexed entity).")
]
LimitOption = Annotated[int, typer.Option("--limit", help="List at most this many keys in the result.")]
OUTCOME_STYLE = {"created": "green", "updated": "green", "deleted": "yellow", "dry_run": "cyan"}


def render_sync(out: Console, result: dict[str, Any]) -> None:
    rows = result.get("differences", [])
    if rows:
        table = Table(title=f"dataops sync {result['action']}: {result['profile']}", title_justify="left")
        columns = [
            name
            for name in (
                "entity",
                "key",
                "kind",
                "store",
                "range",
                "fields",
                "newer",
                "winner",
                "action",
                "outcome",
                "recorded_count",
                "current_count",
                "change",
            )
            if name in rows[0]
        ]
        for column in columns:
            table.add_column(column)
        for row in rows:
            cells = [", ".join(value) if isinstance(value := row[c], list) else str(value) for c in columns]
            if "outcome" in row:
                style = OUTCOME_STYLE.get(row["outcome"], "red" if row["outcome"] == "failed" else "white")
                cells[columns.index("outcome")] = f"[{style}]{row['outcome']}[/{style}]"
            table.add_row(*cells)
        out.print(table)
    counts = ", ".join(f"{name} {value}" for name, value in sorted(result["counts"].items())) or "nothing to do"
    out.print(f"{counts} [{result['status']}, {result['duration_ms']} ms]", highlight=False)
    for name, value in result.get("details", {}).items():
        out.print(f"{name}: {value}", highlight=False)
    for warning in result.get("warnings", []):
        out.print(f"[yellow]warning:[/yellow] {warning}", highlight=False)


def _run(payload: dict[str, Any], profile: str, stage: str, target: str, remote: bool, as_json: bool) -> dict[str, Any]:
    where = CliTarget(profile, stage, target)
    if as_json:
        return execute(SYNC, payload, where, remote=remote, as_json=True, render=render_sync)
    with console.status(f"sync {payload['action']} ..."):
        return execute(SYNC, payload, where, remote=remote, as_json=False, render=render_sync)


def _payload(action: str, entity: str | None, dry_run: bool | None, limit: int | None, **extra: Any) -> dict[str, Any]:
    """Only the fields the action takes: each action's request refuses the others (sync-point lists nothing)."""
    payload: dict[str, Any] = {"action": action, **extra}
    if limit is not None:
        payload["report_limit"] = limit
    if entity:
        payload["entity"] = entity
    if dry_run is not None:
        payload["dry_run"] = dry_run
    return payload


@sync_app.command("dynamo-to-os")
def dynamo_to_os(
    entity: EntityOption = None,
    dry_run: DryRunOption = None,
    limit: LimitOption = 50,
    profile: ProfileOption = naming.DEFAULT_PROFILE,
    stage: StageOption = naming.DEFAULT_STAGE,
    target: TargetOption = "local",
    remote: RemoteOption = False,
    as_json: JsonOption = False,
) -> None:
    """Make OpenSearch match DynamoDB (index, update, delete documents; bulk, versioned).

    Example: [bold]dataops sync dynamo-to-os -p tattoo_directory --no-dry-run[/bold]
    """
    _run(_payload("dynamo-to-os", entity, dry_run, limit), profile, stage, target, remote, as_json)


@sync_app.command("os-to-dynamo")
def os_to_dynamo(
    entity: EntityOption = None,
    dry_run: DryRunOption = None,
    limit: LimitOption = 50,
    profile: ProfileOption = naming.DEFAULT_PROFILE,
    stage: StageOption = naming.DEFAULT_STAGE,
    target: TargetOption = "local",
    remote: RemoteOption = False,
    as_json: JsonOption = False,
) -> None:
    """Make DynamoDB match OpenSearch: mapped fields are written back; items are created only from complete
    documents; items without a document are deleted.

    Example: [bold]dataops sync os-to-dynamo -p tattoo_directory --dry-run[/bold]
    """
    _run(_payload("os-to-dynamo", entity, dry_run, limit), profile, stage, target, remote, as_json)


@sync_app.command("detect-conflicts")
def detect_conflicts(
    entity: EntityOption = None,
    limit: LimitOption = 200,
    profile: ProfileOption = naming.DEFAULT_PROFILE,
    stage: StageOption = naming.DEFAULT_STAGE,
    target: TargetOption = "local",
    remote: RemoteOption = False,
    as_json: JsonOption = False,
) -> None:
    """List every key where the stores differ: which fields, and which side was updated last.

    Example: [bold]dataops sync detect-conflicts -p tattoo_directory --json[/bold]
    """
    _run(_payload("detect-conflicts", entity, None, limit), profile, stage, target, remote, as_json)


@sync_app.command("resolve-conflicts")
def resolve_conflicts(
    strategy: Annotated[Strategy, typer.Argument(help="Which side wins each difference.")] = "latest",
    entity: EntityOption = None,
    dry_run: DryRunOption = None,
    limit: LimitOption = 200,
    profile: ProfileOption = naming.DEFAULT_PROFILE,
    stage: StageOption = naming.DEFAULT_STAGE,
    target: TargetOption = "local",
    remote: RemoteOption = False,
    as_json: JsonOption = False,
) -> None:
    """Resolve every conflict with a strategy and report each resolution.

    Example: [bold]dataops sync resolve-conflicts dynamo_wins -p tattoo_directory --no-dry-run[/bold]
    """
    payload = _payload("resolve-conflicts", entity, dry_run, limit, strategy=strategy)
    _run(payload, profile, stage, target, remote, as_json)


@sync_app.command("sync-point")
def sync_point(
    name: Annotated[str, typer.Argument(help="Name of the sync point (letters, digits, . _ -).")],
    ranges: Annotated[int, typer.Option("--ranges", help="Key ranges hashed separately (1-256).")] = 16,
    entity: EntityOption = None,
    dry_run: DryRunOption = None,
    profile: ProfileOption = naming.DEFAULT_PROFILE,
    stage: StageOption = naming.DEFAULT_STAGE,
    target: TargetOption = "local",
    remote: RemoteOption = False,
    as_json: JsonOption = False,
) -> None:
    """Record a checkpoint: per store, counts and a content hash per key range, kept in S3 (sync-points/NAME.json).

    Example: [bold]dataops sync sync-point before-release -p tattoo_directory --no-dry-run[/bold]
    """
    payload = _payload("sync-point", entity, dry_run, None, name=name, ranges=ranges)
    _run(payload, profile, stage, target, remote, as_json)


@sync_app.command("validate-sync-point")
def validate_sync_point(
    name: Annotated[str, typer.Argument(help="Name of a recorded sync point.")],
    limit: LimitOption = 200,
    profile: ProfileOption = naming.DEFAULT_PROFILE,
    stage: StageOption = naming.DEFAULT_STAGE,
    target: TargetOption = "local",
    remote: RemoteOption = False,
    as_json: JsonOption = False,
) -> None:
    """Say whether both stores still match a sync point, and which key ranges drifted. Exits 1 on drift.

    Example: [bold]dataops sync validate-sync-point before-release -p tattoo_directory[/bold]
    """
    result = _run(
        _payload("validate-sync-point", None, None, limit, name=name), profile, stage, target, remote, as_json
    )
    if not result.get("details", {}).get("matches", False):
        raise typer.Exit(1)
