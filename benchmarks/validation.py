"""Schema validation throughput: ≥ 1M records at ≥ 100k records/s on one core (issue 6).

Records stream in batches of 500 through one pydantic `TypeAdapter` call per batch (the schema: the checker's
TypedDict twin of the entity model, which reports the model's errors without building instances), then
through the same RecordChecker the `validate` operation uses (schema + the profile's format rules, which include
the pure-Python geohash-matches-coordinates check). The naive peer calls `Model.model_validate` once per record.
Studios sit at 100,003 distinct points (more than the geohash cell cache holds), so the geohash rule decodes a new
hash for nearly every record, as it would for a table of real studios; the verdict is on the engine's rate.

    .venv/bin/python -m benchmarks.validation [--records 1000000] [--rules]
"""

from __future__ import annotations

import argparse
import random
import time
from collections.abc import Iterator
from typing import Any

from pydantic import TypeAdapter, ValidationError

from dataops.geo import encode_geohash
from dataops.operations.validate.checker import RecordChecker
from dataops.profiles import load_profile

BATCH = 500
NOW = "2025-01-01T00:00:00+00:00"


POINTS = 100_003  # distinct located points, more than the geohash cell cache holds: each lap misses it
POSTCODES = ("W1D 3RB", "SW1A 1AA", "M1 1AE", "EH1 1YZ", "BS1 5TR", "LS1 4DY", "N1 9GU", "E1 6AN")


def located_points(count: int = POINTS) -> list[tuple[float, float, str]]:
    """Distinct (latitude, longitude, geohash) around the UK, made before the clock starts: real studios each sit
    at their own point, so a benchmark with one shared geohash would only measure the cache."""
    rnd = random.Random(6)  # reproducible benchmark data
    points = []
    for _ in range(count):
        latitude, longitude = round(rnd.uniform(50.0, 58.0), 6), round(rnd.uniform(-5.5, 1.5), 6)
        points.append((latitude, longitude, encode_geohash(latitude, longitude, 7)))
    return points


def studios(count: int, points: list[tuple[float, float, str]]) -> Iterator[dict[str, Any]]:
    """Studio records at distinct points; every 1000th has a bad postcode and every 997th a geohash of another
    point, so both rules' error paths run too."""
    for number in range(count):
        latitude, longitude, geohash = points[number % len(points)]
        if number % 997 == 0:
            geohash = points[(number + 1) % len(points)][2]
        yield {
            "studioId": f"studio-{number}", "studioName": f"Studio {number}", "address": f"{number} Dean St, London",
            "postcode": POSTCODES[number & 7] if number % 1000 else "nowhere", "geohash": geohash,
            "latitude": latitude, "longitude": longitude, "specialties": ["traditional", "blackwork"],
            "createdAt": NOW, "updatedAt": NOW,
        }  # fmt: skip


def engine(count: int, categories: set[str], points: list[tuple[float, float, str]]) -> tuple[float, float, int]:
    """(wall seconds, CPU seconds, findings): on a shared machine the CPU time is what one core spent."""
    profile = load_profile("tattoo_directory")
    checker = RecordChecker(profile, categories)
    entity = profile.entity("studio")
    findings = 0
    batch: list[dict[str, Any]] = []
    started, cpu_started = time.perf_counter(), time.process_time()
    for record in studios(count, points):
        batch.append(record)
        if len(batch) == BATCH:
            findings += sum(map(len, checker.check_batch(entity, batch)))
            batch = []
    if batch:
        findings += sum(map(len, checker.check_batch(entity, batch)))
    return time.perf_counter() - started, time.process_time() - cpu_started, findings


def model_only(count: int, points: list[tuple[float, float, str]]) -> tuple[float, int]:
    """The entity model alone (types, required fields, enums, patterns, ranges), batched as the engine does."""
    profile = load_profile("tattoo_directory")
    adapter = RecordChecker(profile, {"schema"}).adapter(profile.entity("studio"))
    failures = 0
    batch: list[dict[str, Any]] = []
    started = time.perf_counter()
    for record in studios(count, points):
        batch.append(record)
        if len(batch) == BATCH:
            failures += _invalid(adapter, batch)
            batch = []
    failures += _invalid(adapter, batch)
    return time.perf_counter() - started, failures


def _invalid(adapter: TypeAdapter[list[Any]], batch: list[dict[str, Any]]) -> int:
    try:
        adapter.validate_python(batch)
    except ValidationError as exc:
        return exc.error_count()
    return 0


def naive(count: int, points: list[tuple[float, float, str]]) -> tuple[float, int]:
    model = load_profile("tattoo_directory").entity("studio").model
    errors = 0
    started = time.perf_counter()
    for record in studios(count, points):
        try:
            model.model_validate(record)
        except ValidationError:
            errors += 1
    return time.perf_counter() - started, errors


def run(records: int = 1_000_000, rules: bool = False, naive_records: int = 200_000) -> float:
    """Prints each variant's rate; returns the engine's (schema with its format rules, plus business with rules)."""
    categories = {"schema", "business"} if rules else {"schema"}
    points = located_points(min(POINTS, records))
    model_seconds, failures = model_only(records, points)
    rate = records / model_seconds
    print(f"batched model validation (TypeAdapter, {BATCH} a call): {records:,} records in {model_seconds:.2f} s "
          f"= {rate:,.0f} records/s ({failures:,} invalid)")  # fmt: skip
    seconds, cpu_seconds, findings = engine(records, categories, points)
    engine_rate = records / seconds
    print(f"engine, categories {'+'.join(sorted(categories))} (model + postcode + geohash-vs-coordinates rules): "
          f"{records:,} records in {seconds:.2f} s = {engine_rate:,.0f} records/s ({findings:,} findings); "
          f"{records / cpu_seconds:,.0f} records per CPU-second")  # fmt: skip
    naive_seconds, naive_errors = naive(naive_records, points)
    naive_rate = naive_records / naive_seconds
    print(f"naive per-record model_validate: {naive_records:,} records in {naive_seconds:.2f} s = "
          f"{naive_rate:,.0f} records/s ({naive_errors:,} invalid)")  # fmt: skip
    print(f"engine: {engine_rate / naive_rate:.2f}x the naive model-only peer; target ≥ 100,000 records/s with the "
          f"format rules: {'met' if engine_rate >= 100_000 else 'NOT met'}")  # fmt: skip
    return engine_rate


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--naive-records", type=int, default=200_000, help="the naive peer on a sample")
    parser.add_argument("--rules", action="store_true", help="also run the profile's business rules")
    args = parser.parse_args()
    run(args.records, args.rules, args.naive_records)


if __name__ == "__main__":
    main()
