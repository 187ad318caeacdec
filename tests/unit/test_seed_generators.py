"""Seed data without stores: geohash against published values, generator determinism and validity, the agent
system's references, the engine's skip/overwrite/dry-run decisions with a plain fake sink, and the CLI's doors.
"""

from __future__ import annotations

import re
from collections import Counter
from datetime import UTC, datetime

import pytest
from typer.testing import CliRunner

from dataops.cli.main import app
from dataops.errors import UnknownName
from dataops.geo import decode_bounds, encode_geohash
from dataops.operations.seed.engine import SeedOptions, apply_batch
from dataops.operations.seed.fingerprint import KeyFingerprint
from dataops.profiles import load_profile
from dataops.profiles.agent_system.seed import content
from dataops.profiles.model import SeedContext
from dataops.profiles.tattoo_directory.entities import UK_POSTCODE
from dataops.profiles.tattoo_directory.seed import SEEDING, SHAPES
from dataops.profiles.tattoo_directory.seed.generator import DirectoryShape
from dataops.profiles.tattoo_directory.seed.places import NEIGHBOURHOODS
from tests.cli_text import unboxed

CLOCK = datetime(2026, 11, 1, tzinfo=UTC)


def dumps(scenario: str, seed: int = 4, copies: int = 1) -> list[tuple[str, dict]]:
    context = SeedContext(seed=seed, clock=CLOCK, copies=copies)
    return [(entity, record.model_dump(mode="json")) for entity, record in SEEDING.scenario(scenario).generate(context)]


@pytest.mark.parametrize(
    ("latitude", "longitude", "precision", "expected"),
    [
        (57.64911, 10.40744, 11, "u4pruydqqvj"),  # Wikipedia's worked example
        (42.6, -5.6, 5, "ezs42"),  # geohash.org's documented example
        (51.5007, -0.1246, 6, "gcpuvp"),  # Westminster, London
        (-25.382708, -49.265506, 8, "6gkzwgjz"),  # Curitiba, from the original geohash.org announcement
    ],
)
def test_geohash_matches_published_values(latitude, longitude, precision, expected):
    assert encode_geohash(latitude, longitude, precision) == expected
    south, west, north, east = decode_bounds(expected)
    assert south <= latitude <= north and west <= longitude <= east


def test_same_context_same_records_and_another_seed_differs():
    assert dumps("search-basic") == dumps("search-basic")
    assert dumps("search-basic") != dumps("search-basic", seed=5)


@pytest.mark.parametrize("scenario", list(SHAPES))
def test_counts_declare_exactly_what_the_generator_yields(scenario):
    context = SeedContext(seed=4, clock=CLOCK)
    generated = Counter(entity for entity, _ in SEEDING.scenario(scenario).generate(context))
    assert dict(generated) == SEEDING.scenario(scenario).counts(context)


def test_records_satisfy_the_seeds_validation_rules():
    records = dumps("search-basic") + dumps("portfolio-rich") + dumps("pricing-range")
    studios = {r["studioId"]: r for e, r in records if e == "studio"}
    for entity, record in records:
        if entity in {"studio", "artist"}:
            south, west, north, east = decode_bounds(record["geohash"])
            assert south <= record["latitude"] <= north and west <= record["longitude"] <= east
        if entity == "studio":
            assert re.match(UK_POSTCODE, record["postcode"]) and record["address"].count(", ") == 2
        if entity == "artist":
            assert (record["reviewCount"] == 0) == (record["rating"] == 0)
            assert record["studioId"] in studios and record["primaryStyle"] == record["styles"][0]
            assert record["socialMedia"]["instagram"].endswith(record["instagramHandle"])
            assert record["updatedAt"] >= record["createdAt"]


def test_neighbourhoods_are_inside_great_britain():
    for place in NEIGHBOURHOODS:
        assert 49.9 < place.latitude < 58.7 and -6.4 < place.longitude < 1.8, place
        assert re.match(r"^[A-Z]{1,2}\d[A-Z\d]?$", place.postcode_district)


