"""Writing documents to OpenSearch in bulk under the external version rule, with one outcome per change."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from dataops.reconcile.versions import recreation_version, same_change
from dataops.stores.opensearch import SearchStore

SearchOutcome = Literal["created", "updated", "deleted", "not_found", "stale", "failed"]
# Fewer, larger bulk requests: osmem-server and OpenSearch both pay per request (about 1.5 MB of artists).
BULK_CHUNK = 2000
CONFLICT = 409


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
    search: SearchStore, index: str, changes: Sequence[SearchChange], *, force: bool
) -> Iterator[SearchResult]:
    """One result per change, in order. 409 means a newer version is stored: `stale`, not a failure.

    With `force` (a full sync or a resolution that DynamoDB wins), a 409 whose stored version belongs to the
    same change (a hand edit in OpenSearch) is overwritten with the next version of that change's block.
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
            yield _force(search, index, change)
        elif status == CONFLICT:
            yield SearchResult(change, "stale")
        else:
            yield SearchResult(change, "failed", str(detail.get("error") or info))


def _written(detail: dict[str, Any]) -> SearchOutcome:
    return "created" if detail.get("result") == "created" else "updated"


def _force(search: SearchStore, index: str, change: SearchChange) -> SearchResult:
    assert change.version is not None and change.document is not None  # noqa: S101 - only versioned writes conflict
    stored = search.stored_version(index, change.key)
    if stored is not None and not same_change(stored, change.version):
        return SearchResult(change, "stale")
    # No document, yet the write conflicted: a delete's tombstone holds a version of this change's block (a hand
    # delete in OpenSearch). The item exists, so it is re-created one below the block's last version, which a
    # genuine delete of this change (deletion_version) still outranks.
    version = recreation_version(change.version) if stored is None else max(change.version, stored + 1)
    written = search.index_at_version(index, change.key, change.document, version)
    return SearchResult(change, "stale") if written is None else SearchResult(change, written)
