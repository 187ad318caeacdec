"""Audit records: one per mutating operation, in the control table (who, what, parameters, result summary)."""

from __future__ import annotations

import getpass
import os
import uuid
from collections.abc import Iterator
from datetime import datetime
from typing import Any

from dataops.models import OperationResult, utc_now
from dataops.stores.dynamodb import DynamoTable

AUDIT_RETENTION_DAYS = 400


def current_actor() -> str:
    """The Lambda function when deployed, otherwise the local user running the CLI."""
    function = os.environ.get("AWS_LAMBDA_FUNCTION_NAME")
    if function:
        return f"lambda:{function}"
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):
        return "cli:unknown"


def audit_key(day: str) -> str:
    return f"AUDIT#{day}"


def record_audit(
    table: DynamoTable, *, actor: str, parameters: dict[str, Any], result: OperationResult, error: str | None = None
) -> dict[str, Any]:
    at = utc_now()
    record = {
        "PK": audit_key(at.strftime("%Y-%m-%d")),
        "SK": f"{at.isoformat()}#{uuid.uuid4().hex[:12]}",
        "record_type": "audit",
        "actor": actor,
        "operation": result.operation,
        "action": result.action,
        "profile": result.profile,
        "status": result.status.value,
        "parameters": parameters,
        "counts": dict(result.counts),
        "duration_ms": result.duration_ms,
        "at": at.isoformat(),
        "expires_at": int(at.timestamp()) + AUDIT_RETENTION_DAYS * 86400,
    }
    if error:
        record["error"] = error
    table.put(record)
    return record


def audit_records(table: DynamoTable, day: datetime) -> Iterator[dict[str, Any]]:
    yield from table.query("PK = :pk", {":pk": audit_key(day.strftime("%Y-%m-%d"))}, forward=False)
