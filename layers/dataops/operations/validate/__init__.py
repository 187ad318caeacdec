"""`validate`: schema, references, business rules, duplicates and orphans, consistency, performance and security
across the profile's stores; FIX_ISSUES repairs what is safely fixable, STRICT_MODE fails on warnings too.

A failed validation raises ValidationFailed (so the Lambda invocation fails and workflows branch) after the full
report is stored in S3; the message carries the summary and the report key.
"""

from __future__ import annotations

import uuid
from typing import Any, Literal

from pydantic import Field, field_validator

from dataops.config import behaviour_defaults
from dataops.errors import DataOpsError, InvalidRequest
from dataops.models import ActionOutput, OperationRequest, OperationResult, utc_now
from dataops.naming import VALIDATION_REPORT_PREFIX
from dataops.operations.framework import Action, Operation
from dataops.operations.validate.checker import RecordChecker
from dataops.operations.validate.context import ValidationContext
from dataops.operations.validate.dynamodb_pass import check_dynamodb
from dataops.operations.validate.files_pass import check_files
from dataops.operations.validate.fixes import FixPlan
from dataops.operations.validate.postgres_pass import check_postgres
from dataops.operations.validate.report import AppliedFix, IssueLog, ValidationIssue
from dataops.operations.validate.search_pass import check_consistency, check_opensearch
from dataops.operations.validate.security_pass import check_security
from dataops.operations.validate.undo import FixSnapshot, UndoTally, saved_records, undo_batch, undo_prefix
from dataops.profiles.rules import CATEGORIES, Category
from dataops.stores.data_stores import DataStores

Target = Literal["files", "database", "opensearch", "consistency", "all"]


class ValidationFailed(DataOpsError):
    """Errors remain (or warnings, in strict mode); the message has the summary and the S3 report key."""

    code = "ValidationFailed"


class ValidateRequest(OperationRequest):
    action: Literal["run"] = "run"
    target: Target = Field(default="all", description="files | database | opensearch | consistency | all")
    categories: list[Category] | None = Field(default=None, description="Only these categories (default: all).")
    entities: list[str] | None = Field(default=None, description="Only these entities (default: all).")
    fix_issues: bool = Field(default_factory=lambda: behaviour_defaults().fix_issues, description="env FIX_ISSUES")
    strict_mode: bool = Field(default_factory=lambda: behaviour_defaults().strict_mode, description="env STRICT_MODE")
    sample_limit: int = Field(default=100, ge=1, le=1000, description="Issues and fixes listed in the result.")
    store_report: bool = Field(
        default=True,
        description="Store the full report in S3 (reports/validation/...); never in a dry run. A run that writes "
        "fixes stores it regardless: `undo-fix` names it.",
    )
    paths: list[str] = Field(default=[], description="files target: JSON-lines files, or s3://<key> in the bucket.")
    sample_per_entity: int | None = Field(
        default=None, ge=1, description="Check at most N records per entity (a quick check); PostgreSQL references "
        "and orphans are still answered for every row by the server."
    )  # fmt: skip

    @field_validator("categories")
    @classmethod
    def _categories_not_empty(cls, value: list[Category] | None) -> list[Category] | None:
        if value is not None and not value:
            raise ValueError(f"give at least one category; valid: {', '.join(CATEGORIES)}")
        return value


class UndoFixes(OperationRequest):
    """Put back every record a validation's fixes changed, as saved before the fix; a record changed since is
    left as it is and named."""

    action: Literal["undo-fix"]
    report: str = Field(
        min_length=1, description="The validation's report key, reports/validation/....jsonl, as its result names it."
    )


class ValidateOutput(ActionOutput):
    # run's; an undo-fix leaves them empty.
    target: Target | None = None
    passed: bool | None = None
    strict: bool = False
    summary: dict[str, Any] = {}
    issues: list[ValidationIssue] = []
    fixes: list[AppliedFix] = []
    report_key: str | None = None
    undo_prefix: str | None = Field(
        default=None, description="Where the records the fixes changed were saved; `undo-fix <report_key>` uses it."
    )


class ValidateResult(OperationResult, ValidateOutput):
    pass


def check_request(request: ValidateRequest, stores: DataStores) -> None:
    """Entity names are checked against the profile before anything runs (and before any lock)."""
    for name in request.entities or []:
        stores.profile.entity(name)
    if request.paths and request.target not in ("files", "all"):
        raise InvalidRequest.for_field("paths", f"only the files and all targets read paths, not {request.target!r}")


