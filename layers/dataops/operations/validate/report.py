"""The validation report: every issue is counted and spooled; a bounded sample travels in the result.

The full report goes to S3 as JSON lines (summary first, then one issue or fix per line), so its size never
limits what the Lambda can return.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from collections import Counter
from typing import IO, Any, Literal

from pydantic import BaseModel

from dataops.profiles.rules import Category, Severity
from dataops.stores.s3 import ObjectStore

SPOOL_BYTES = 4 * 1024 * 1024

Store = Literal["dynamodb", "postgres", "opensearch", "s3", "environment", "files"]


class ValidationIssue(BaseModel):
    entity: str
    key: str
    store: Store
    category: Category
    rule: str
    severity: Severity
    message: str
    fixable: bool = False
    field: str | None = None


class AppliedFix(BaseModel):
    """A repair: planned (dry run) or done."""

    entity: str
    key: str
    store: Store
    rule: str
    action: Literal["update", "delete", "index", "delete-document", "remove-references"]
    done: bool


class IssueLog:
    """Counts everything, keeps the first `sample_limit` issues and fixes, spools the rest for the S3 report."""

    def __init__(self, sample_limit: int) -> None:
        self.sample_limit = sample_limit
        self.issues: list[ValidationIssue] = []
        self.fixes: list[AppliedFix] = []
        self.by_severity: Counter[str] = Counter()
        self.by_category: Counter[str] = Counter()
        self.by_rule: Counter[str] = Counter()
        self.fixable = 0
        self.fixed = 0
        self.fixed_by_severity: Counter[str] = Counter()
        self.planned_fixes = 0
        self._spool: IO[str] = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES, mode="w+")  # noqa: SIM115

    def add(self, issue: ValidationIssue) -> None:
        self.by_severity[issue.severity] += 1
        self.by_category[issue.category] += 1
        self.by_rule[issue.rule] += 1
        self.fixable += issue.fixable
        if len(self.issues) < self.sample_limit:
            self.issues.append(issue)
        self._spool.write(json.dumps({"issue": issue.model_dump(mode="json")}) + "\n")

    def add_fix(self, fix: AppliedFix, severity: Severity) -> None:
        self.planned_fixes += 1
        if fix.done:
            self.fixed += 1
            self.fixed_by_severity[severity] += 1
        if len(self.fixes) < self.sample_limit:
            self.fixes.append(fix)
        self._spool.write(json.dumps({"fix": fix.model_dump(mode="json")}) + "\n")

    @property
    def total(self) -> int:
        return sum(self.by_severity.values())

    def unresolved(self, severity: Severity) -> int:
        """Issues of a severity still present: found minus fixed."""
        return self.by_severity[severity] - self.fixed_by_severity[severity]

    def summary(self) -> dict[str, Any]:
        return {
            "total": self.total,
            "by_severity": {severity: self.by_severity[severity] for severity in ("error", "warning", "info")},
            "by_category": dict(sorted(self.by_category.items())),
            "by_rule": dict(self.by_rule.most_common()),
            "fixable": self.fixable,
            "fixes_planned": self.planned_fixes,
            "fixed": self.fixed,
            "sample_complete": self.total <= self.sample_limit,
        }

    def store(self, objects: ObjectStore, key: str, header: dict[str, Any]) -> None:
        """Upload summary + every issue and fix as JSON lines, streamed from the spool."""
        self._spool.seek(0)
        with tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES, mode="w+b") as body:
            body.write((json.dumps({"summary": header}, default=str) + "\n").encode())
            with _TextToBytes(self._spool) as source:
                shutil.copyfileobj(source, body)
            body.seek(0)
            objects.upload_stream(key, body, extra={"ContentType": "application/x-ndjson"})

    def close(self) -> None:
        self._spool.close()


class _TextToBytes:
    """Reads a text spool as UTF-8 bytes for copyfileobj, chunk by chunk."""

    def __init__(self, text: IO[str]) -> None:
        self._text = text

    def __enter__(self) -> _TextToBytes:
        return self

    def __exit__(self, *_: object) -> None:
        return None

    def read(self, size: int = 65536) -> bytes:
        return self._text.read(size).encode()
