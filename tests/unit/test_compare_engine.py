"""The comparison engine on plain in-memory fakes: each kind of difference, newer side, field names."""

from __future__ import annotations

from decimal import Decimal
from types import SimpleNamespace
from typing import Any

import pytest

from dataops.compare import (
    ComparisonTally,
    canonical,
    compare_entity,
    differing_fields,
    digest,
    newer_side,
)
from dataops.errors import InvalidRequest
from dataops.profiles import load_profile
from dataops.records import document_for, record_from_item
from tests.sync_support import artist, artist_item


class FakeTable:
    def __init__(self, items: list[dict[str, Any]]) -> None:
        self.items = items

    def scan(self, page_size: int | None = None) -> list[dict[str, Any]]:
        return list(self.items)


class FakeSearch:
    def __init__(self, documents: dict[str, dict[str, Any]] | None) -> None:
        self.documents = documents or {}
        self.exists = documents is not None

    def index_exists(self, index: str) -> bool:
        return self.exists

    def scan(self, index: str) -> list[dict[str, Any]]:
        return [{"_id": doc_id, "_source": source} for doc_id, source in self.documents.items()]

    def sources(self, index: str, ids: list[str]) -> dict[str, dict[str, Any]]:
        return {doc_id: self.documents[doc_id] for doc_id in ids if doc_id in self.documents}


def fake_stores(items: list[dict[str, Any]], documents: dict[str, dict[str, Any]] | None) -> Any:
    profile = load_profile("tattoo_directory")
    return SimpleNamespace(
        profile=profile,
        table=FakeTable(items),
        search=FakeSearch(documents),
        settings=SimpleNamespace(resolved_index=lambda base: f"{base}-unit"),
    )


def as_dynamodb(item: dict[str, Any]) -> dict[str, Any]:
    """What a DynamoDB read hands back: every number a Decimal."""
    return {
        key: Decimal(str(value)) if isinstance(value, float | int) and not isinstance(value, bool) else value
        for key, value in item.items()
    }


def build(count: int) -> tuple[Any, list[dict[str, Any]], dict[str, dict[str, Any]]]:
    stores = fake_stores([], {})
    entity = stores.profile.entity("artist")
    items = [as_dynamodb(artist_item(stores, artist(n))) for n in range(count)]
    documents = dict(document_for(entity, record_from_item(stores.profile, item)) for item in items)
    return stores, items, documents


def test_identical_stores_have_no_differences_and_decimals_equal_floats():
    stores, items, documents = build(5)
    stores.table.items, stores.search.documents = items, documents
    tally = ComparisonTally()
    assert list(compare_entity(stores, "artist", tally)) == []
    assert (tally.dynamodb, tally.opensearch, tally.matching) == (5, 5, 5)


def test_each_kind_of_difference_is_found_with_fields_and_newer_side():
    stores, items, documents = build(6)
    documents["artist-00001"] = {**documents["artist-00001"], "rating": 1.0, "updatedAt": "2027-01-01T00:00:00Z"}
    documents["artist-00002"]["artistName"] = "Renamed in OpenSearch"  # same updatedAt: a tie
    del documents["artist-00003"]
    documents["artist-99999"] = {"artistId": "artist-99999", "updatedAt": "2026-05-01T00:00:00Z"}
    items[4] = {**items[4], "bookingOpen": not items[4]["bookingOpen"], "updatedAt": "2028-01-01T00:00:00Z"}
    stores.table.items, stores.search.documents = items, documents

    tally = ComparisonTally()
    found = {difference.key: difference for difference in compare_entity(stores, "artist", tally)}

    assert set(found) == {"artist-00001", "artist-00002", "artist-00003", "artist-00004", "artist-99999"}
    assert found["artist-00001"].kind == "different"
    assert found["artist-00001"].fields == ["rating", "updatedAt"]
    assert found["artist-00001"].newer == "opensearch"
    assert found["artist-00002"].fields == ["artistName"] and found["artist-00002"].newer == "same"
    assert found["artist-00003"].kind == "missing_in_opensearch" and found["artist-00003"].newer == "dynamodb"
    assert found["artist-00004"].fields == ["bookingOpen", "updatedAt"]
    assert found["artist-00004"].newer == "dynamodb"
    assert found["artist-99999"].kind == "missing_in_dynamodb"
    assert found["artist-99999"].opensearch_updated_at == "2026-05-01T00:00:00Z"
    assert tally.matching == 2 and tally.kinds == {"different": 3, "missing_in_opensearch": 1, "missing_in_dynamodb": 1}


def test_payloads_travel_with_a_difference_but_not_into_reports():
    stores, items, _ = build(1)
    stores.table.items, stores.search.documents = items, {}
    (difference,) = compare_entity(stores, "artist")
    assert difference.dynamodb_record is not None and difference.dynamodb_record["artistId"] == "artist-00000"
    assert "dynamodb_record" not in difference.model_dump()


def test_a_missing_index_means_every_item_is_missing_in_opensearch():
    stores, items, _ = build(3)
    stores.table.items = items
    stores.search = FakeSearch(None)
    kinds = [difference.kind for difference in compare_entity(stores, "artist")]
    assert kinds == ["missing_in_opensearch"] * 3


def test_other_entities_in_the_table_are_ignored():
    stores, items, documents = build(2)
    studio = {"PK": "STUDIO#s1", "SK": "PROFILE", "entity_type": "studio", "studioId": "s1"}
    stores.table.items, stores.search.documents = [*items, studio], documents
    assert list(compare_entity(stores, "artist")) == []


@pytest.mark.parametrize("name", ["studio", "style"])
def test_an_entity_that_is_not_indexed_is_refused(name):
    stores, _, _ = build(0)
    with pytest.raises(InvalidRequest, match=r"not indexed in OpenSearch.*indexed entities: artist"):
        list(compare_entity(stores, name))


def test_an_unknown_entity_is_refused():
    stores, _, _ = build(0)
    with pytest.raises(InvalidRequest, match="unknown entity 'painter'"):
        list(compare_entity(stores, "painter"))


def test_canonical_numbers_and_digest_ignore_representation_and_key_order():
    assert canonical(Decimal("5")) == canonical(5.0) == 5
    assert canonical(Decimal("4.7")) == 4.7
    assert canonical(True) is True
    assert digest({"a": Decimal("1.50"), "b": [1, 2]}) == digest({"b": [1.0, 2], "a": 1.5})
    assert digest({"a": 1}) != digest({"a": 2})


def test_differing_fields_names_added_removed_and_changed_fields():
    assert differing_fields({"a": 1, "b": 2}, {"b": 3, "c": 4}) == ["a", "b", "c"]


@pytest.mark.parametrize(
    ("dynamodb", "opensearch", "expected"),
    [
        ("2026-01-01T00:00:00Z", "2026-01-01T00:00:01Z", "opensearch"),
        ("2026-01-01T00:00:02+00:00", "2026-01-01T00:00:01Z", "dynamodb"),
        ("2026-01-01T00:00:00Z", "2026-01-01T00:00:00+00:00", "same"),
        (None, "2026-01-01T00:00:00Z", "unknown"),
        ("not a date", "2026-01-01T00:00:00Z", "unknown"),
    ],
)
def test_newer_side_by_update_timestamp(dynamodb, opensearch, expected):
    assert newer_side(dynamodb, opensearch) == expected
