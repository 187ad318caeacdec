"""Deterministic PII masking: the same value always becomes the same mask (HMAC-SHA256 under one key), so an
export shared with a lower environment keeps its joins and duplicates while the people in it stay unknown.
"""

from __future__ import annotations

import hashlib
import hmac
import os
from typing import Any

# The default key makes masks stable across runs and machines; set PII_MASK_KEY so they cannot be reversed by
# hashing guessed names.
DEFAULT_MASK_KEY = "dataops-pii-mask"


def mask_key() -> tuple[bytes, bool]:
    """(key, True when it is the built-in default)."""
    configured = os.environ.get("PII_MASK_KEY")
    return (configured or DEFAULT_MASK_KEY).encode(), not configured


def mask_value(value: str, key: bytes) -> str:
    digest = hmac.new(key, value.encode(), hashlib.sha256).hexdigest()
    if "@" in value.strip("@") and "." in value.rsplit("@", 1)[-1]:
        return f"user-{digest[:12]}@example.invalid"
    if value.startswith("@"):
        return f"@user_{digest[:10]}"
    return f"masked-{digest[:12]}"


def mask_record(record: dict[str, Any], fields: tuple[str, ...], key: bytes) -> dict[str, Any]:
    """A plain record (PostgreSQL row, OpenSearch document) with its PII string fields masked."""
    masked = dict(record)
    for field in fields:
        if isinstance(masked.get(field), str):
            masked[field] = mask_value(masked[field], key)
    return masked


def mask_item(item: dict[str, Any], fields: tuple[str, ...], key: bytes) -> dict[str, Any]:
    """A DynamoDB item in wire format with its PII string attributes masked."""
    masked = dict(item)
    for field in fields:
        value = masked.get(field)
        if isinstance(value, dict) and isinstance(value.get("S"), str):
            masked[field] = {"S": mask_value(value["S"], key)}
    return masked
