"""`dataops backup create|list|validate|cleanup|copy`, `dataops restore <id|snapshot|latest>`, `dataops export [path]`
and `dataops import <path>`."""

from __future__ import annotations

from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from dataops import naming
from dataops.cli.consent import YesOption, confirm_replacing, replaced_stores
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
from dataops.operations.backup import BACKUP
from dataops.operations.framework import Operation
from dataops.operations.restore import RESTORE

backup_app = typer.Typer(
    help="Encrypted, verifiable backups: create, list, validate, cleanup, copy.",
    no_args_is_help=True,
    rich_markup_mode="rich",
)

TablesOption = Annotated[
    list[str] | None,
    typer.Option("--table", help="Only this entity, PostgreSQL table or index (repeatable)."),
]


def _size(size: int) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if size < 1024:
            return f"{size:.0f} {unit}"
        size //= 1024
    return f"{size} TB"


def render_backup(out: Console, result: dict[str, Any]) -> None:
    if result.get("backups"):
        table = Table(title=f"backups: {result['profile']}", title_justify="left")
        for column in ("Id", "Name", "Kind", "Created", "Size", "Rows", "State"):
            table.add_column(column)
        for entry in result["backups"]:
            state = "[green]complete[/green]" if entry["complete"] else "[red]incomplete[/red]"
            rows = ", ".join(f"{name} {count}" for name, count in entry["rows"].items())
            created = (entry.get("created") or "")[:19]
            table.add_row(
                entry["backup_id"],
                entry.get("name") or "",
                entry["kind"],
                created,
                _size(entry["size_bytes"]),
                rows,
                state,
            )
        out.print(table)
    if result.get("backup"):
        backup = result["backup"]
        out.print(f"backup {backup['backup_id']} ({backup.get('kind')}, {backup.get('name') or 'unnamed'})")
    for problem in result.get("problems", []):
        out.print(f"  [red]bad[/red] {problem['key']}: {problem['problem']}", highlight=False)
    for table in result.get("tables", []):
        now = "-" if table["rows_now"] is None else table["rows_now"]
        out.print(f"  {table['store']:<10} {table['name']:<20} rows now {now:>8}  after {table['rows_after']:>8}")
    if result.get("safety_backup_id"):
        out.print(f"safety backup: {result['safety_backup_id']}")
    for name, value in result.get("details", {}).items():
        if name != "policy":
            out.print(f"{name}: {value}", highlight=False)
    counts = ", ".join(f"{name} {count}" for name, count in result.get("counts", {}).items())
    out.print(f"{result['operation']} {result['action']}: {result['status']} in {result['duration_ms']} ms. {counts}")
    if result.get("next_token"):
        out.print(f"more: --next-token {result['next_token']}")
    for warning in result.get("warnings", []):
        out.print(f"[yellow]warning:[/yellow] {warning}", highlight=False)


def _run(
    operation: Operation[Any, Any],
    payload: dict[str, Any],
    where: tuple[str, str, str],
    *,
    remote: bool,
    as_json: bool,
    dry_run: bool | None = None,
) -> dict[str, Any]:
    if dry_run is not None:
        payload["dry_run"] = dry_run
    target = CliTarget(*where)
    if as_json:
        return execute(operation, payload, target, remote=remote, as_json=True, render=render_backup)
    with console.status(f"{operation.name} {payload.get('action', '')} ..."):
        return execute(operation, payload, target, remote=remote, as_json=False, render=render_backup)


@backup_app.command("create")
def create(
    name: Annotated[str | None, typer.Option("--name", help="A name for the backup.")] = None,
    snapshot: Annotated[bool, typer.Option("--snapshot", help="A named snapshot (kept by cleanup).")] = False,
    tables: TablesOption = None,
    compression: Annotated[bool | None, typer.Option("--compression/--no-compression")] = None,
    encryption: Annotated[bool | None, typer.Option("--encryption/--no-encryption")] = None,
    dry_run: DryRunOption = None,
    profile: ProfileOption = naming.DEFAULT_PROFILE,
    stage: StageOption = naming.DEFAULT_STAGE,
    target: TargetOption = "local",
    remote: RemoteOption = False,
    as_json: JsonOption = False,
) -> None:
    """Back up the profile's DynamoDB table, PostgreSQL tables and search indexes (compressed, encrypted).

    Example: [bold]dataops backup create --name nightly[/bold]; [bold]dataops backup create --table services[/bold]
    """
    payload: dict[str, Any] = {"action": "create", "kind": "snapshot" if snapshot else "full"}
    if name:
        payload["name"] = name
    if tables:
        payload["tables"] = tables
    if compression is not None:
        payload["compression_enabled"] = compression
    if encryption is not None:
        payload["encryption_enabled"] = encryption
    _run(BACKUP, payload, (profile, stage, target), remote=remote, as_json=as_json, dry_run=dry_run)


