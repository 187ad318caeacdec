"""`monitor check` reads a random segment of the table and random documents, never all of either (real DynamoDB and
OpenSearch): it still finds each kind of inconsistency, and its counts are exact when one segment is the table."""

from __future__ import annotations

import random

import pytest

from dataops.operations.monitor import MONITOR, collect_metrics
from dataops.operations.monitor.sampling import sample_documents, sample_table
from tests.sync_support import seed_artists

pytestmark = pytest.mark.integration


@pytest.fixture
def tattoo(provisioned):
    return provisioned("tattoo_directory")


def test_a_check_finds_every_kind_of_difference_with_exact_counts_on_a_small_table(tattoo):
    seed_artists(tattoo, 40)
    index = tattoo.search_indexes()["artist"]
    tattoo.search.client.delete(index=index, id="artist-00001")
    tattoo.search.client.update(index=index, id="artist-00002", body={"doc": {"artistName": "Hand Edit"}})
    tattoo.search.client.index(index=index, id="artist-09999", body={"artistId": "artist-09999"})
    tattoo.search.refresh(index)

    result = MONITOR.run(MONITOR.parse({"action": "check", "dry_run": True}), tattoo).to_event()

    assert result["metrics"]["inconsistencies"] == 3
    assert result["metrics"]["records:dynamodb.artist"] == 40
    assert result["metrics"]["records:opensearch.artist"] == 40
    sample = result["details"]["sample"]
    assert sample["table"] == {"segment": 0, "segments": 1, "items_read": 40, "counts_exact": True}
    assert sample["consistency"]["artist"] == {
        "items_checked": 40, "documents_checked": 40, "missing_in_opensearch": 1, "different": 1,
        "missing_in_dynamodb": 1, "differing": 3,
    }  # fmt: skip


def test_a_large_table_is_read_one_random_segment_at_a_time(tattoo):
    seed_artists(tattoo, 600)
    artist = tattoo.profile.entity("artist")
    # 20 items per entity type and 3 types in DynamoDB: segments of 60 items, so 10 of them.
    draws = [random.Random(seed) for seed in range(6)]  # noqa: S311 - fixed samples
    samples = [sample_table(tattoo, [artist], items_per_entity=20, rng=rng) for rng in draws]

    for table, consistency in samples:
        assert table.segments == 10
        read = sum(table.counts.values())
        assert 0 < read < 200, "one segment, not the table"
        assert consistency["artist"].items_checked == table.counts["artist"] == read
        assert consistency["artist"].differing == 0
        assert table.estimated_count("artist") == read * 10
    assert len({table.segment for table, _ in samples}) > 1, "successive checks read different segments"
    estimates = [table.estimated_count("artist") for table, _ in samples]
    assert 300 < sum(estimates) / len(estimates) < 900


def test_random_documents_find_an_orphan_without_reading_the_index(tattoo):
    seed_artists(tattoo, 30)
    index = tattoo.search_indexes()["artist"]
    tattoo.search.client.index(index=index, id="artist-09999", body={"artistId": "artist-09999"}, refresh=True)
    artist = tattoo.profile.entity("artist")
    _, consistency = sample_table(tattoo, [artist])

    drawn = [consistency["artist"]]
    for seed in (1, 2):
        sample_documents(tattoo, artist, drawn[0], size=31, seed=seed)
    assert drawn[0].documents_checked == 62 and drawn[0].missing_in_dynamodb == 2

    few = type(drawn[0])()
    sample_documents(tattoo, artist, few, size=5, seed=3)
    assert few.documents_checked == 5


def test_a_check_on_a_large_table_reads_a_sample_of_it(tattoo, monkeypatch):
    """Every item any scan of the check yields is counted: the whole check (health, status, sample) reads a small
    part of a table of 600 artists once the sample is 20 per entity, and never counts the table."""
    monkeypatch.setenv("VALIDATION_SAMPLE", "20")
    seed_artists(tattoo, 600)
    read = {"items": 0}

    def counted(scan):
        def reading(*args, **kwargs):
            for item in scan(*args, **kwargs):
                read["items"] += 1
                yield item

        return reading

    def refused(*args, **kwargs):
        raise AssertionError("the check counted the whole table")

    monkeypatch.setattr(tattoo.table, "scan", counted(tattoo.table.scan))
    monkeypatch.setattr(tattoo.table, "scan_segment", counted(tattoo.table.scan_segment))
    monkeypatch.setattr(tattoo.table, "count_by", refused)

    metrics, sample = collect_metrics(tattoo, random.Random(0))  # noqa: S311 - a fixed sample

    assert sample["table"]["segments"] == 10 and sample["table"]["counts_exact"] is False
    assert read["items"] < 200, read
    assert metrics["records:dynamodb.artist"] == sample["table"]["items_read"] * 10
    assert metrics["inconsistencies"] == 0
    assert sample["consistency"]["artist"]["documents_checked"] == 4
