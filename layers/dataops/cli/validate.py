"""`dataops validate [files|database|opensearch|consistency|all]`: the failing records, as a table; and
`dataops validate undo-fix REPORT`: put back what a run's fixes changed."""

from __future__ import annotations

from typing import Annotated, Any, Literal

import typer
from rich.console import Console
from rich.table import Table

from dataops import naming
from dataops.cli.options import JsonOption, ProfileOption, RemoteOption, StageOption, TargetOption, execute
from dataops.cli.runner import CliTarget
from dataops.operations.validate import VALIDATE

# The targets, and `undo-fix`, which takes the report of the run to undo.
CommandTarget = Literal["files", "database", "opensearch", "consistency", "all", "undo-fix"]

SEVERITY_STYLE = {"error": "red", "warning": "yellow", "info": "cyan"}


def render_validation(out: Console, result: dict[str, Any]) -> None:
    summary = result["summary"]
    verdict = "[green]passed[/green]" if result["passed"] else "[red]failed[/red]"
    out.print(f"dataops validate {result['target']}: {result['profile']} {verdict} ({result['status']})")
    totals = Table(title="Issues", title_justify="left")
    totals.add_column("Severity / category")
    totals.add_column("Count", justify="right")
    for severity, count in summary["by_severity"].items():
        style = SEVERITY_STYLE[severity]
        totals.add_row(f"[{style}]{severity}[/{style}]", str(count))
    for category, count in summary["by_category"].items():
        totals.add_row(f"  {category}", str(count))
    out.print(totals)
    if result["issues"]:
        listing = Table(title=f"First {len(result['issues'])} of {summary['total']}", title_justify="left")
        for column in ("Severity", "Entity", "Key", "Rule", "Message", "Fixable"):
            listing.add_column(column)
        for issue in result["issues"]:
            style = SEVERITY_STYLE[issue["severity"]]
            listing.add_row(
                f"[{style}]{issue['severity']}[/{style}]",
                issue["entity"],
                issue["key"],
                issue["rule"],
                issue["message"],
                "yes" if issue["fixable"] else "",
            )
        out.print(listing)
    if result["fixes"]:
        done = "fixed" if result["status"] != "dry_run" else "would fix"
        for fix in result["fixes"]:
            out.print(f"{done}: {fix['action']} {fix['entity']} {fix['key']} ({fix['rule']})", highlight=False)
    if result.get("report_key"):
        out.print(f"full report: {result['report_key']}", highlight=False)
    for warning in result.get("warnings", []):
        out.print(f"[yellow]warning:[/yellow] {warning}", highlight=False)


def render_undo(out: Console, result: dict[str, Any]) -> None:
    counts = result["counts"]
    verb = "would put back" if result["status"] == "dry_run" else "put back"
    out.print(
        f"dataops validate undo-fix: {verb} {counts['restored']} record(s); {counts['already_undone']} already as "
        f"before the fix; {counts['conflicts']} changed since, left as they are ({result['status']})",
        highlight=False,
    )
    for warning in result.get("warnings", []):
        out.print(f"[yellow]warning:[/yellow] {warning}", highlight=False)


def validate(
    target: Annotated[CommandTarget, typer.Argument(help="What to check, or undo-fix.")] = "all",
    report: Annotated[
        str | None, typer.Argument(help="undo-fix: the report key of the run whose fixes to undo.")
    ] = None,
    fix: Annotated[
        bool | None, typer.Option("--fix/--no-fix", help="Repair what is safely fixable (env FIX_ISSUES).")
    ] = None,
    strict: Annotated[
        bool | None, typer.Option("--strict/--no-strict", help="Warnings count as errors (env STRICT_MODE).")
    ] = None,
    dry_run: Annotated[
        bool | None, typer.Option("--dry-run/--no-dry-run", help="With --fix: list the fixes, change nothing.")
    ] = None,
    category: Annotated[list[str] | None, typer.Option("--category", help="Only this category (repeatable).")] = None,
    entity: Annotated[list[str] | None, typer.Option("--entity", help="Only this entity (repeatable).")] = None,
    path: Annotated[list[str] | None, typer.Option("--path", help="files target: a JSON-lines file.")] = None,
    limit: Annotated[int, typer.Option("--limit", help="Issues listed in the result (the report has all).")] = 100,
    profile: ProfileOption = naming.DEFAULT_PROFILE,
    stage: StageOption = naming.DEFAULT_STAGE,
    deploy_target: TargetOption = "local",
    remote: RemoteOption = False,
    as_json: JsonOption = False,
) -> None:
    """Validate the stores (schema, references, rules, duplicates, orphans, consistency, security).

    Exits 1 when errors remain (or warnings, with --strict). Example:
    [bold]dataops validate database --fix --dry-run -p agent_system[/bold]

    A run with --fix first saves every record it changes (encrypted, in the backup format) next to its report;
    [bold]dataops validate undo-fix reports/validation/....jsonl[/bold] puts them back (--dry-run: count only).
    A record changed since the fix is left as it is and named.
    """
    if target == "undo-fix":
        if not report:
            raise typer.BadParameter("undo-fix needs the report key of the run to undo", param_hint="REPORT")
        undo_payload: dict[str, Any] = {"action": "undo-fix", "report": report}
        if dry_run is not None:
            undo_payload["dry_run"] = dry_run
        execute(
            VALIDATE, undo_payload, CliTarget(profile, stage, deploy_target), remote=remote, as_json=as_json,
            render=render_undo,
        )  # fmt: skip
        return
    if report is not None:
        raise typer.BadParameter(f"only undo-fix takes a report (got {report!r} after {target!r})")
    payload: dict[str, Any] = {"action": "run", "target": target, "sample_limit": limit}
    optional = {"fix_issues": fix, "strict_mode": strict, "dry_run": dry_run, "categories": category}
    payload.update({key: value for key, value in optional.items() if value is not None})
    if entity:
        payload["entities"] = entity
    if path:
        payload["paths"] = path
    with Console(stderr=True).status(f"validating {target}...", spinner="dots"):
        result = execute(
            VALIDATE,
            payload,
            CliTarget(profile, stage, deploy_target),
            remote=remote,
            as_json=as_json,
            render=lambda _out, _result: None,
        )
    if not as_json:
        render_validation(Console(), result)
