"""A restore, an import or a reset of tattoo_directory says `succeeded` only once OpenSearch equals DynamoDB, and
the stream's late records of that rewrite cannot undo the index afterwards (real DynamoDB and OpenSearch)."""

from __future__ import annotations

from typing import Any

import pytest

from dataops.backup import loaders
from dataops.compare import compare_entity
from dataops.operations.backup import BACKUP
from dataops.operations.reset import RESET
from dataops.operations.restore import RESTORE
from dataops.operations.sync.stream import handle_stream_batch
from dataops.reconcile.settle import settle_indexes
from dataops.records import document_for, record_from_item
from tests.integration.backup_support import dynamodb_snapshot
from tests.integration.test_sync_stream import stream_record
from tests.sync_support import artist, artist_item, search_snapshot, seed_artists

pytestmark = pytest.mark.integration


@pytest.fixture
def tattoo(provisioned):
    return provisioned("tattoo_directory")


def run(operation, payload: dict[str, Any], stores) -> dict[str, Any]:
    return dict(operation.run(operation.parse(payload), stores).to_event())


def artist_key(number: int) -> dict[str, str]:
    return {"PK": f"ARTIST#artist-{number:05d}", "SK": "PROFILE"}


def damage(stores, items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Delete three artists, edit two in both stores, and index a stray document; return the damaged items."""
    index = stores.search_indexes()["artist"]
    stores.table.batch_delete([artist_key(n) for n in (1, 2, 3)])
    for n in (1, 2, 3):
        stores.search.client.delete(index=index, id=f"artist-{n:05d}")
    edited = [artist_item(stores, artist(n, artistName="Damaged", updatedAt="2026-06-01T00:00:00Z")) for n in (4, 5)]
    stores.table.batch_write(edited)
    entity = stores.profile.entity("artist")
    for item in edited:
        doc_id, document = document_for(entity, record_from_item(stores.profile, item))
        stores.search.client.index(index=index, id=doc_id, body=document)
    stores.search.client.index(index=index, id="artist-09999", body={"artistId": "artist-09999"})
    stores.search.refresh(index)
    return [*items[1:4], *edited]


def test_settling_repairs_every_kind_of_difference_from_the_table(tattoo):
    seed_artists(tattoo, 30)
    index = tattoo.search_indexes()["artist"]
    tattoo.search.client.delete(index=index, id="artist-00001")
    tattoo.search.client.update(index=index, id="artist-00002", body={"doc": {"artistName": "Hand Edit"}})
    tattoo.search.client.index(index=index, id="artist-09999", body={"artistId": "artist-09999"})
    tattoo.search.refresh(index)
    table = dynamodb_snapshot(tattoo)

    settlement = settle_indexes(tattoo, [tattoo.profile.entity("artist")], pause_seconds=0.1)
    assert settlement.agreed and settlement.comparisons == 2
    assert dict(settlement.repairs) == {"created": 1, "updated": 1, "deleted": 1}
    assert list(compare_entity(tattoo, "artist")) == []
    assert dynamodb_snapshot(tattoo) == table, "settling never writes the table"


def test_settling_gives_up_with_the_keys_when_a_difference_cannot_be_repaired(tattoo):
    """A document holding a later version than its item refuses DynamoDB's side: settling stops once nothing moves,
    well before its timeout, and names the key."""
    seed_artists(tattoo, 5)
    index = tattoo.search_indexes()["artist"]
    tattoo.search.index_at_version(index, "artist-00003", {"artistId": "artist-00003", "artistName": "Ahead"}, 10**18)
    tattoo.search.refresh(index)

    settlement = settle_indexes(tattoo, [tattoo.profile.entity("artist")], pause_seconds=0.1, timeout_seconds=60)
    assert not settlement.agreed and settlement.seconds < 10
    assert [(d.key, d.kind) for d in settlement.remaining] == [("artist-00003", "different")]
    assert "artist artist-00003 (different)" in settlement.failure()
    assert settlement.details()["differing"][0]["key"] == "artist-00003"


def test_a_restore_succeeds_with_the_index_equal_and_late_stream_records_change_nothing(tattoo):
    items = seed_artists(tattoo, 40)
    original = search_snapshot(tattoo)
    backup = run(BACKUP, {"action": "create", "name": "before-damage"}, tattoo)["backup"]["backup_id"]
    damaged = damage(tattoo, items)

    restored = run(RESTORE, {"backup": backup, "safety_backup": False}, tattoo)
    assert restored["status"] == "succeeded", restored
    assert restored["details"]["index"]["agreed"] is True
    assert search_snapshot(tattoo) == original
    # The restore's writes reach the stream function afterwards: a delete of each damaged item, a put of each
    # restored one. Applied now, they change nothing.
    late = [stream_record("REMOVE", old=item) for item in damaged] + [stream_record("INSERT", new=i) for i in items]
    assert handle_stream_batch({"Records": late}, None, tattoo) == {"batchItemFailures": []}
    tattoo.search.refresh(tattoo.search_indexes()["artist"])
    assert search_snapshot(tattoo) == original
    assert list(compare_entity(tattoo, "artist")) == []


def test_a_genuine_write_during_the_restore_ends_in_both_stores(tattoo, monkeypatch):
    """The application writes an artist after the restore put the items back, and the stream indexes it, just
    before the restore reloads the index from the backup (which does not hold it). Settling brings it back."""
    seed_artists(tattoo, 20)
    backup = run(BACKUP, {"action": "create", "name": "before-write"}, tattoo)["backup"]["backup_id"]
    genuine = artist_item(tattoo, artist(777, artistName="Written Meanwhile"))
    reload_index = loaders.restore_index

    def write_then_reload(stores, *args, **kwargs):
        stores.table.put(genuine)
        handle_stream_batch({"Records": [stream_record("INSERT", new=genuine)]}, None, stores)
        return reload_index(stores, *args, **kwargs)

    monkeypatch.setattr(loaders, "restore_index", write_then_reload)
    restored = run(RESTORE, {"backup": backup, "safety_backup": False}, tattoo)
    assert restored["status"] == "succeeded", restored
    assert restored["details"]["index"]["repaired"] == {"created": 1}
    assert (tattoo.table.get(artist_key(777)) or {}).get("artistName") == "Written Meanwhile"
    assert search_snapshot(tattoo)["artist-00777"]["artistName"] == "Written Meanwhile"
    assert list(compare_entity(tattoo, "artist")) == []


def test_without_settling_the_restore_leaves_the_index_as_the_backup_holds_it(tattoo):
    seed_artists(tattoo, 10)
    index = tattoo.search_indexes()["artist"]
    tattoo.search.client.index(index=index, id="artist-09999", body={"artistId": "artist-09999"}, refresh=True)
    with_stray = search_snapshot(tattoo)
    backup = run(BACKUP, {"action": "create", "name": "inconsistent"}, tattoo)["backup"]["backup_id"]

    exact = run(RESTORE, {"backup": backup, "safety_backup": False, "settle_index": False}, tattoo)
    assert exact["status"] == "succeeded" and "index" not in exact["details"]
    assert search_snapshot(tattoo) == with_stray
    settled = run(RESTORE, {"backup": backup, "safety_backup": False}, tattoo)
    assert settled["status"] == "succeeded" and settled["details"]["index"]["repaired"] == {"deleted": 1}
    assert "artist-09999" not in search_snapshot(tattoo)


def test_a_reset_state_ends_with_the_index_equal_to_the_table(tattoo):
    reached = run(RESET, {"action": "state", "state": "minimal"}, tattoo)
    assert reached["status"] == "succeeded", reached
    assert reached["details"]["index"]["agreed"] is True
    # The clear's late records (deletes of every item the seed put back) change nothing.
    items = list(tattoo.table.scan())
    before = search_snapshot(tattoo)
    late = [stream_record("REMOVE", old=item) for item in items if item["entity_type"] == "artist"]
    assert handle_stream_batch({"Records": late}, None, tattoo) == {"batchItemFailures": []}
    tattoo.search.refresh(tattoo.search_indexes()["artist"])
    assert search_snapshot(tattoo) == before and len(before) == 10
