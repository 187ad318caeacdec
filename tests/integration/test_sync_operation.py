"""`sync` on real stores: hand-made drift is detected exactly, each strategy resolves as named, dry runs write
nothing, full syncs both ways, sync points catch drift, and bad input is refused before anything is written."""

from __future__ import annotations

from typing import Any

import pytest

from dataops.compare import canonical, compare_entity
from dataops.errors import InvalidRequest
from dataops.operations.sync import SYNC
from dataops.reconcile.resolve import chooser, resolve
from dataops.reconcile.versions import deletion_version
from dataops.records import document_for, record_from_item
from tests.sync_support import artist, artist_item, search_snapshot, seed_artists, table_snapshot

pytestmark = pytest.mark.integration

LATER = "2027-06-01T00:00:00Z"


@pytest.fixture
def tattoo(provisioned):
    return provisioned("tattoo_directory")


def run(stores, **payload: Any) -> dict[str, Any]:
    return SYNC.run(SYNC.parse(payload), stores).to_event()


def make_drift(stores) -> None:
    """Two edits on each side, a delete on each side, an add on each side (one complete, one not)."""
    seed_artists(stores, 20)
    index = stores.search_indexes()["artist"]
    client = stores.search.client
    stores.table.put(artist_item(stores, artist(1, rating=1.5, updatedAt=LATER)))  # DynamoDB newer
    stores.table.put(artist_item(stores, artist(2, artistName="Older DynamoDB Edit")))  # same timestamp: tie
    stores.table.batch_delete([{"PK": "ARTIST#artist-00003", "SK": "PROFILE"}])
    stores.table.put(artist_item(stores, artist(600)))
    client.update(index=index, id="artist-00004", body={"doc": {"bookingOpen": False, "updatedAt": LATER}})
    client.update(index=index, id="artist-00005", body={"doc": {"reviewCount": 999, "updatedAt": LATER}})
    client.delete(index=index, id="artist-00006")
    _, complete = document_for(stores.profile.entity("artist"), artist(700, updatedAt=LATER))
    client.index(index=index, id="artist-00700", body=complete)
    client.index(index=index, id="artist-00800", body={"artistId": "artist-00800", "artistName": "Partial"})
    client.indices.refresh(index=index)


EXPECTED_DRIFT = {
    "artist-00001": ("different", "dynamodb"),
    "artist-00002": ("different", "same"),
    "artist-00003": ("missing_in_dynamodb", "opensearch"),
    "artist-00600": ("missing_in_opensearch", "dynamodb"),
    "artist-00004": ("different", "opensearch"),
    "artist-00005": ("different", "opensearch"),
    "artist-00006": ("missing_in_opensearch", "dynamodb"),
    "artist-00700": ("missing_in_dynamodb", "opensearch"),
    "artist-00800": ("missing_in_dynamodb", "opensearch"),
}


def remaining(stores) -> set[str]:
    return {difference.key for difference in compare_entity(stores, "artist")}


def test_detect_conflicts_finds_exactly_the_hand_made_drift(tattoo):
    make_drift(tattoo)
    result = run(tattoo, action="detect-conflicts")
    found = {d["key"]: (d["kind"], d["newer"]) for d in result["differences"]}
    assert found == EXPECTED_DRIFT
    fields = {d["key"]: d["fields"] for d in result["differences"]}
    assert fields["artist-00001"] == ["rating", "updatedAt"]
    assert fields["artist-00004"] == ["bookingOpen", "updatedAt"]
    assert result["counts"]["conflicts"] == 9 and result["counts"]["matching"] == 14


@pytest.mark.parametrize("strategy", ["latest", "dynamo_wins", "opensearch_wins"])
def test_resolve_dry_run_writes_nothing(tattoo, strategy):
    make_drift(tattoo)
    before = (table_snapshot(tattoo), search_snapshot(tattoo))
    result = run(tattoo, action="resolve-conflicts", strategy=strategy, dry_run=True)
    assert result["status"] == "dry_run" and len(result["differences"]) == 9
    assert (table_snapshot(tattoo), search_snapshot(tattoo)) == before


