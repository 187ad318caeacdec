"""Writing documents to OpenSearch in bulk under the external version rule, with one outcome per change."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from dataops.reconcile.versions import same_change
from dataops.stores.opensearch import SearchStore

SearchOutcome = Literal["created", "updated", "deleted", "not_found", "stale", "failed"]
# Fewer, larger bulk requests: osmem-server and OpenSearch both pay per request (about 1.5 MB of artists).
BULK_CHUNK = 2000
CONFLICT = 409
# The document of the change's key as the table holds it now (consistent read), or None when the item is gone.
CurrentDocument = Callable[["SearchChange"], "dict[str, Any] | None"]


@dataclass(frozen=True)
class SearchChange:
    """Index `document` under `key` (or delete the key when `document` is None), at `version` when known."""

    key: str
    document: dict[str, Any] | None
    version: int | None


@dataclass(frozen=True)
class SearchResult:
    change: SearchChange
    outcome: SearchOutcome
    error: str | None = None


def _action(index: str, change: SearchChange) -> dict[str, Any]:
    action: dict[str, Any] = {"_index": index, "_id": change.key}
    if change.document is None:
        action["_op_type"] = "delete"
    else:
        action["_op_type"] = "index"
        action["_source"] = change.document
    if change.version is not None:
        action["version"] = change.version
        action["version_type"] = "external_gte"
    return action


def apply_search_changes(
    search: SearchStore,
    index: str,
    changes: Sequence[SearchChange],
    *,
    force: bool,
    current: CurrentDocument | None = None,
) -> Iterator[SearchResult]:
    """One result per change, in order. 409 means a newer version is stored: `stale`, not a failure.

    With `force` (a full sync or a resolution that DynamoDB wins), a 409 whose stored version belongs to the
    same change (a hand edit in OpenSearch) is overwritten with the next version of that change's block, and a
    409 on an absent document (a delete's tombstone) re-creates it from `current`, when the item still exists.
    """
    results = search.bulk_each((_action(index, change) for change in changes), chunk_size=BULK_CHUNK)
    for change, (ok, info) in zip(changes, results, strict=True):
        detail: dict[str, Any] = next(iter(info.values()), {}) if isinstance(info, dict) else {}
        status = detail.get("status")
        if ok:
            yield SearchResult(change, "deleted" if change.document is None else _written(detail))
        elif status == 404 and change.document is None:
            yield SearchResult(change, "not_found")
        elif status == CONFLICT and force and change.document is not None and change.version is not None:
            yield _force(search, index, change, current)
        elif status == CONFLICT:
            yield SearchResult(change, "stale")
        else:
            yield SearchResult(change, "failed", str(detail.get("error") or info))


def _written(detail: dict[str, Any]) -> SearchOutcome:
    return "created" if detail.get("result") == "created" else "updated"


def _force(search: SearchStore, index: str, change: SearchChange, current: CurrentDocument | None) -> SearchResult:
    assert change.version is not None and change.document is not None  # noqa: S101 - only versioned writes conflict
    stored = search.stored_version(index, change.key)
    if stored is not None:
        if not same_change(stored, change.version):
            return SearchResult(change, "stale")
        written = search.index_at_version(index, change.key, change.document, max(change.version, stored + 1))
        return SearchResult(change, "stale") if written is None else SearchResult(change, written)
    # No document, yet the write conflicted: a delete's tombstone is stored, at a version nobody can read back. It
    # may be a genuine delete (the stream's, above every write of the change) or a hand delete of a document at any
    # version of the block, up to the next block when the stream had re-created it at the last one. No version is
    # known to outrank the second and not the first, so the item itself decides: read right now, it is re-created
    # unversioned (one above the tombstone) when it exists, and a genuine delete is never undone.
    # The cost: a tombstone in the next block puts the document there too, so a change made within that next
    # millisecond would be refused as stale.
    document = current(change) if current is not None else None
    if document is None:
        return SearchResult(change, "stale")
    written = search.index_at_version(index, change.key, document, None)
    return SearchResult(change, "stale") if written is None else SearchResult(change, written)
