"""Rich rendering of operation results; `--json` bypasses all of this."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.table import Table

STATUS_STYLE = {
    "pass": "green",
    "warn": "yellow",
    "fail": "red",
    "healthy": "green",
    "warning": "yellow",
    "critical": "red",
}


def _styled(value: str) -> str:
    style = STATUS_STYLE.get(value)
    return f"[{style}]{value}[/{style}]" if style else value


def render_health(console: Console, result: dict[str, Any]) -> None:
    table = Table(title=f"dataops health: {result['profile']} is {_styled(result['overall'])}", title_justify="left")
    for column in ("Check", "Status", "Latency", "Message"):
        table.add_column(column, justify="right" if column == "Latency" else "left")
    for check in result["checks"]:
        table.add_row(check["name"], _styled(check["status"]), f"{check['latency_ms']} ms", check["message"])
    console.print(table)
    console.print(f"overall: {_styled(result['overall'])} in {result['duration_ms']} ms")


def render_status(console: Console, result: dict[str, Any]) -> None:
    stores = Table(title=f"dataops status: {result['profile']}", title_justify="left", show_header=False)
    stores.add_column("Store", style="bold")
    stores.add_column("Name")
    for store, name in result["stores"].items():
        stores.add_row(store, str(name))
    console.print(stores)
    if "schema_version" in result.get("details", {}):
        console.print(f"schema version: {result['details']['schema_version'] or '(no migrations applied)'}")
    present = [store for store in ("dynamodb", "postgres", "opensearch") if store in result["counts"]]
    counts = Table(title="Entities", title_justify="left")
    counts.add_column("Entity")
    for store in present:
        counts.add_column(store, justify="right")
    for row in result["entities"]:
        counts.add_row(row["entity"], *("-" if row.get(store) is None else str(row[store]) for store in present))
    counts.add_row("[bold]total[/bold]", *(f"[bold]{result['counts'][store]}[/bold]" for store in present))
    console.print(counts)
    for warning in result.get("warnings", []):
        console.print(f"[yellow]warning:[/yellow] {warning}")
