"""Pure logic of validation: geohash, format rules and fixers, the record checker, the issue log, env secrets."""

from __future__ import annotations

import math
import random
from typing import Any

import pytest
from pydantic import BaseModel, TypeAdapter, ValidationError, field_validator

from dataops.geo import encode_geohash, geohash_matches
from dataops.operations.validate import ValidateRequest
from dataops.operations.validate.checker import RecordChecker, plain, record_key, record_schema
from dataops.operations.validate.report import IssueLog, ValidationIssue
from dataops.operations.validate.security_pass import plain_secrets
from dataops.profiles import load_profile
from dataops.profiles.rules import RecordRule, email_address, geohash_of_coordinates, normal_postcode, uk_postcode

NOW = "2025-01-01T00:00:00+00:00"


def message(rule: RecordRule, record: dict[str, Any]) -> str:
    found = rule.check(record)
    assert found is not None
    return found


def fixed(rule: RecordRule, record: dict[str, Any]) -> dict[str, Any] | None:
    assert rule.fixer is not None
    return rule.fixer(record)


def test_geohash_encoder_matches_the_reference_example():
    assert encode_geohash(57.64911, 10.40744, 11) == "u4pruydqqvj"


def test_geohash_matches_agrees_with_the_encoder_everywhere():
    rnd = random.Random(7)  # noqa: S311 - reproducible test points, not crypto
    for _ in range(5000):
        lat, lon, precision = rnd.uniform(-90, 90), rnd.uniform(-180, 180), rnd.randint(1, 12)
        cell = encode_geohash(lat, lon, precision)
        assert geohash_matches(cell, lat, lon)
        other_lat, other_lon = rnd.uniform(-90, 90), rnd.uniform(-180, 180)
        assert geohash_matches(cell, other_lat, other_lon) == (encode_geohash(other_lat, other_lon, precision) == cell)
    assert not geohash_matches("gcpvhzz", 51.5136, -0.1365)
    assert not geohash_matches("gcpvaaa", 51.5, -0.1) and not geohash_matches("", 0, 0)


def test_geohash_matches_agrees_with_the_encoder_on_cell_edges_and_the_globe_edges():
    """Random points never land on an edge; the encoder puts an edge point in the upper cell and 90/180 in the top
    one, and the cached cell check must agree with it bit for bit, in either case, also once its cache has filled."""
    rnd = random.Random(11)  # noqa: S311 - reproducible test points, not crypto
    points = [(lat, lon) for lat in (-90.0, 0.0, 90.0) for lon in (-180.0, 0.0, 180.0)]
    for _ in range(300):
        precision = rnd.randint(1, 12)
        lon_bits, lat_bits = (5 * precision + 1) // 2, 5 * precision // 2
        lat = rnd.randrange(1 << lat_bits) * 180.0 / (1 << lat_bits) - 90.0
        lon = rnd.randrange(1 << lon_bits) * 360.0 / (1 << lon_bits) - 180.0
        points += [(lat, lon), (math.nextafter(lat, -90.0), math.nextafter(lon, -180.0))]
    for lat, lon in points:
        for precision in (1, 5, 7, 12):
            cell = encode_geohash(lat, lon, precision)
            assert geohash_matches(cell, lat, lon) and geohash_matches(cell.upper(), lat, lon)
            for neighbour in {encode_geohash(lat, math.nextafter(lon, -180.0), precision),
                              encode_geohash(math.nextafter(lat, -90.0), lon, precision)} - {cell}:  # fmt: skip
                assert not geohash_matches(neighbour, lat, lon)
    assert not geohash_matches("7zzzzzz", 0.0, 0.0) and not geohash_matches("zzz", 90.0, 180.000001)
    assert not geohash_matches("gcpv!", 51.5, -0.1) and not geohash_matches("gcpvh", math.nan, -0.1)


@pytest.mark.parametrize(("raw", "normal"), [("sw1a1aa", "SW1A 1AA"), (" w1d  3rb", "W1D 3RB"), ("M1 1AE", "M1 1AE")])
def test_postcodes_normalise(raw, normal):
    assert normal_postcode(raw) == normal


def test_postcode_rule_fixes_case_and_spacing_but_not_nonsense():
    rule = uk_postcode("studio", "postcode")
    assert rule.check({"postcode": "SW1A 1AA"}) is None
    assert "not a UK postcode" in message(rule, {"postcode": "sw1a1aa"})
    assert fixed(rule, {"postcode": "sw1a1aa"}) == {"postcode": "SW1A 1AA"}
    assert fixed(rule, {"postcode": "NOWHERE"}) is None


def test_email_rule_lowercases_and_trims():
    rule = email_address("team_member", "email")
    assert fixed(rule, {"email": " Ada@Example.COM"}) == {"email": "ada@example.com"}
    assert fixed(rule, {"email": "not an email"}) is None


def test_geohash_rule_names_the_expected_cell_and_recomputes_it():
    rule = geohash_of_coordinates("artist")
    record = {"geohash": "gcpvhzz", "latitude": 51.5136, "longitude": -0.1365}
    expected = encode_geohash(51.5136, -0.1365, 7)
    assert expected in message(rule, record)
    assert fixed(rule, record) == {**record, "geohash": expected}
    assert rule.check({**record, "geohash": expected}) is None
    assert rule.check({"geohash": expected}) is None  # missing coordinates are the schema's to report


