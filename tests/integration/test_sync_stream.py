"""Stream sync on real OpenSearch: changes land, deletes land, old records never regress a document, late records
of a rewrite (a restore's deletes and puts) never undo the index, one bad record is reported alone, and a full
sync racing the stream cannot overwrite a newer change.

A stream record exists because the table changed, so each test makes the change in DynamoDB first (`changed`);
the handler indexes the key's current item, whatever the record's image says."""

from __future__ import annotations

import itertools
from typing import Any

import pytest

from dataops.compare import RecordDifference, compare_entity
from dataops.operations.sync.stream import handle_stream_batch
from dataops.reconcile.resolve import resolve
from dataops.records import document_for, record_from_item
from dataops.stores.dynamodb import to_dynamo
from tests.sync_support import artist, artist_item, search_snapshot

pytestmark = pytest.mark.integration

_sequence = itertools.count(1000)


@pytest.fixture
def tattoo(provisioned):
    return provisioned("tattoo_directory")


def stream_record(name: str, new: dict[str, Any] | None = None, old: dict[str, Any] | None = None) -> dict[str, Any]:
    image = new or old or {}
    body: dict[str, Any] = {
        "Keys": to_dynamo({"PK": image["PK"], "SK": image["SK"]}),
        "SequenceNumber": str(next(_sequence)),
        "ApproximateCreationDateTime": 1767323045,
        "StreamViewType": "NEW_AND_OLD_IMAGES",
    }
    if new:
        body["NewImage"] = to_dynamo(new)
    if old:
        body["OldImage"] = to_dynamo(old)
    return {"eventID": body["SequenceNumber"], "eventName": name, "eventSource": "aws:dynamodb", "dynamodb": body}


def changed(stores, name: str, new: dict[str, Any] | None = None, old: dict[str, Any] | None = None) -> dict[str, Any]:
    """Make the change in the table, and return the stream record it produces."""
    if name == "REMOVE":
        stores.table.batch_delete([{"PK": old["PK"], "SK": old["SK"]}])  # type: ignore[index]
    else:
        stores.table.put(new)
    return stream_record(name, new=new, old=old)


def apply(stores, *records: dict[str, Any]) -> dict[str, Any]:
    response = handle_stream_batch({"Records": list(records)}, None, stores)
    stores.search.refresh(stores.search_indexes()["artist"])
    return response


def test_put_update_delete_reach_opensearch_and_old_records_do_not_regress(tattoo):
    first = artist_item(tattoo, artist(1))
    second = artist_item(tattoo, artist(1, rating=3.5, updatedAt="2026-02-01T00:00:00Z"))
    assert apply(tattoo, changed(tattoo, "INSERT", new=first)) == {"batchItemFailures": []}
    assert search_snapshot(tattoo)["artist-00001"]["rating"] == 4.5

    assert apply(tattoo, changed(tattoo, "MODIFY", new=second, old=first)) == {"batchItemFailures": []}
    assert search_snapshot(tattoo)["artist-00001"]["rating"] == 3.5

    # A late replay of the insert indexes the current item, so the document keeps the newer change.
    assert apply(tattoo, stream_record("INSERT", new=first)) == {"batchItemFailures": []}
    assert search_snapshot(tattoo)["artist-00001"]["rating"] == 3.5

    assert apply(tattoo, changed(tattoo, "REMOVE", old=second)) == {"batchItemFailures": []}
    assert "artist-00001" not in search_snapshot(tattoo)
    # The update replayed after the delete does not bring the document back: the table no longer has the item.
    assert apply(tattoo, stream_record("MODIFY", new=second, old=first)) == {"batchItemFailures": []}
    assert "artist-00001" not in search_snapshot(tattoo)


def test_an_item_cleared_and_seeded_again_with_the_same_timestamp_comes_back(tattoo):
    """A reset deletes an item and seeds it again unchanged: the late delete must not keep the document away."""
    item = artist_item(tattoo, artist(5))
    removed = changed(tattoo, "REMOVE", old=item)
    assert apply(tattoo, removed) == {"batchItemFailures": []}
    assert "artist-00005" not in search_snapshot(tattoo)
    assert apply(tattoo, changed(tattoo, "INSERT", new=item)) == {"batchItemFailures": []}
    assert search_snapshot(tattoo)["artist-00005"]["rating"] == 4.5