def test_dynamo_wins_makes_opensearch_match_dynamodb(tattoo):
    make_drift(tattoo)
    result = run(tattoo, action="resolve-conflicts", strategy="dynamo_wins", dry_run=False)
    outcomes = {d["key"]: (d["winner"], d["action"], d["outcome"]) for d in result["differences"]}
    assert outcomes["artist-00004"] == ("dynamodb", "index_document", "updated")
    assert outcomes["artist-00006"] == ("dynamodb", "index_document", "created")
    assert outcomes["artist-00700"] == ("dynamodb", "delete_document", "deleted")
    assert remaining(tattoo) == set()
    assert search_snapshot(tattoo)["artist-00005"]["reviewCount"] == 5


def test_opensearch_wins_carries_documents_back_and_skips_incomplete_ones(tattoo):
    make_drift(tattoo)
    result = run(tattoo, action="resolve-conflicts", strategy="opensearch_wins", dry_run=False)
    outcomes = {d["key"]: (d["action"], d["outcome"]) for d in result["differences"]}
    assert outcomes["artist-00001"] == ("write_item", "updated")
    assert outcomes["artist-00006"] == ("delete_item", "deleted")
    assert outcomes["artist-00700"] == ("write_item", "created")
    assert outcomes["artist-00800"] == ("write_item", "skipped_incomplete")
    items = table_snapshot(tattoo)
    assert items["ARTIST#artist-00005|PROFILE"]["reviewCount"] == 999
    assert items["ARTIST#artist-00001|PROFILE"]["rating"] == 4.5
    assert "ARTIST#artist-00006|PROFILE" not in items
    assert items["ARTIST#artist-00700|PROFILE"]["GSI1PK"] == "STYLE#traditional"
    # Non-mapped attributes survive: the pricing currency is not in the search mapping.
    assert items["ARTIST#artist-00004|PROFILE"]["bookingOpen"] is False
    assert remaining(tattoo) == {"artist-00800"}


def test_latest_lets_the_newer_write_win(tattoo):
    make_drift(tattoo)
    result = run(tattoo, action="resolve-conflicts", dry_run=False)
    winners = {d["key"]: d["winner"] for d in result["differences"]}
    assert winners == {
        "artist-00001": "dynamodb",
        "artist-00002": "dynamodb",  # a tie: DynamoDB is the system of record
        "artist-00003": "opensearch",
        "artist-00600": "dynamodb",
        "artist-00004": "opensearch",
        "artist-00005": "opensearch",
        "artist-00006": "dynamodb",
        "artist-00700": "opensearch",
        "artist-00800": "opensearch",
    }
    assert search_snapshot(tattoo)["artist-00001"]["rating"] == 1.5
    assert table_snapshot(tattoo)["ARTIST#artist-00004|PROFILE"]["bookingOpen"] is False
    assert remaining(tattoo) == {"artist-00800"}


def test_full_sync_dynamo_to_os_then_nothing_left_to_do(tattoo):
    seed_artists(tattoo, 40, index=False)
    dry = run(tattoo, action="dynamo-to-os", dry_run=True)
    assert dry["counts"] == {"dry_run": 40, "unchanged": 0} and search_snapshot(tattoo) == {}
    first = run(tattoo, action="dynamo-to-os", dry_run=False)
    assert first["counts"] == {"created": 40, "unchanged": 0}
    expected = {
        doc_id: document
        for doc_id, document in (
            document_for(tattoo.profile.entity("artist"), record_from_item(tattoo.profile, item))
            for item in tattoo.table.scan()
        )
    }
    assert canonical(search_snapshot(tattoo)) == canonical(expected)
    assert run(tattoo, action="dynamo-to-os", dry_run=False)["counts"] == {"unchanged": 40}


