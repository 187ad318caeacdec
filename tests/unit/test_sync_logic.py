"""Pure sync logic: the version rule, what a document can give back to DynamoDB, strategies, range summaries."""

from __future__ import annotations

import pytest

from dataops.compare import RecordDifference
from dataops.operations.sync.sync_points import summarise
from dataops.profiles import load_profile
from dataops.reconcile.dynamo_writes import record_from_document
from dataops.reconcile.resolve import chooser
from dataops.reconcile.versions import (
    VERSION_SCALE,
    deletion_version,
    document_version,
    same_change,
)
from dataops.records import document_for
from tests.sync_support import artist

ARTIST = load_profile("tattoo_directory").entity("artist")


def test_versions_follow_the_update_timestamp_in_milliseconds():
    earlier = document_version({"updatedAt": "2026-01-01T00:00:00.001Z"}, "updatedAt")
    later = document_version({"updatedAt": "2026-01-01T00:00:00.002Z"}, "updatedAt")
    assert earlier is not None and later is not None
    assert later - earlier == VERSION_SCALE
    assert earlier == 1767225600001 * VERSION_SCALE
    assert document_version({}, "updatedAt") is None
    assert document_version({"updatedAt": "yesterday"}, "updatedAt") is None


def test_a_delete_sits_above_its_state_and_its_hand_edits_but_below_the_next_change():
    state = {"updatedAt": "2026-01-01T00:00:00Z"}
    version = document_version(state, "updatedAt")
    deleted = deletion_version(state, "updatedAt")
    assert version is not None and deleted is not None
    assert version + 5 < deleted < version + VERSION_SCALE


def test_a_forced_write_may_replace_only_versions_of_its_own_change():
    version = 1767225600000 * VERSION_SCALE
    assert same_change(version + 3, version)  # a hand edit on top of this change
    assert same_change(7, version)  # internally versioned seed
    assert not same_change(version + VERSION_SCALE, version)  # a later change


def test_an_existing_item_takes_mapped_fields_and_keeps_the_rest():
    existing = {**artist(1), "notes": "kept", "pricing": {"hourlyRate": 1, "minimumCharge": 1, "currency": "GBP"}}
    _, document = document_for(ARTIST, {**artist(1), "rating": 2.0})
    del document["bookingOpen"]
    record, problem = record_from_document(ARTIST, document, existing)
    assert problem is None and record is not None
    assert record["rating"] == 2.0 and record["notes"] == "kept"
    assert "bookingOpen" not in record and "location" not in record


def test_a_new_item_needs_every_required_field():
    _, complete = document_for(ARTIST, artist(2))
    record, problem = record_from_document(ARTIST, complete, None)
    assert problem is None and record is not None and "location" not in record
    record, problem = record_from_document(ARTIST, {"artistId": "a", "artistName": "b"}, None)
    assert record is None and problem is not None and "lacks required fields" in problem and "geohash" in problem


def test_an_invalid_document_is_refused_with_its_reason():
    _, document = document_for(ARTIST, artist(3))
    record, problem = record_from_document(ARTIST, {**document, "rating": 9}, artist(3))
    assert record is None and problem is not None and "rating" in problem


def _difference(kind: str, newer: str) -> RecordDifference:
    return RecordDifference.model_validate({"entity": "artist", "key": "k", "kind": kind, "newer": newer})


@pytest.mark.parametrize(
    ("strategy", "kind", "newer", "winner"),
    [
        ("latest", "different", "dynamodb", "dynamodb"),
        ("latest", "different", "opensearch", "opensearch"),
        ("latest", "different", "same", "dynamodb"),
        ("latest", "different", "unknown", "dynamodb"),
        ("latest", "missing_in_dynamodb", "opensearch", "opensearch"),
        ("dynamo_wins", "different", "opensearch", "dynamodb"),
        ("opensearch_wins", "different", "dynamodb", "opensearch"),
    ],
)
def test_strategies_pick_the_winner_they_are_named_for(strategy, kind, newer, winner):
    chosen, reason = chooser(strategy)(_difference(kind, newer))
    assert chosen == winner and reason


def test_range_summaries_ignore_order_and_see_any_change():
    pairs = [(f"id-{n}", {"n": n}) for n in range(50)]
    forward, backward = summarise(pairs, 8), summarise(list(reversed(pairs)), 8)
    assert forward == backward and forward.count == 50 and len(forward.ranges) == 8
    changed = summarise([*pairs[:-1], ("id-49", {"n": -1})], 8)
    assert sum(a != b for a, b in zip(forward.ranges, changed.ranges, strict=True)) == 1
