"""The seed's "Data Validation" health check: a quick validation (schema, references, orphans) of the data stores,
without fixes or a stored report. Errors fail the check, warnings warn it."""

from __future__ import annotations

from dataops.operations.health.registry import CheckOutcome, health_check
from dataops.operations.validate import ValidateRequest, run_validation
from dataops.stores.data_stores import DataStores

QUICK_CATEGORIES = ["schema", "referential", "orphans"]


def quick_validation_counts(stores: DataStores) -> dict[str, int]:
    """Issue counts by severity (plus records checked) of a quick validation; shared with `monitor check`."""
    request = ValidateRequest(
        target="database", categories=QUICK_CATEGORIES, fix_issues=False, strict_mode=False,
        store_report=False, sample_limit=5, dry_run=True,
    )  # fmt: skip
    context, log = run_validation(request, stores)
    log.close()
    return {
        "errors": log.by_severity["error"],
        "warnings": log.by_severity["warning"],
        "records": sum(context.checked.values()),
    }


@health_check("Data Validation")
def data_validation(stores: DataStores) -> CheckOutcome:
    counts = quick_validation_counts(stores)
    message = f"{counts['errors']} error(s), {counts['warnings']} warning(s) in {counts['records']} record(s)"
    if counts["errors"]:
        return CheckOutcome("fail", message, counts)
    if counts["warnings"]:
        return CheckOutcome("warn", message, counts)
    return CheckOutcome("pass", message, counts)
