"""`dataops monitor check|watch|report|alerts|clear-alerts|test-alerts` and `dataops maintenance`."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Annotated, Any

import typer
from rich.console import Console, Group
from rich.live import Live
from rich.table import Table
from rich.text import Text

from dataops import naming
from dataops.cli.options import (
    STORE_ERRORS,
    JsonOption,
    ProfileOption,
    RemoteOption,
    StageOption,
    TargetOption,
    describe_store_error,
    execute,
    fail,
)
from dataops.cli.runner import CliTarget, run_in_process, run_remote
from dataops.errors import DataOpsError
from dataops.operations.maintenance import MAINTENANCE
from dataops.operations.monitor import MONITOR

monitor_app = typer.Typer(
    help="Metrics, trends and alerts: one check, a live watch, or the alert list.",
    no_args_is_help=True,
    rich_markup_mode="rich",
)

SEVERITY_STYLE = {"critical": "red", "warning": "yellow", "info": "cyan"}
ThresholdOption = Annotated[
    list[str] | None,
    typer.Option("--threshold", help="Override an alert limit, KEY=VALUE (repeatable), e.g. response_time_ms=500."),
]


def _thresholds(pairs: list[str] | None) -> dict[str, str]:
    parsed: dict[str, str] = {}
    for pair in pairs or []:
        key, sep, value = pair.partition("=")
        if not sep:
            raise fail(f"--threshold {pair!r} must be KEY=VALUE", 2)
        parsed[key.strip()] = value.strip()
    return parsed


def _alerts_table(alerts: list[dict[str, Any]], title: str) -> Table:
    table = Table(title=title, title_justify="left")
    for column in ("Severity", "Alert", "Value", "Limit", "Since", "Message"):
        table.add_column(column)
    for alert in alerts:
        style = SEVERITY_STYLE[alert["severity"]]
        value = "-" if alert.get("value") is None else f"{alert['value']:g}"
        table.add_row(
            f"[{style}]{alert['severity']}[/{style}]", alert["alert_id"], value, f"{alert['threshold']:g}",
            alert["raised_at"][:19], alert["message"],
        )  # fmt: skip
    return table


def _check_view(result: dict[str, Any]) -> Group:
    metrics = Table(title=f"dataops monitor: {result['profile']} at {result['started_at'][:19]}", title_justify="left")
    metrics.add_column("Metric")
    metrics.add_column("Value", justify="right")
    for name, value in sorted(result.get("metrics", {}).items()):
        metrics.add_row(name, "-" if value is None else f"{value:g}")
    parts: list[Any] = [metrics, _alerts_table(result.get("alerts", []), "Active alerts")]
    for kind in ("raised", "cleared"):
        for alert in result.get(kind, []):
            parts.append(f"{kind}: {alert['alert_id']} ({alert['severity']}) {alert['message']}")
    # Text, not markup: an ARN's ":name:" parts would otherwise be read as emoji codes.
    parts.extend(Text.assemble(("notice not delivered: ", "red"), error) for error in result.get("publish_errors", []))
    return Group(*parts)


def render_monitor(out: Console, result: dict[str, Any]) -> None:
    action = result["action"]
    if action == "check":
        out.print(_check_view(result))
    elif action == "report":
        report = result["report"]
        table = Table(title=f"Trends over {report['checks']} check(s) from {report['from']}", title_justify="left")
        for column in ("Metric", "Min", "Median", "Max", "Latest"):
            table.add_column(column, justify="left" if column == "Metric" else "right")
        for name, stats in report["metrics"].items():
            table.add_row(name, *(f"{stats[key]:g}" for key in ("min", "median", "max", "latest")))
        out.print(table)
    elif action == "alerts":
        out.print(_alerts_table(result["alerts"], f"Active alerts: {len(result['alerts'])}"))
    elif action == "clear-alerts":
        verb = "would clear" if result["status"] == "dry_run" else "cleared"
        out.print(f"{verb} {len(result['cleared'])} alert(s)")
    elif result.get("publish_errors"):
        out.print(Text.assemble(("test alert not delivered: ", "red"), "; ".join(result["publish_errors"])))
    else:
        out.print(f"test alert published: {', '.join(result['published']) or '(dry run: nothing sent)'}")


def _monitor(payload: dict[str, Any], profile: str, stage: str, target: str, remote: bool, as_json: bool) -> None:
    execute(MONITOR, payload, CliTarget(profile, stage, target), remote=remote, as_json=as_json, render=render_monitor)


@monitor_app.command("check")
def check(
    threshold: ThresholdOption = None,
    publish: Annotated[bool, typer.Option("--publish/--no-publish", help="Send alert notices to SNS.")] = True,
    dry_run: Annotated[bool | None, typer.Option("--dry-run/--no-dry-run", help="Record and send nothing.")] = None,
    profile: ProfileOption = naming.DEFAULT_PROFILE,
    stage: StageOption = naming.DEFAULT_STAGE,
    target: TargetOption = "local",
    remote: RemoteOption = False,
    as_json: JsonOption = False,
) -> None:
    """Record one set of metrics and raise or clear alerts. Example: [bold]dataops monitor check --threshold response_time_ms=500[/bold]"""  # noqa: E501
    payload: dict[str, Any] = {"action": "check", "thresholds": _thresholds(threshold), "publish": publish}
    if dry_run is not None:
        payload["dry_run"] = dry_run
    _monitor(payload, profile, stage, target, remote, as_json)


@monitor_app.command("watch")
def watch(
    interval: Annotated[int, typer.Option("--interval", "-i", min=1, help="Seconds between checks.")] = 30,
    count: Annotated[int, typer.Option("--count", "-n", min=0, help="Stop after N checks (0: until Ctrl-C).")] = 0,
    threshold: ThresholdOption = None,
    profile: ProfileOption = naming.DEFAULT_PROFILE,
    stage: StageOption = naming.DEFAULT_STAGE,
    target: TargetOption = "local",
    remote: RemoteOption = False,
    as_json: Annotated[
        bool, typer.Option("--json", help="One JSON object per check, each on its own line (JSON lines); no live view.")
    ] = False,
) -> None:
    """Check every INTERVAL seconds in a live view (Ctrl-C stops). Example: [bold]dataops monitor watch -i 10[/bold], [bold]dataops monitor watch --json -n 3 > checks.jsonl[/bold]"""  # noqa: E501
    payload = {"action": "check", "thresholds": _thresholds(threshold)}
    runner = run_remote if remote else run_in_process
    where = CliTarget(profile, stage, target)

    def check() -> dict[str, Any]:
        """One check; a failed one is a result too (the watch goes on), with the reason in one line."""
        try:
            return runner(MONITOR, payload, where)
        except DataOpsError as exc:
            return {"operation": "monitor", "action": "check", "status": "failed", "error": exc.message}
        except STORE_ERRORS as exc:
            return {
                "operation": "monitor",
                "action": "check",
                "status": "failed",
                "error": describe_store_error(exc, where),
            }

    def ticks() -> Iterator[dict[str, Any]]:
        done = 0
        while count == 0 or done < count:
            yield check()
            done += 1
            if count == 0 or done < count:
                time.sleep(interval)

    try:
        if as_json:
            for result in ticks():
                typer.echo(json.dumps(result, separators=(",", ":")))
            return
        with Live(console=Console(), auto_refresh=False) as live:
            for result in ticks():
                failed = result.get("error")
                live.update(f"[red]check failed:[/red] {failed}" if failed else _check_view(result), refresh=True)
    except KeyboardInterrupt:
        return


@monitor_app.command("report")
def report(
    limit: Annotated[int, typer.Option("--limit", help="The newest N checks.")] = 100,
    profile: ProfileOption = naming.DEFAULT_PROFILE,
    stage: StageOption = naming.DEFAULT_STAGE,
    target: TargetOption = "local",
    remote: RemoteOption = False,
    as_json: JsonOption = False,
) -> None:
    """Min, median and max of every metric over the stored history. Example: [bold]dataops monitor report --limit 50[/bold]"""  # noqa: E501
    _monitor({"action": "report", "limit": limit}, profile, stage, target, remote, as_json)


@monitor_app.command("alerts")
def alerts(
    severity: Annotated[str | None, typer.Argument(help="critical | warning | info")] = None,
    profile: ProfileOption = naming.DEFAULT_PROFILE,
    stage: StageOption = naming.DEFAULT_STAGE,
    target: TargetOption = "local",
    remote: RemoteOption = False,
    as_json: JsonOption = False,
) -> None:
    """List active alerts. Example: [bold]dataops monitor alerts critical[/bold]"""
    payload: dict[str, Any] = {"action": "alerts"}
    if severity:
        payload["severity"] = severity
    _monitor(payload, profile, stage, target, remote, as_json)


@monitor_app.command("clear-alerts")
def clear_alerts(
    dry_run: Annotated[bool | None, typer.Option("--dry-run/--no-dry-run", help="List what would clear.")] = None,
    profile: ProfileOption = naming.DEFAULT_PROFILE,
    stage: StageOption = naming.DEFAULT_STAGE,
    target: TargetOption = "local",
    remote: RemoteOption = False,
    as_json: JsonOption = False,
) -> None:
    """Mark every active alert cleared (kept in the history). Example: [bold]dataops monitor clear-alerts[/bold]"""
    payload: dict[str, Any] = {"action": "clear-alerts"}
    if dry_run is not None:
        payload["dry_run"] = dry_run
    _monitor(payload, profile, stage, target, remote, as_json)


@monitor_app.command("test-alerts")
def test_alerts(
    profile: ProfileOption = naming.DEFAULT_PROFILE,
    stage: StageOption = naming.DEFAULT_STAGE,
    target: TargetOption = "local",
    remote: RemoteOption = False,
    as_json: JsonOption = False,
) -> None:
    """Publish a test notice to the alert topic. Example: [bold]dataops monitor test-alerts -p agent_system[/bold]"""
    _monitor({"action": "test-alerts"}, profile, stage, target, remote, as_json)


def render_maintenance(out: Console, result: dict[str, Any]) -> None:
    for step in result["steps"]:
        style = "red" if step["status"] == "failed" else "green"
        out.print(f"[{style}]{step['status']:>9}[/{style}] {step['name']}: {step['summary']}", highlight=False)
    out.print(f"overall health: {result['overall']} in {result['duration_ms']} ms")


def maintenance(
    retention_days: Annotated[int | None, typer.Option("--retention-days", help="env RETENTION_DAYS")] = None,
    keep_last: Annotated[int, typer.Option("--keep-last", help="Always keep this many newest backups.")] = 3,
    fix: Annotated[bool, typer.Option("--fix/--no-fix", help="Repair what validation finds.")] = True,
    dry_run: Annotated[bool | None, typer.Option("--dry-run/--no-dry-run", help="Show, change nothing.")] = None,
    profile: ProfileOption = naming.DEFAULT_PROFILE,
    stage: StageOption = naming.DEFAULT_STAGE,
    target: TargetOption = "local",
    remote: RemoteOption = False,
    as_json: JsonOption = False,
) -> None:
    """Clean up old backups, validate with fixes, check health. Example: [bold]dataops maintenance --dry-run[/bold]"""
    payload: dict[str, Any] = {"keep_last": keep_last, "fix_issues": fix}
    optional = {"retention_days": retention_days, "dry_run": dry_run}
    payload.update({key: value for key, value in optional.items() if value is not None})
    with Console(stderr=True).status("maintenance: cleanup, validate, health...", spinner="dots"):
        result = execute(
            MAINTENANCE, payload, CliTarget(profile, stage, target), remote=remote, as_json=as_json,
            render=lambda _out, _result: None,
        )  # fmt: skip
    if not as_json:
        render_maintenance(Console(), result)
