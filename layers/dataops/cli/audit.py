"""`dataops audit`: the audit trail of every data change (who, what, when, result) from the control table."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

import typer
from rich.table import Table

from dataops import naming
from dataops.audit import audit_records
from dataops.cli.options import JsonOption, ProfileOption, StageOption, TargetOption, console, fail
from dataops.cli.runner import CliTarget
from dataops.errors import DataOpsError, InvalidRequest
from dataops.models import utc_now
from dataops.profiles import load_profile
from dataops.stores.data_stores import DataStores

RELATIVE = re.compile(r"^(\d+)([hd])$")
STATUS_STYLE = {"succeeded": "green", "failed": "red", "dry_run": "cyan"}


def parse_since(value: str, now: datetime) -> datetime:
    """`24h`, `7d`, or an ISO date or time (UTC when it names no zone)."""
    relative = RELATIVE.match(value)
    if relative:
        amount, unit = int(relative.group(1)), relative.group(2)
        return now - (timedelta(hours=amount) if unit == "h" else timedelta(days=amount))
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise InvalidRequest.for_field("--since", f"{value!r} is not 24h, 7d or an ISO date/time") from None
    parsed = parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    if parsed > now:
        raise InvalidRequest.for_field("--since", f"{value!r} is in the future")
    return parsed


def records_since(
    stores: DataStores, since: datetime, now: datetime, operation: str | None
) -> Iterator[dict[str, Any]]:
    """Newest first: one query per day (the records are partitioned by day), stopping at `since`."""
    day = now
    while day.date() >= since.date():
        for record in audit_records(stores.control, day):
            if record["at"] < since.isoformat():
                return
            if operation is None or record["operation"] == operation:
                yield record
        day -= timedelta(days=1)


def audit(
    since: Annotated[str, typer.Option("--since", help="How far back: 24h, 7d, or an ISO date/time.")] = "7d",
    operation: Annotated[str | None, typer.Option("--operation", "-o", help="Only this operation (seed...).")] = None,
    limit: Annotated[int, typer.Option("--limit", "-n", min=1, help="Show at most this many records.")] = 100,
    profile: ProfileOption = naming.DEFAULT_PROFILE,
    stage: StageOption = naming.DEFAULT_STAGE,
    target: TargetOption = "local",
    as_json: JsonOption = False,
) -> None:
    """Show the audit trail: every data change with who ran it, when, its parameters and its result.

    Read from the control table, where every mutating run leaves one record. Example:
    [bold]dataops audit --since 24h --operation seed --json[/bold]
    """
    now = utc_now()
    try:
        start = parse_since(since, now)
        settings = CliTarget(profile, stage, target).settings()
        stores = DataStores(settings, load_profile(settings.profile))
        records = []
        for record in records_since(stores, start, now, operation):
            records.append(record)
            if len(records) >= limit:
                break
    except InvalidRequest as error:
        raise fail(error.message, 2) from None
    except DataOpsError as error:
        raise fail(error.message) from None
    if as_json:
        typer.echo(json.dumps(records, indent=2, default=str))
        return
    table = Table(
        title=f"audit trail: {profile} ({stage}) since {start.isoformat(timespec='seconds')}", title_justify="left"
    )
    for column in ("When", "Who", "Operation", "Status", "Counts", "Parameters"):
        table.add_column(column)
    for record in records:
        style = STATUS_STYLE.get(record["status"], "white")
        counts = ", ".join(f"{key} {value}" for key, value in sorted(record.get("counts", {}).items()))
        # Unset (null) fields say nothing about what ran; the JSON output keeps them.
        parameters = {
            key: value for key, value in record.get("parameters", {}).items() if key != "action" and value is not None
        }
        table.add_row(
            record["at"][:19],
            record["actor"],
            f"{record['operation']} {record['action']}",
            f"[{style}]{record['status']}[/{style}]" + (f"\n{record['error']}" if record.get("error") else ""),
            counts or "-",
            json.dumps(parameters, default=str),
        )
    console.print(table)
    console.print(f"{len(records)} record(s)", highlight=False)