def test_late_records_of_a_rewrite_never_undo_the_index(tattoo):
    """A restore deletes every item and puts the backup's back, then loads the index; the stream delivers the
    deletes and puts minutes later. None of them may take a restored document away, or bring back a deleted one."""
    kept = [artist_item(tattoo, artist(n)) for n in (10, 11, 12)]
    dropped = artist_item(tattoo, artist(13))
    newer = {
        n: artist_item(tattoo, artist(n, artistName="Damaged", updatedAt="2026-06-01T00:00:00Z")) for n in (10, 11)
    }
    tattoo.table.batch_write(kept)
    # What the restore's writes produce, in order: a delete of each current item, then a put of each backup item.
    late = [stream_record("REMOVE", old=item) for item in [*newer.values(), kept[2], dropped]]
    late += [stream_record("INSERT", new=item) for item in kept]
    # The restore loaded the index from the backup before any of these records arrived.
    entity = tattoo.profile.entity("artist")
    index = tattoo.search_indexes()["artist"]
    tattoo.search.bulk(
        {"_index": index, "_id": doc_id, "_source": document}
        for doc_id, document in (document_for(entity, record_from_item(tattoo.profile, item)) for item in kept)
    )
    tattoo.search.refresh(index)
    before = search_snapshot(tattoo)

    assert apply(tattoo, *late) == {"batchItemFailures": []}
    assert search_snapshot(tattoo) == before
    assert list(compare_entity(tattoo, "artist")) == []
    # A replayed put of an item the restore did not bring back deletes its document instead of resurrecting it.
    assert apply(tattoo, stream_record("INSERT", new=dropped)) == {"batchItemFailures": []}
    assert "artist-00013" not in search_snapshot(tattoo)


def test_a_bad_record_is_reported_alone_and_other_entities_are_ignored(tattoo):
    good = artist_item(tattoo, artist(2))
    bad = {**artist_item(tattoo, artist(3)), "rating": "not a number"}
    studio = {"PK": "STUDIO#s1", "SK": "PROFILE", "entity_type": "studio", "studioId": "s1"}
    records = [changed(tattoo, "INSERT", new=item) for item in (good, bad, studio)]
    response = apply(tattoo, *records)
    assert response == {"batchItemFailures": [{"itemIdentifier": records[1]["dynamodb"]["SequenceNumber"]}]}
    assert set(search_snapshot(tattoo)) == {"artist-00002"}


def test_a_full_sync_that_read_an_older_item_cannot_overwrite_a_newer_stream_change(tattoo):
    old_item = artist_item(tattoo, artist(4))
    new_item = artist_item(tattoo, artist(4, artistName="Renamed", updatedAt="2026-03-01T00:00:00Z"))
    tattoo.table.put(new_item)
    apply(tattoo, stream_record("MODIFY", new=new_item, old=old_item))
    # What a full sync would hold if its scan had read the item before the change.
    stale = RecordDifference(
        entity="artist",
        key="artist-00004",
        kind="different",
        fields=["artistName", "updatedAt"],
        newer="dynamodb",
        dynamodb_record=record_from_item(tattoo.profile, old_item),
    )
    entity = tattoo.profile.entity("artist")
    (resolution,) = resolve(tattoo, entity, [stale], lambda _d: ("dynamodb", "test"), dry_run=False)
    assert resolution.outcome == "skipped_newer"
    assert search_snapshot(tattoo)["artist-00004"]["artistName"] == "Renamed"
    assert list(compare_entity(tattoo, "artist")) == []


def test_a_change_that_keeps_its_update_timestamp_still_reaches_opensearch(tattoo):
    first = artist_item(tattoo, artist(5))
    same_stamp = artist_item(tattoo, artist(5, reviewCount=77))
    apply(tattoo, changed(tattoo, "INSERT", new=first))
    assert apply(tattoo, changed(tattoo, "MODIFY", new=same_stamp, old=first)) == {"batchItemFailures": []}
    assert search_snapshot(tattoo)["artist-00005"]["reviewCount"] == 77


def test_opensearch_winning_never_overwrites_an_item_changed_after_the_comparison(tattoo):
    compared = artist_item(tattoo, artist(6))
    changed_since = artist_item(tattoo, artist(6, rating=1.0, updatedAt="2026-05-01T00:00:00Z"))
    tattoo.table.put(changed_since)
    entity = tattoo.profile.entity("artist")
    _, edited = document_for(entity, {**record_from_item(tattoo.profile, compared), "artistName": "From Search"})
    stale = RecordDifference(
        entity="artist",
        key="artist-00006",
        kind="different",
        fields=["artistName"],
        newer="opensearch",
        dynamodb_record=record_from_item(tattoo.profile, compared),
        opensearch_document=edited,
    )
    (resolution,) = resolve(tattoo, entity, [stale], lambda _d: ("opensearch", "test"), dry_run=False)
    assert resolution.outcome == "skipped_changed"
    stored = tattoo.table.get({"PK": "ARTIST#artist-00006", "SK": "PROFILE"})
    assert stored is not None and stored["artistName"] == "Artist 6" and stored["rating"] == 1