@backup_app.command("list")
def list_backups(
    limit: Annotated[int, typer.Option("--limit", help="Backups per page.")] = 20,
    next_token: Annotated[str | None, typer.Option("--next-token", help="From a previous page.")] = None,
    profile: ProfileOption = naming.DEFAULT_PROFILE,
    stage: StageOption = naming.DEFAULT_STAGE,
    target: TargetOption = "local",
    remote: RemoteOption = False,
    as_json: JsonOption = False,
) -> None:
    """Backups, newest first: id, name, kind, created, size, rows, complete or incomplete.

    Example: [bold]dataops backup list --limit 5[/bold]
    """
    payload: dict[str, Any] = {"action": "list", "limit": limit}
    if next_token:
        payload["next_token"] = next_token
    _run(BACKUP, payload, (profile, stage, target), remote=remote, as_json=as_json)


@backup_app.command("validate")
def validate(
    backup: Annotated[str, typer.Argument(help="Backup id, snapshot name, or 'latest'.")],
    profile: ProfileOption = naming.DEFAULT_PROFILE,
    stage: StageOption = naming.DEFAULT_STAGE,
    target: TargetOption = "local",
    remote: RemoteOption = False,
    as_json: JsonOption = False,
) -> None:
    """Re-read every object: SHA-256, every frame decrypted and decompressed, row counts. Exits 1 if broken.

    Example: [bold]dataops backup validate latest[/bold]
    """
    _run(BACKUP, {"action": "validate", "backup": backup}, (profile, stage, target), remote=remote, as_json=as_json)


@backup_app.command("cleanup")
def cleanup(
    retention_days: Annotated[int | None, typer.Option("--retention-days", help="Env RETENTION_DAYS.")] = None,
    keep_last: Annotated[int, typer.Option("--keep-last", help="Always keep this many newest.")] = 3,
    include_snapshots: Annotated[bool, typer.Option("--include-snapshots", help="Named snapshots may go too.")] = False,
    dry_run: DryRunOption = None,
    profile: ProfileOption = naming.DEFAULT_PROFILE,
    stage: StageOption = naming.DEFAULT_STAGE,
    target: TargetOption = "local",
    remote: RemoteOption = False,
    as_json: JsonOption = False,
) -> None:
    """Delete backups past retention; never the newest complete one, never a named snapshot unless asked.

    Example: [bold]dataops backup cleanup --retention-days 7 --dry-run[/bold]
    """
    payload: dict[str, Any] = {"action": "cleanup", "keep_last": keep_last, "include_snapshots": include_snapshots}
    if retention_days is not None:
        payload["retention_days"] = retention_days
    _run(BACKUP, payload, (profile, stage, target), remote=remote, as_json=as_json, dry_run=dry_run)


@backup_app.command("copy")
def copy(
    backup: Annotated[str, typer.Argument(help="Backup id, snapshot name, or 'latest'.")],
    region: Annotated[str, typer.Option("--region", help="Target region, e.g. eu-west-1.")],
    bucket: Annotated[
        str | None, typer.Option("--bucket", help="Target bucket (default <prefix>-backups-<region>).")
    ] = None,
    profile: ProfileOption = naming.DEFAULT_PROFILE,
    stage: StageOption = naming.DEFAULT_STAGE,
    target: TargetOption = "local",
    remote: RemoteOption = False,
    as_json: JsonOption = False,
) -> None:
    """Copy a backup to a bucket in another region; its data key is re-wrapped by that region's backup key.

    Example: [bold]dataops backup copy latest --region eu-west-1[/bold]
    """
    payload: dict[str, Any] = {"action": "copy", "backup": backup, "region": region}
    if bucket:
        payload["bucket"] = bucket
    _run(BACKUP, payload, (profile, stage, target), remote=remote, as_json=as_json)