def run_validation(
    request: ValidateRequest, stores: DataStores, snapshot: FixSnapshot | None = None
) -> tuple[ValidationContext, IssueLog]:
    """Run the request's passes and return the filled log; the caller reports, stores and decides."""
    log = IssueLog(request.sample_limit)
    categories: set[str] = set(request.categories or CATEGORIES)
    entities = set(request.entities or (entity.name for entity in stores.profile.entities))
    context = ValidationContext(
        stores=stores,
        categories=categories,
        entities=entities,
        checker=RecordChecker(stores.profile, categories),
        log=log,
        fixes=FixPlan(stores, log, apply=request.fix_issues and not request.dry_run, snapshot=snapshot),
        fix=request.fix_issues,
        sample_per_entity=request.sample_per_entity,
    )
    profile = stores.profile
    target = request.target
    if target in ("files", "all") and (request.paths or target == "files"):
        check_files(context, request.paths)
    if target in ("database", "all"):
        if profile.uses_dynamodb:
            check_dynamodb(context)
        if profile.uses_postgres:
            check_postgres(context)
        if categories & {"security"}:
            check_security(context)
    if target in ("opensearch", "all") and profile.uses_opensearch:
        check_opensearch(context)
    if target in ("consistency", "all") and profile.uses_opensearch and "consistency" in categories:
        check_consistency(context)
    return context, log


def run_validate(request: ValidateRequest, stores: DataStores) -> ValidateOutput:
    started_at = utc_now()
    run_name = f"{started_at:%Y/%m/%d/%H%M%S}-{request.target}-{uuid.uuid4().hex[:8]}"
    writes_fixes = request.fix_issues and not request.dry_run
    snapshot = FixSnapshot(stores, f"{VALIDATION_REPORT_PREFIX}/{run_name}.jsonl") if writes_fixes else None
    context, log = run_validation(request, stores, snapshot)
    try:
        errors = log.unresolved("error")
        warnings = log.unresolved("warning")
        passed = errors == 0 and (warnings == 0 or not request.strict_mode)
        summary = log.summary()
        report_key = None
        # A dry run writes nothing, its report included: the bounded sample in the result is all it returns.
        if request.store_report and request.dry_run:
            context.warnings.append("full report not stored (dry run); the result holds the issue sample")
        elif request.store_report or writes_fixes:
            report_key = f"{VALIDATION_REPORT_PREFIX}/{run_name}.jsonl"
            header = {
                "profile": stores.profile.name, "target": request.target, "started_at": started_at.isoformat(),
                "strict": request.strict_mode, "fix": request.fix_issues, "dry_run": request.dry_run,
                "passed": passed, "checked": context.checked, **summary,
                "undo": snapshot.prefix if snapshot is not None and snapshot.records else None,
            }  # fmt: skip
            log.store(stores.backups, report_key, header)
    finally:
        log.close()
    # A dry run reports (passed=false) instead of failing, so its planned fixes can be read in the result.
    if not passed and not request.dry_run:
        strict = " (strict mode: warnings count)" if request.strict_mode and warnings else ""
        raise ValidationFailed(
            f"validation of {stores.profile.name} ({request.target}) failed{strict}: {errors} error(s), "
            f"{warnings} warning(s) unresolved of {summary['total']} issue(s); top rules: "
            f"{', '.join(f'{rule} x{count}' for rule, count in list(summary['by_rule'].items())[:3])}; "
            f"full report: s3://{stores.backups.bucket}/{report_key}"
            if report_key
            else f"validation of {stores.profile.name} failed: {errors} error(s), {warnings} warning(s)"
        )
    return ValidateOutput(
        counts={**{f"checked_{store}": count for store, count in context.checked.items()}, **summary["by_severity"]},
        warnings=context.warnings,
        target=request.target,
        passed=passed,
        strict=request.strict_mode,
        summary=summary,
        issues=log.issues,
        fixes=log.fixes,
        report_key=report_key,
        undo_prefix=snapshot.prefix if snapshot is not None and snapshot.records else None,
    )


def undo_fixes(request: UndoFixes, stores: DataStores) -> ValidateOutput:
    tally = UndoTally()
    for batch in saved_records(stores, request.report):
        undo_batch(stores, batch, tally, write=not request.dry_run)
    return ValidateOutput(
        counts=tally.counts(),
        warnings=tally.warnings(),
        report_key=request.report,
        undo_prefix=undo_prefix(request.report),
    )


VALIDATE: Operation[Any, ValidateResult] = Operation(
    name="validate",
    result_model=ValidateResult,
    actions=(
        Action(ValidateRequest, run_validate, mutates=lambda request: request.fix_issues, check=check_request),
        Action(UndoFixes, undo_fixes, mutates=True),
    ),
    default_action="run",
    lock_lease_seconds=900,
)
