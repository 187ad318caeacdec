"""The seed's "Data Validation" health check: a quick validation (schema, references, orphans) of the data stores,
without fixes or a stored report. Errors fail the check, warnings warn it.

It is bounded: schema and rules read at most `VALIDATION_SAMPLE` records per entity (default 5000), the most
recently changed first in PostgreSQL, and the message says when it sampled. PostgreSQL references and orphans are
still answered for every row by anti-joins in the server; a full check is `dataops validate`.
"""

from __future__ import annotations

from typing import Any

from dataops.checks import CheckOutcome
from dataops.config import behaviour_defaults
from dataops.operations.validate import ValidateRequest, run_validation
from dataops.stores.data_stores import DataStores

QUICK_CATEGORIES = ["schema", "referential", "orphans"]


def quick_validation_counts(stores: DataStores, sample: int | None = None) -> dict[str, Any]:
    """Issue counts by severity, records checked and, per sampled entity, checked and (about) total records;
    shared with `monitor check`."""
    request = ValidateRequest(
        target="database", categories=QUICK_CATEGORIES, fix_issues=False, strict_mode=False,
        store_report=False, sample_limit=5, dry_run=True,
        sample_per_entity=sample or behaviour_defaults().validation_sample,
    )  # fmt: skip
    context, log = run_validation(request, stores)
    log.close()
    sampled = {name: coverage for name, coverage in sorted(context.coverage.items()) if coverage.sampled}
    return {
        "errors": log.by_severity["error"],
        "warnings": log.by_severity["warning"],
        "records": sum(context.checked.values()),
        "sample_per_entity": request.sample_per_entity,
        "sampled": {
            name: {"checked": coverage.checked, "total": coverage.total, "estimated": coverage.estimated}
            for name, coverage in sampled.items()
        },
        "coverage": "; ".join(coverage.describe(name) for name, coverage in sampled.items()),
    }


def data_validation(stores: DataStores) -> CheckOutcome:
    counts = quick_validation_counts(stores)
    message = f"{counts['errors']} error(s), {counts['warnings']} warning(s) in {counts['records']} record(s)"
    if counts["sampled"]:
        message += f" (a sample: {counts['coverage']}; run validate for all)"
    if counts["errors"]:
        return CheckOutcome("fail", message, counts)
    if counts["warnings"]:
        return CheckOutcome("warn", message, counts)
    return CheckOutcome("pass", message, counts)
