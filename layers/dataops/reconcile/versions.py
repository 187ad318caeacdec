"""The external version rule every writer to OpenSearch shares (the stream function and the full syncs).

A document's version is its record's update timestamp in milliseconds, times VERSION_SCALE. The update
timestamp is chosen over the stream record's ApproximateCreationDateTime because it is known to the full sync
too (which reads items, not stream records) and it has millisecond precision, where stream records carry whole
seconds. Writes use `version_type=external_gte`: OpenSearch refuses (409) a version lower than the stored one,
so an older change can never overwrite a newer one, whoever writes it. An equal version is accepted, so a writer
that changes an item without moving its update timestamp still reaches the index (the stream delivers one key's
changes in order), and replaying the same change is idempotent.

The scale leaves room below the next change: an edit made in OpenSearch itself (internal versioning adds 1)
stays within the same change's block, and a forced write (`dynamo_wins`) can take the next version of that
block without claiming a later change. A delete takes the last version of its block.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from dataops.compare import parse_timestamp

VERSION_SCALE = 1000
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def change_millis(record: dict[str, Any], updated_at_attribute: str) -> int | None:
    """The record's update time in ms since the epoch; None when it keeps no readable update timestamp."""
    stamp = parse_timestamp(record.get(updated_at_attribute))
    if stamp is None:
        return None
    if stamp.tzinfo is None:
        stamp = stamp.replace(tzinfo=UTC)
    return (stamp - _EPOCH) // timedelta(milliseconds=1)


def document_version(record: dict[str, Any], updated_at_attribute: str) -> int | None:
    millis = change_millis(record, updated_at_attribute)
    return None if millis is None else millis * VERSION_SCALE


def deletion_version(old_record: dict[str, Any], updated_at_attribute: str) -> int | None:
    """Higher than the deleted state and its hand edits, lower than any later change of the same key."""
    millis = change_millis(old_record, updated_at_attribute)
    return None if millis is None else millis * VERSION_SCALE + VERSION_SCALE - 1


def same_change(stored_version: int, version: int) -> bool:
    """True when the stored version belongs to this change (or an older one): a forced write may replace it."""
    return stored_version // VERSION_SCALE <= version // VERSION_SCALE
