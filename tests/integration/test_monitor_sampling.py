"""`monitor check` reads one random segment of the table and one random slice of each index, never all of either
(real DynamoDB and OpenSearch): it still finds each kind of inconsistency, and its counts are exact when one segment
is the table."""

from __future__ import annotations

import random

import pytest

from dataops.operations.monitor import MONITOR, collect_metrics
from dataops.operations.monitor.sampling import sample_stores
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
    assert (sample["segment"], sample["items_read"], sample["counts_exact"]) == ("1 of 1", 40, True)
    assert sample["consistency"]["artist"] == {
        "items": 40, "documents": 40, "slice": "1 of 1",
        "missing_in_opensearch": 1, "different": 1, "missing_in_dynamodb": 1,
    }  # fmt: skip


def test_a_large_table_and_index_are_read_a_random_share_at_a_time(tattoo, monkeypatch):
    monkeypatch.setenv("VALIDATION_SAMPLE", "20")
    seed_artists(tattoo, 600)
    artist = tattoo.profile.entity("artist")
    # 20 items per entity type and 3 types in DynamoDB: segments of 60 items, so 10 of them; slices of 4 documents.
    draws = [random.Random(seed) for seed in range(6)]  # noqa: S311 - fixed samples
    samples = [sample_stores(tattoo, [artist], rng) for rng in draws]

    for sample in samples:
        assert sample.segments == 10
        read = sum(sample.counts.values())
        assert 0 < read < 200, "one segment, not the table"
        tally = sample.tallies["artist"]
        assert tally.dynamodb == sample.counts["artist"] == read
        assert 0 < tally.opensearch < 30, "one slice, not the index"
        assert tally.kinds == {}
        assert sample.estimated_count("artist") == read * 10
        assert sample.slices["artist"].endswith(" of 150")
    assert len({sample.segment for sample in samples}) > 1, "successive checks read different segments"
    assert len({sample.slices["artist"] for sample in samples}) > 1, "and different slices"
    estimates = [sample.estimated_count("artist") for sample in samples]
    assert 300 < sum(estimates) / len(estimates) < 900


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

    assert sample["segment"].endswith(" of 10") and sample["counts_exact"] is False
    assert read["items"] < 200, read
    assert metrics["records:dynamodb.artist"] == sample["items_read"] * 10
    assert metrics["inconsistencies"] == 0
    assert 0 < sample["consistency"]["artist"]["documents"] < 30
