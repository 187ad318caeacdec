"""A restore through the deployed function leaves the search index right when it returns, with the stream running.

The stage is damaged after a backup (artists deleted, and edited with a later update timestamp in both stores).
The restore's deletes and puts then reach the deployed stream function while and after the restore runs, and an
application write lands in the middle of it. When the call returns, OpenSearch equals the original; once the stream
has caught up (the application write is indexed, and the stream delivers one shard in order) it still does, and
`validate consistency` passes with the application's artist in both stores.
"""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest

from dataops.compare import compare_entity
from dataops.profiles import load_profile
from dataops.records import document_for, record_from_item
from dataops.stores.data_stores import DataStores
from tests.sync_support import artist, artist_item, search_snapshot

pytestmark = pytest.mark.e2e

# Enough artists that the restore's puts, index load and settling take a few seconds: the write lands in them.
NUMBERS = range(92001, 92401)
GENUINE = 92999
MARKER = 92998
WAIT_SECONDS = 90
# The restore rewrites every item of the shared stage, two stream records each. Measured with the full tattoo_directory
# seed in the stage (11,666 items): the deployed stream caught up 550 s after the restore returned (~42 records/s).
DRAIN_SECONDS = 900


def ok(invoke, operation: str, payload: dict[str, Any]) -> dict[str, Any]:
    response, result = invoke("tattoo_directory", operation, payload)
    assert "FunctionError" not in response, result
    return dict(result)


def key(number: int) -> dict[str, str]:
    return {"PK": f"ARTIST#artist-{number:05d}", "SK": "PROFILE"}


def until(check, what: str, seconds: float = WAIT_SECONDS, describe=None) -> None:
    deadline = time.monotonic() + seconds
    while not check():
        if time.monotonic() > deadline:
            pytest.fail(f"{what} within {seconds} s" + (f": {describe()} and more" if describe else ""))
        time.sleep(0.05)


def without(snapshot: dict[str, Any], *doc_ids: str) -> dict[str, Any]:
    return {doc_id: source for doc_id, source in snapshot.items() if doc_id not in doc_ids}


def test_a_restore_returns_with_the_index_right_and_the_stream_cannot_undo_it(invoke, settings):
    stores = DataStores(settings.model_copy(update={"profile": "tattoo_directory"}), load_profile("tattoo_directory"))
    seeded = [artist_item(stores, artist(n)) for n in NUMBERS]
    stores.table.batch_write(seeded)
    entity = stores.profile.entity("artist")
    index = stores.search_indexes()["artist"]
    # Indexed directly too, as a seed does; the stream's own records of these puts are harmless.
    stores.search.bulk(
        {"_index": index, "_id": doc_id, "_source": document}
        for doc_id, document in (document_for(entity, record_from_item(stores.profile, item)) for item in seeded)
    )
    until(lambda: not list(compare_entity(stores, "artist")), "the seeded artists in both stores")
    original = search_snapshot(stores)
    backup = ok(invoke, "backup", {"action": "create", "name": "before-index-damage"})["backup"]["backup_id"]

    stores.table.batch_delete([key(n) for n in NUMBERS[:3]])
    edited = [
        artist_item(stores, artist(n, artistName="Damaged", updatedAt="2026-06-01T00:00:00Z")) for n in NUMBERS[3:6]
    ]
    stores.table.batch_write(edited)
    for item in edited:
        doc_id, document = document_for(entity, record_from_item(stores.profile, item))
        stores.search.client.index(index=index, id=doc_id, body=document)
    # Only the stream deletes these documents, after whatever records other tests left it (seeds of the stage).
    damaged = [f"artist-{n:05d}" for n in NUMBERS[:3]]
    until(lambda: not stores.search.existing_ids(index, damaged), "the stream deleted the damage", DRAIN_SECONDS)

    outcome: dict[str, Any] = {}
    restore = threading.Thread(
        target=lambda: outcome.update(result=ok(invoke, "restore", {"backup": backup}), returned=time.monotonic())
    )
    restore.start()
    # The application writes once the restore has put the deleted artists back (past its clear, which would
    # delete the write like any other item the backup does not hold).
    until(lambda: stores.table.get(key(NUMBERS[0])) is not None or not restore.is_alive(), "the restore's puts")
    genuine = artist_item(stores, artist(GENUINE, artistName="Written During The Restore"))
    stores.table.put(genuine)
    written = time.monotonic()
    restore.join(timeout=600)

    at_return = search_snapshot(stores)
    result = outcome["result"]
    assert result["status"] == "succeeded", {name: result.get(name) for name in ("error", "details", "warnings")}
    assert result["details"]["index"]["agreed"] is True, result["details"]
    genuine_id = f"artist-{GENUINE:05d}"
    assert without(at_return, genuine_id) == original, "the index equals the original when the call returns"

    # Settling may have indexed the application's write itself, so its presence proves nothing about the stream. A
    # write made now is indexed by the stream alone, and one shard delivers in order: once it is in OpenSearch,
    # every record of the restore (two per item of the stage's table, which other tests fill) has been applied.
    stores.table.put(artist_item(stores, artist(MARKER, artistName="Written After The Restore")))
    returned = time.monotonic()
    marker_id = f"artist-{MARKER:05d}"
    until(lambda: bool(stores.search.existing_ids(index, [marker_id])), "the stream caught up", DRAIN_SECONDS)
    print(f"stream caught up {time.monotonic() - returned:.1f} s after the restore returned")
    assert without(search_snapshot(stores), genuine_id, marker_id) == original, "the late stream records undid nothing"
    assert (stores.table.get(key(GENUINE)) or {}).get("artistName") == "Written During The Restore"
    consistency = ok(invoke, "validate", {"action": "run", "target": "consistency"})
    assert consistency["passed"] is True, consistency.get("issues")
    assert list(compare_entity(stores, "artist")) == []
    print(f"write during restore: {outcome['returned'] > written}")

    stores.table.batch_delete([key(n) for n in [*NUMBERS, GENUINE, MARKER]])
    deleted = time.monotonic()
    remaining: list[Any] = []

    def cleaned_up() -> bool:
        remaining[:] = compare_entity(stores, "artist")
        return not remaining

    until(cleaned_up, "the cleanup reached OpenSearch", describe=lambda: [(d.key, d.kind) for d in remaining[:5]])
    print(f"cleanup reached OpenSearch after {time.monotonic() - deleted:.1f} s")