def test_copies_repeat_the_data_under_unique_keys():
    shape = DirectoryShape(key="t", artists=20, artists_per_studio=4)
    context = SeedContext(seed=1, clock=CLOCK, copies=5)
    artists = [r.model_dump() for e, r in shape.generate(context) if e == "artist"]
    assert len(artists) == 100 and len({a["artistId"] for a in artists}) == 100
    assert [a["artistName"] for a in artists[:20]] == [a["artistName"] for a in artists[80:]]
    assert shape.counts(context) == {"style": 14, "studio": 25, "artist": 100}


def test_agent_system_references_point_at_seeded_records():
    assert {lead for _, _, lead in content.TEAMS.values()} <= set(content.PERSONAS)
    assert all(team in content.TEAMS and persona in content.PERSONAS for team, _, persona, *_ in content.ROSTERS)
    assert all(owner in content.TEAMS for _, owner, _, _ in content.SERVICES.values())
    assert all(a in content.SERVICES and b in content.SERVICES and a != b for _, a, b, _ in content.DEPENDENCIES)
    seeding = load_profile("agent_system").seeding
    assert seeding is not None
    minimal = Counter(e for e, _ in seeding.scenario("minimal").generate(SeedContext(seed=0, clock=CLOCK)))
    assert minimal["persona"] == 2 and minimal["dependency"] == 1
    for member in content.MINIMAL["team_member"]:
        team, _, persona, *_ = next(row for row in content.ROSTERS if row[1] == member)
        assert team in content.MINIMAL["team"] and persona in content.MINIMAL["persona"]


def test_unknown_scenario_and_state_name_the_valid_ones():
    with pytest.raises(UnknownName, match=r"unknown scenario 'londn'; valid: .*location-london"):
        SEEDING.scenario("londn")
    with pytest.raises(UnknownName, match=r"unknown state 'fressh'; valid: .*fresh"):
        SEEDING.state("fressh")
    assert SEEDING.state("performance-test").actions == ["clear all stores", "seed full x5"]


class FakeSink:
    entity, store, concurrent = "artist", "dynamodb", True

    def __init__(self, existing: set[str]) -> None:
        self.present = existing
        self.written: list[str] = []

    def existing(self, entries):
        return {key for key, _ in entries if key in self.present}

    def write(self, entries):
        self.written.extend(key for key, _ in entries)


@pytest.mark.parametrize(
    ("options", "expected", "written"),
    [
        (SeedOptions(skip_existing=True, dry_run=False), (1, 0, 1), ["b"]),
        (SeedOptions(skip_existing=False, dry_run=False), (1, 1, 0), ["a", "b"]),
        (SeedOptions(skip_existing=False, dry_run=True), (1, 1, 0), []),
        (SeedOptions(skip_existing=True, dry_run=False, check_existing=False), (2, 0, 0), ["a", "b"]),
    ],
)
def test_apply_batch_decides_per_key(options, expected, written):
    sink = FakeSink({"a"})
    tally = apply_batch(sink, [("a", {}), ("b", {})], options)
    assert (tally.created, tally.updated, tally.skipped) == expected and sink.written == written
    assert tally.fingerprint.count == 2


def test_fingerprint_is_order_independent_and_merges():
    one, two, merged = KeyFingerprint(), KeyFingerprint(), KeyFingerprint()
    for key in ("a", "b", "c"):
        one.add(key)
    for key in ("c", "a"):
        two.add(key)
    merged.add("b")
    merged.merge(two)
    assert merged == one and one != two


runner = CliRunner()


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["seed", "run", "londn", "-p", "tattoo_directory"], "unknown scenario 'londn'"),
        (["reset", "state", "fressh", "-p", "tattoo_directory"], "unknown state 'fressh'"),
        (["reset", "clear", "s3", "-p", "tattoo_directory"], "'s3' is not one of 'dynamodb', 'postgres', 'opensearch'"),
        (["reset", "clear", "postgres", "-p", "tattoo_directory"], "unknown store 'postgres'"),
    ],
)
def test_cli_bad_names_exit_2_with_one_line(arguments, message):
    result = runner.invoke(app, arguments)
    assert result.exit_code == 2 and message in unboxed(result.output) and "Traceback" not in result.output


@pytest.mark.parametrize("command", [["seed", "run"], ["seed", "list"], ["reset", "state"], ["reset", "clear"]])
def test_cli_help_has_an_example(command):
    result = runner.invoke(app, [*command, "--help"])
    assert result.exit_code == 0 and "Example" in result.output and "--json" in result.output
