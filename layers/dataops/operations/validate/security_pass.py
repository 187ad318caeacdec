"""Security checks of the deployment: the backup bucket's encryption and public-access block, and secrets
kept in plain environment variables (reported by variable name, never by value)."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping

from dataops.operations.validate.context import ValidationContext
from dataops.operations.validate.report import ValidationIssue

SECRET_NAME = re.compile(r"(PASSWORD|PASSWD|SECRET|TOKEN|API_KEY|PRIVATE_KEY|CREDENTIAL)", re.IGNORECASE)
# Names that point at a secret rather than hold one, and the runtime's own temporary credentials.
NOT_A_SECRET = re.compile(r"(_ARN|_ID|_NAME|_PATH|_FILE|_ENDPOINT|_URL)$", re.IGNORECASE)
RUNTIME_CREDENTIALS = frozenset({"AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN"})
PUBLIC_ACCESS_SETTINGS = ("BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets")


def plain_secrets(environment: Mapping[str, str]) -> list[str]:
    return sorted(
        name
        for name, value in environment.items()
        if value and SECRET_NAME.search(name) and not NOT_A_SECRET.search(name) and name not in RUNTIME_CREDENTIALS
    )


def check_security(context: ValidationContext, environment: Mapping[str, str] | None = None) -> None:
    bucket = context.stores.backups.bucket
    if not context.stores.backups.default_encryption_rules():
        _issue(context, bucket, "s3.bucket-encryption", "error", f"backup bucket {bucket} has no default encryption")
    block = context.stores.backups.public_access_block()
    if open_settings := [name for name in PUBLIC_ACCESS_SETTINGS if not block.get(name)]:
        _issue(
            context, bucket, "s3.public-access-block", "error",
            f"backup bucket {bucket} does not block public access: {', '.join(open_settings)} off",
        )  # fmt: skip
    for name in plain_secrets(os.environ if environment is None else environment):
        context.report(
            ValidationIssue(
                entity="(environment)", key=name, store="environment", category="security",
                rule="environment.plain-secret", severity="warning",
                message=f"{name} holds a secret in plain text; keep it in Secrets Manager and pass its ARN",
            )
        )  # fmt: skip


def _issue(context: ValidationContext, bucket: str, rule: str, severity: str, message: str) -> None:
    context.report(
        ValidationIssue(
            entity="(backup bucket)", key=bucket, store="s3", category="security", rule=rule,
            severity=severity, message=message,
        )
    )  # fmt: skip