def studio(**extra):
    record = {
        "studioId": "s1", "studioName": "Soho Ink", "address": "1 Dean Street, London", "postcode": "W1D 3RB",
        "geohash": encode_geohash(51.5136, -0.1365, 7), "latitude": 51.5136, "longitude": -0.1365,
        "createdAt": NOW, "updatedAt": NOW,
    }  # fmt: skip
    return {**record, **extra}


def test_checker_maps_schema_errors_to_the_right_record_and_defers_ruled_fields():
    profile = load_profile("tattoo_directory")
    checker = RecordChecker(profile, {"schema"})
    missing = studio()
    del missing["studioName"]
    findings = checker.check_batch(profile.entity("studio"), [studio(), missing, studio(postcode="w1d3rb")])
    assert findings[0] == []
    assert [(f.rule, f.field) for f in findings[1]] == [("studio.schema.missing", "studioName")]
    # The pattern error on postcode defers to the postcode rule, which can fix it: one finding, not two.
    assert [f.rule for f in findings[2]] == ["studio.postcode.uk-postcode"]
    outcome = checker.repaired(studio(postcode="w1d3rb"), findings[2])
    assert outcome is not None
    repaired, settled = outcome
    assert repaired["postcode"] == "W1D 3RB" and len(settled) == 1


def test_business_rules_only_run_when_their_category_is_asked():
    profile = load_profile("tattoo_directory")
    style = {"styleId": "x", "styleName": "X", "description": "d", "difficulty": "advanced", "popularity": 95,
             "createdAt": NOW, "updatedAt": NOW}  # fmt: skip
    entity = profile.entity("style")
    assert RecordChecker(profile, {"schema"}).check_batch(entity, [style]) == [[]]
    [[finding]] = RecordChecker(profile, {"business"}).check_batch(entity, [style])
    assert finding.rule == "style.difficulty-level" and finding.severity == "warning"


def test_record_keys_come_from_the_key_templates():
    profile = load_profile("agent_system")
    assert record_key(profile.entity("team_member"), {"team_id": "t1", "member_id": "m2"}) == "t1/m2"
    assert record_key(profile.entity("dependency"), {"dependency_id": "d1"}) == "d1"


def test_plain_turns_store_values_into_json_shapes():
    from decimal import Decimal

    assert plain({"a": Decimal("4"), "b": [Decimal("4.5")], "c": {"d": Decimal("0")}}) == {
        "a": 4,
        "b": [4.5],
        "c": {"d": 0},
    }


def issue(number: int, severity: str = "error") -> ValidationIssue:
    return ValidationIssue(
        entity="artist", key=f"a{number}", store="dynamodb", category="schema", rule="artist.schema.missing",
        severity=severity, message="m",
    )  # fmt: skip


def test_issue_log_counts_everything_and_samples_a_bounded_list():
    log = IssueLog(sample_limit=3)
    for number in range(10):
        log.add(issue(number, "warning" if number % 2 else "error"))
    summary = log.summary()
    assert summary["total"] == 10 and summary["by_severity"] == {"error": 5, "warning": 5, "info": 0}
    assert [i.key for i in log.issues] == ["a0", "a1", "a2"] and summary["sample_complete"] is False
    log.close()


def test_plain_secrets_are_reported_by_name_and_pointers_are_not():
    environment = {
        "POSTGRES_PASSWORD": "x", "API_KEY": "y", "POSTGRES_SECRET_ARN": "arn:...", "AWS_SECRET_ACCESS_KEY": "z",
        "GITHUB_TOKEN": "", "PATH": "/bin",
    }  # fmt: skip
    assert plain_secrets(environment) == ["API_KEY", "POSTGRES_PASSWORD"]


def test_request_defaults_come_from_the_environment(monkeypatch):
    monkeypatch.setenv("FIX_ISSUES", "true")
    monkeypatch.setenv("STRICT_MODE", "true")
    request = ValidateRequest()
    assert request.fix_issues and request.strict_mode and request.target == "all"


@pytest.mark.parametrize("profile_name", ["tattoo_directory", "agent_system"])
def test_record_schema_gives_the_models_errors_for_every_entity(profile_name):
    """The checker validates dicts against a TypedDict twin of each model (faster); it must report exactly what the
    model would: same locations, types, messages and inputs, on records with random wrong and missing values."""
    junk = [None, 1, "x", 1.5, [], {}, NOW, -5, 500, "SW1A 1AA", ["a"], True, {"hourlyRate": "x"}, [{"url": 1}]]
    rnd = random.Random(3)  # noqa: S311 - reproducible test records, not crypto
    for entity in load_profile(profile_name).entities:
        schema = record_schema(entity.model)
        assert schema is not None, entity.name
        records = [
            {name: rnd.choice(junk) for name in entity.model.model_fields if rnd.random() < 0.8} for _ in range(200)
        ]
        errors = []
        for shape in (entity.model, schema):
            adapter: TypeAdapter[list[Any]] = TypeAdapter(list[shape])  # type: ignore[valid-type]
            with pytest.raises(ValidationError) as caught:
                adapter.validate_python(records)
            errors.append([(e["loc"], e["type"], e["msg"], repr(e.get("input"))) for e in caught.value.errors()])
        assert errors[0] == errors[1], entity.name


def test_record_schema_keeps_a_model_with_validators():
    class Checked(BaseModel):
        name: str

        @field_validator("name")
        @classmethod
        def _not_blank(cls, value: str) -> str:
            if not value.strip():
                raise ValueError("blank")
            return value

    assert record_schema(Checked) is None