SettleIndexOption = Annotated[
    bool,
    typer.Option(
        "--settle-index/--no-settle-index",
        help="Finish only once the search index equals the table (default); --no-settle-index keeps it as stored.",
    ),
]


def restore(
    backup: Annotated[str, typer.Argument(help="Backup id, snapshot name, or 'latest'.")],
    tables: TablesOption = None,
    safety_backup: Annotated[bool, typer.Option("--safety-backup/--no-safety-backup")] = True,
    settle_index: SettleIndexOption = True,
    dry_run: DryRunOption = None,
    profile: ProfileOption = naming.DEFAULT_PROFILE,
    stage: StageOption = naming.DEFAULT_STAGE,
    target: TargetOption = "local",
    remote: RemoteOption = False,
    as_json: JsonOption = False,
    yes: YesOption = False,
) -> None:
    """Restore a backup (validated first; a safety backup is taken unless turned off). Env RESTORE_TABLES selects.

    Example: [bold]dataops restore latest --dry-run[/bold]; [bold]dataops restore before-demo --table services[/bold]
    """
    where = CliTarget(profile, stage, target)
    replaced = replaced_stores(where) + (f" (only the backup's {', '.join(tables)})" if tables else "")
    confirm_replacing(where, f"restore {backup}", replaced, yes=yes, dry_run=dry_run)
    payload: dict[str, Any] = {"backup": backup, "safety_backup": safety_backup, "settle_index": settle_index}
    if tables:
        payload["tables"] = tables
    _run(RESTORE, payload, (profile, stage, target), remote=remote, as_json=as_json, dry_run=dry_run)


def export(
    path: Annotated[
        str | None, typer.Argument(help="Folder under the current directory (default exports/export-<time>).")
    ] = None,
    tables: TablesOption = None,
    mask_pii: Annotated[bool, typer.Option("--mask-pii", help="Mask the profile's PII fields (PII_MASK_KEY).")] = False,
    profile: ProfileOption = naming.DEFAULT_PROFILE,
    stage: StageOption = naming.DEFAULT_STAGE,
    target: TargetOption = "local",
    remote: RemoteOption = False,
    as_json: JsonOption = False,
) -> None:
    """Write plain JSON lines per table (local folder; with --remote, exports/<path> in the backup bucket).

    Example: [bold]dataops export --mask-pii[/bold]; [bold]dataops export exports/for-staging --table artist[/bold]
    """
    payload: dict[str, Any] = {"action": "export", "destination": "s3" if remote else "local", "mask_pii": mask_pii}
    if path is not None:
        payload["path"] = path
    if tables:
        payload["tables"] = tables
    _run(BACKUP, payload, (profile, stage, target), remote=remote, as_json=as_json)


def import_export(
    path: Annotated[str, typer.Argument(help="An export folder (with --remote, a prefix under exports/).")],
    tables: TablesOption = None,
    settle_index: SettleIndexOption = True,
    dry_run: DryRunOption = None,
    profile: ProfileOption = naming.DEFAULT_PROFILE,
    stage: StageOption = naming.DEFAULT_STAGE,
    target: TargetOption = "local",
    remote: RemoteOption = False,
    as_json: JsonOption = False,
    yes: YesOption = False,
) -> None:
    """Replace the exported tables with an export's contents (PostgreSQL in one transaction).

    Example: [bold]dataops import exports/export-20260101-120000 --dry-run[/bold]
    """
    payload: dict[str, Any] = {
        "action": "import",
        "destination": "s3" if remote else "local",
        "path": path,
        "settle_index": settle_index,
    }
    where = CliTarget(profile, stage, target)
    replaced = f"what {path} holds of: {replaced_stores(where)}" + (f" (only {', '.join(tables)})" if tables else "")
    confirm_replacing(where, f"import {path}", replaced, yes=yes, dry_run=dry_run)
    if tables:
        payload["tables"] = tables
    _run(BACKUP, payload, (profile, stage, target), remote=remote, as_json=as_json, dry_run=dry_run)


def register(app: typer.Typer) -> None:
    """`backup` commands, and the top-level `restore`, `export` and `import`."""
    app.add_typer(
        backup_app, name="backup", help="Encrypted, verifiable backups: create, list, validate, cleanup, copy."
    )
    app.command("restore")(restore)
    app.command("export")(export)
    app.command("import")(import_export)