def test_full_sync_overwrites_a_hand_edit_but_never_a_newer_change(tattoo):
    seed_artists(tattoo, 3, index=False)
    run(tattoo, action="dynamo-to-os", dry_run=False)
    index = tattoo.search_indexes()["artist"]
    tattoo.search.client.update(index=index, id="artist-00000", body={"doc": {"artistName": "Hand Edit"}})
    tattoo.search.client.index(
        index=index,
        id="artist-00001",
        body={"artistId": "artist-00001"},
        version=2_000_000_000_000_000,
        version_type="external",
    )
    tattoo.search.refresh(index)
    result = run(tattoo, action="dynamo-to-os", dry_run=False)
    outcomes = {d["key"]: d["outcome"] for d in result["differences"]}
    assert outcomes == {"artist-00000": "updated", "artist-00001": "skipped_newer"}
    assert search_snapshot(tattoo)["artist-00000"]["artistName"] == "Artist 0"


def test_full_sync_recreates_a_document_deleted_by_hand(tattoo):
    # The stream and full syncs index with external versions; a hand delete leaves a tombstone of that version,
    # which refused the re-creation (skipped_newer) until the forced write took a version above it.
    seed_artists(tattoo, 2, index=False)
    run(tattoo, action="dynamo-to-os", dry_run=False)
    index = tattoo.search_indexes()["artist"]
    tattoo.search.client.delete(index=index, id="artist-00000", refresh=True)
    result = run(tattoo, action="dynamo-to-os", dry_run=False)
    assert [(d["key"], d["outcome"]) for d in result["differences"]] == [("artist-00000", "created")]
    assert "artist-00000" in search_snapshot(tattoo) and remaining(tattoo) == set()


def tombstone_above_the_block(stores, doc_id: str) -> None:
    """What a reset then `reset clear opensearch` leave: the stream re-created the document at the last version of
    its block (after its own delete of the cleared item), and the clear deleted it, one version higher still."""
    index = stores.search_indexes()["artist"]
    record = record_from_item(stores.profile, stores.table.get({"PK": f"ARTIST#{doc_id}", "SK": "PROFILE"}))
    _, document = document_for(stores.profile.entity("artist"), record)
    last_of_block = deletion_version(record, "updatedAt")
    stores.search.client.index(index=index, id=doc_id, body=document, version=last_of_block, version_type="external")
    stores.search.delete_all(index)


def test_full_sync_recreates_a_cleared_document_above_any_version_of_its_block(tattoo):
    seed_artists(tattoo, 2, index=False)
    tombstone_above_the_block(tattoo, "artist-00001")
    result = run(tattoo, action="dynamo-to-os", dry_run=False)
    assert {d["key"]: d["outcome"] for d in result["differences"]} == {
        "artist-00000": "created",
        "artist-00001": "created",
    }
    assert list(compare_entity(tattoo, "artist")) == []


def test_a_forced_recreation_never_brings_back_an_item_deleted_since_the_comparison(tattoo):
    seed_artists(tattoo, 1, index=False)
    tombstone_above_the_block(tattoo, "artist-00000")
    entity = tattoo.profile.entity("artist")
    differences = list(compare_entity(tattoo, "artist"))
    assert [(d.key, d.kind) for d in differences] == [("artist-00000", "missing_in_opensearch")]
    tattoo.table.batch_delete([{"PK": "ARTIST#artist-00000", "SK": "PROFILE"}])  # a genuine delete meanwhile

    (resolution,) = resolve(tattoo, entity, differences, chooser("dynamo_wins"), dry_run=False)
    assert resolution.outcome == "skipped_newer"
    assert search_snapshot(tattoo) == {}


