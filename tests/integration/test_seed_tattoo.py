"""seed on the tattoo_directory profile against real DynamoDB and OpenSearch: every scenario's property read back
from both stores, the full data set's validity, determinism, skip/overwrite, dry runs and bad names.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import pytest

from dataops.errors import UnknownName
from dataops.geo import decode_bounds
from dataops.operations.seed import SEED
from dataops.operations.seed.operation import DATASET_CLOCK
from dataops.profiles.tattoo_directory.entities import UK_POSTCODE
from dataops.profiles.tattoo_directory.seed import SHAPES
from dataops.profiles.tattoo_directory.seed.places import LONDON
from tests.integration.seed_support import (
    artists_with_prefix,
    audit_count,
    contents,
    contents_hash,
    dynamodb_items,
    search_documents,
)

pytestmark = pytest.mark.integration

SCENARIOS = [name for name in SHAPES if name != "full"]


def seed(stores, **payload):
    return SEED.run(SEED.parse({"action": "run", **payload}), stores)


@pytest.fixture(scope="module")
def every_scenario(provisioned):
    """One stage holding all ten scenarios: their keys never overlap, so each is read back by its key prefix."""
    stores = provisioned("tattoo_directory")
    results = {name: seed(stores, scenario=name) for name in SCENARIOS}
    return stores, results


def scenario_artists(stores, name):
    key = SHAPES[name][1].key
    items = artists_with_prefix(stores, f"artist-{key}-")
    assert len(items) == SHAPES[name][1].artists
    return items


def test_every_scenario_lands_in_dynamodb_and_opensearch_alike(every_scenario):
    stores, results = every_scenario
    for name, result in results.items():
        tallies = {(t.entity, t.store): t for t in result.tallies}
        artists = SHAPES[name][1].artists
        assert tallies[("artist", "dynamodb")].created == artists
        assert tallies[("artist", "opensearch")].created == artists
    items = {item["artistId"]: item for item in dynamodb_items(stores) if item["entity_type"] == "artist"}
    documents = dict(search_documents(stores))
    assert set(items) == set(documents)
    for artist_id, document in documents.items():
        item = items[artist_id]
        assert document["rating"] == pytest.approx(float(item["rating"]))
        assert document["location"] == {"lat": float(item["latitude"]), "lon": float(item["longitude"])}


def test_location_london_artists_are_in_london(every_scenario):
    stores, _ = every_scenario
    areas = {place.display for place in LONDON}
    for artist in scenario_artists(stores, "location-london"):
        assert artist["locationDisplay"] in areas
        assert 51.28 < float(artist["latitude"]) < 51.70 and -0.51 < float(artist["longitude"]) < 0.33


def test_style_traditional_artists_are_all_traditional(every_scenario):
    stores, _ = every_scenario
    for artist in scenario_artists(stores, "style-traditional"):
        assert artist["primaryStyle"] == "traditional" and "traditional" in artist["styles"]
        assert artist["GSI1PK"] == "STYLE#traditional"


def test_high_rating_artists_rate_at_least_4_5_with_reviews(every_scenario):
    stores, _ = every_scenario
    for artist in scenario_artists(stores, "high-rating"):
        assert float(artist["rating"]) >= 4.5 and artist["reviewCount"] > 0


def test_new_artists_joined_within_30_days_of_the_clock(every_scenario):
    stores, _ = every_scenario
    for artist in scenario_artists(stores, "new-artists"):
        created = datetime.fromisoformat(artist["createdAt"])
        assert DATASET_CLOCK - timedelta(days=30) <= created <= DATASET_CLOCK


def test_booking_available_artists_have_open_books(every_scenario):
    stores, _ = every_scenario
    assert all(artist["bookingOpen"] is True for artist in scenario_artists(stores, "booking-available"))


def test_portfolio_rich_artists_have_at_least_20_images(every_scenario):
    stores, _ = every_scenario
    for artist in scenario_artists(stores, "portfolio-rich"):
        assert len(artist["portfolioImages"]) >= 20
        assert all(image["url"].startswith("https://") and image["style"] in artist["styles"] for image in
                   artist["portfolioImages"])  # fmt: skip


def test_multi_style_artists_have_three_or_more_styles(every_scenario):
    stores, _ = every_scenario
    for artist in scenario_artists(stores, "multi-style"):
        assert len(artist["styles"]) >= 3 and len(set(artist["styles"])) == len(artist["styles"])


def test_pricing_range_spreads_over_every_band(every_scenario):
    stores, _ = every_scenario
    rates = [int(artist["pricing"]["hourlyRate"]) for artist in scenario_artists(stores, "pricing-range")]
    bands = [(50, 80), (80, 110), (110, 150), (150, 200), (200, 300)]
    per_band = [sum(low <= rate < high for rate in rates) for low, high in bands]
    assert per_band == [20, 20, 20, 20, 20]


def test_minimal_and_search_basic_are_small_and_varied(every_scenario):
    stores, _ = every_scenario
    assert len(scenario_artists(stores, "minimal")) == 10
    search = scenario_artists(stores, "search-basic")
    assert len({artist["locationDisplay"].split(", ")[1] for artist in search}) >= 5
    assert len({artist["primaryStyle"] for artist in search}) >= 6


def test_search_index_answers_a_london_geo_query(every_scenario):
    stores, _ = every_scenario
    [index] = stores.search_indexes().values()
    query = {"query": {"bool": {"filter": [
        {"geo_distance": {"distance": "30km", "location": {"lat": 51.5074, "lon": -0.1278}}},
        {"prefix": {"artistId": "artist-london-"}},
    ]}}}  # fmt: skip
    hits = stores.search.client.count(index=index, body=query)["count"]
    assert hits == SHAPES["location-london"][1].artists


def test_full_data_set_has_10000_valid_artists(provisioned):
    stores = provisioned("tattoo_directory")
    result = seed(stores)
    assert result.scenario == "full"
    counts = {(t.entity, t.store): t.created for t in result.tallies}
    assert counts == {
        ("style", "dynamodb"): 14,
        ("studio", "dynamodb"): 1250,
        ("artist", "dynamodb"): 10_000,
        ("artist", "opensearch"): 10_000,
    }
    studios, artists, styles = {}, 0, set()
    for item in stores.table.scan():
        kind = item["entity_type"]
        if kind == "style":
            styles.add(item["styleId"])
        elif kind == "studio":
            studios[item["studioId"]] = item
            assert re.match(UK_POSTCODE, item["postcode"])
    for item in stores.table.scan():
        if item["entity_type"] != "artist":
            continue
        artists += 1
        south, west, north, east = decode_bounds(item["geohash"])
        assert south <= float(item["latitude"]) <= north and west <= float(item["longitude"]) <= east
        assert (item["reviewCount"] == 0) == (float(item["rating"]) == 0)
        assert item["studioId"] in studios and set(item["styles"]) <= styles
        assert item["locationDisplay"].count(", ") == 1 and item["schemaVersion"] == "1.4.0"
    assert artists == 10_000 and stores.search.count(next(iter(stores.search_indexes().values()))) == 10_000


def test_same_seed_gives_identical_stores_in_two_stages(provisioned):
    first, second = provisioned("tattoo_directory"), provisioned("tattoo_directory")
    for stores in (first, second):
        for scenario in ("minimal", "search-basic", "pricing-range"):
            seed(stores, scenario=scenario)
    assert contents_hash(first) == contents_hash(second)
    other = provisioned("tattoo_directory")
    seed(other, scenario="minimal", seed=5)
    assert contents_hash(other) != contents_hash(first)


def test_skip_existing_leaves_records_and_overwrite_restores_them(provisioned):
    stores = provisioned("tattoo_directory")
    seed(stores, scenario="minimal")
    key = {"PK": "ARTIST#artist-minimal-000001", "SK": "PROFILE"}
    stores.table.put({**stores.table.get(key), "artistName": "Edited By Hand"})
    skipped = seed(stores, scenario="minimal", skip_existing=True)
    assert skipped.counts == {"created": 0, "updated": 0, "skipped": 14 + 3 + 10 + 10}
    assert stores.table.get(key)["artistName"] == "Edited By Hand"
    overwritten = seed(stores, scenario="minimal", skip_existing=False)
    assert overwritten.counts == {"created": 0, "updated": 37, "skipped": 0}
    assert stores.table.get(key)["artistName"] != "Edited By Hand"


@pytest.mark.parametrize("skip_existing", [True, False])
def test_dry_run_reports_and_writes_nothing(provisioned, skip_existing):
    stores = provisioned("tattoo_directory")
    seed(stores, scenario="minimal")
    before, audits = contents(stores), audit_count(stores)
    result = seed(stores, scenario="search-basic", dry_run=True, skip_existing=skip_existing)
    again = seed(stores, scenario="minimal", dry_run=True, skip_existing=skip_existing)
    assert result.status == "dry_run" and result.counts["created"] == 20 + 60 + 60  # studios, artists in both stores
    assert result.counts["skipped" if skip_existing else "updated"] == 14
    assert again.counts["skipped" if skip_existing else "updated"] == 37
    artist = {(t.entity, t.store): t for t in result.tallies}[("artist", "dynamodb")]
    assert artist.samples["created"][0] == "ARTIST#artist-search-000001|PROFILE"
    assert contents(stores) == before and audit_count(stores) == audits


def test_unknown_scenario_lists_valid_names_and_writes_nothing(provisioned):
    stores = provisioned("tattoo_directory")
    with pytest.raises(UnknownName) as error:
        SEED.run(SEED.parse({"action": "run", "scenario": "londn"}), stores)
    assert "unknown scenario 'londn'" in error.value.message and "location-london" in error.value.message
    assert dynamodb_items(stores) == [] and search_documents(stores) == [] and audit_count(stores) == 0


def test_seed_is_audited_and_list_shows_every_scenario(provisioned):
    stores = provisioned("tattoo_directory")
    seed(stores, scenario="minimal")
    assert audit_count(stores) == 1
    listed = SEED.run(SEED.parse({"action": "list"}), stores)
    assert {info.name for info in listed.scenarios} == set(SHAPES)
    assert next(info for info in listed.scenarios if info.default).counts["artist"] == 10_000