def test_os_to_dynamo_full_sync(tattoo):
    make_drift(tattoo)
    result = run(tattoo, action="os-to-dynamo", dry_run=False)
    assert result["counts"]["created"] == 2 and result["counts"]["deleted"] == 2
    assert result["counts"]["skipped_incomplete"] == 1
    assert remaining(tattoo) == {"artist-00800"}


def test_sync_points_catch_drift_in_either_store(tattoo):
    seed_artists(tattoo, 25)
    dry = run(tattoo, action="sync-point", name="before-release", dry_run=True)
    assert not tattoo.backups.exists("sync-points/before-release.json") and dry["status"] == "dry_run"
    taken = run(tattoo, action="sync-point", name="before-release", dry_run=False)
    assert taken["details"]["stores_agree"] is True
    assert taken["counts"] == {"artist_dynamodb": 25, "artist_opensearch": 25}
    assert run(tattoo, action="validate-sync-point", name="before-release")["details"]["matches"] is True

    tattoo.table.put(artist_item(tattoo, artist(7, rating=0.5)))
    index = tattoo.search_indexes()["artist"]
    tattoo.search.client.delete(index=index, id="artist-00009", refresh=True)
    checked = run(tattoo, action="validate-sync-point", name="before-release")
    assert checked["details"]["matches"] is False and checked["details"]["stores_agree_now"] is False
    by_store = {d["store"]: d for d in checked["differences"]}
    assert by_store["dynamodb"]["change"] == "content"
    assert by_store["dynamodb"]["current_count"] == by_store["dynamodb"]["recorded_count"]
    assert by_store["opensearch"]["change"] == "count"
    assert by_store["opensearch"]["current_count"] == by_store["opensearch"]["recorded_count"] - 1
    assert len(checked["differences"]) == 2


def audit_count(stores) -> int:
    return sum(1 for _ in stores.control.scan())


@pytest.mark.parametrize(
    ("payload", "field", "reason"),
    [
        ({"action": "resolve-conflicts", "strategy": "newest"}, "strategy", "latest"),
        ({"action": "validate-sync-point", "name": "never-taken"}, "name", "no sync point named 'never-taken'"),
        ({"action": "sync-point"}, "name", "action 'sync-point' needs it"),
        ({"action": "sync-point", "name": "../../etc/passwd"}, "name", "pattern"),
        ({"action": "dynamo-to-os", "entity": "studio"}, "entity", "'studio' is not indexed"),
        ({"action": "dynamo-to-os", "entity": "painter"}, "entity", "unknown entity 'painter'"),
        ({"action": "merge"}, "action", "dynamo-to-os"),
        ({"action": "sync-point", "name": "before-release", "ranges": "many"}, "ranges", "integer"),
        ({"action": "detect-conflicts", "ranges": 4}, "ranges", "it belongs to sync-point"),
    ],
)
def test_bad_input_is_refused_and_nothing_is_written(tattoo, payload, field, reason):
    seed_artists(tattoo, 2, index=False)
    before = (table_snapshot(tattoo), search_snapshot(tattoo), audit_count(tattoo))
    with pytest.raises(InvalidRequest) as raised:
        run(tattoo, dry_run=False, **payload)
    assert f"field '{field}'" in raised.value.message and reason in raised.value.message
    assert (table_snapshot(tattoo), search_snapshot(tattoo), audit_count(tattoo)) == before
    assert list(tattoo.backups.list_objects("sync-points/")) == []


def test_a_profile_without_search_indexes_has_nothing_to_sync(provisioned):
    agents = provisioned("agent_system")
    with pytest.raises(InvalidRequest, match="indexes no entity in OpenSearch"):
        run(agents, action="detect-conflicts")


def test_mutating_actions_leave_an_audit_record(tattoo):
    seed_artists(tattoo, 2, index=False)
    before = audit_count(tattoo)
    run(tattoo, action="dynamo-to-os", dry_run=False)
    run(tattoo, action="detect-conflicts")
    assert audit_count(tattoo) == before + 1
