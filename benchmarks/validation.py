"""Schema validation throughput: ≥ 1M records at ≥ 100k records/s on one core (issue 6).

Records stream in batches of 500 through one pydantic `TypeAdapter(list[Model])` call per batch (the schema), then
through the same RecordChecker the `validate` operation uses (schema + the profile's format rules, which include
the pure-Python geohash-matches-coordinates check). The naive peer calls `Model.model_validate` once per record.

    .venv/bin/python -m benchmarks.validation [--records 1000000] [--rules]
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Iterator
from typing import Any

from pydantic import ValidationError

from dataops.geo import encode_geohash
from dataops.operations.validate.checker import RecordChecker
from dataops.profiles import load_profile

BATCH = 500
NOW = "2025-01-01T00:00:00+00:00"


def studios(count: int) -> Iterator[dict[str, Any]]:
    """Distinct studio records; every 1000th has a bad postcode so the error path is exercised too."""
    geohash = encode_geohash(51.5136, -0.1365, 7)
    for number in range(count):
        yield {
            "studioId": f"studio-{number}", "studioName": f"Studio {number}", "address": f"{number} Dean St, London",
            "postcode": "W1D 3RB" if number % 1000 else "nowhere", "geohash": geohash, "latitude": 51.5136,
            "longitude": -0.1365, "specialties": ["traditional", "blackwork"], "createdAt": NOW, "updatedAt": NOW,
        }  # fmt: skip


def engine(count: int, categories: set[str]) -> tuple[float, int]:
    profile = load_profile("tattoo_directory")
    checker = RecordChecker(profile, categories)
    entity = profile.entity("studio")
    findings = 0
    batch: list[dict[str, Any]] = []
    started = time.perf_counter()
    for record in studios(count):
        batch.append(record)
        if len(batch) == BATCH:
            findings += sum(map(len, checker.check_batch(entity, batch)))
            batch = []
    if batch:
        findings += sum(map(len, checker.check_batch(entity, batch)))
    return time.perf_counter() - started, findings


def model_only(count: int) -> tuple[float, int]:
    """The entity model alone (types, required fields, enums, patterns, ranges), batched as the engine does."""
    profile = load_profile("tattoo_directory")
    adapter = RecordChecker(profile, {"schema"}).adapter(profile.entity("studio"))
    failures = 0
    batch: list[dict[str, Any]] = []
    started = time.perf_counter()
    for record in studios(count):
        batch.append(record)
        if len(batch) == BATCH:
            try:
                adapter.validate_python(batch)
            except ValidationError as exc:
                failures += exc.error_count()
            batch = []
    return time.perf_counter() - started, failures


def naive(count: int) -> tuple[float, int]:
    model = load_profile("tattoo_directory").entity("studio").model
    errors = 0
    started = time.perf_counter()
    for record in studios(count):
        try:
            model.model_validate(record)
        except ValidationError:
            errors += 1
    return time.perf_counter() - started, errors


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--naive-records", type=int, default=200_000, help="the naive peer on a sample")
    parser.add_argument("--rules", action="store_true", help="also run the profile's business and format rules")
    args = parser.parse_args()
    categories = {"schema", "business"} if args.rules else {"schema"}
    model_seconds, failures = model_only(args.records)
    rate = args.records / model_seconds
    print(f"batched model validation (TypeAdapter, {BATCH} a call): {args.records:,} records in {model_seconds:.2f} s "
          f"= {rate:,.0f} records/s ({failures:,} invalid)")  # fmt: skip
    seconds, findings = engine(args.records, categories)
    print(f"engine, categories {'+'.join(sorted(categories))} (model + postcode + geohash-vs-coordinates rules): "
          f"{args.records:,} records in {seconds:.2f} s = {args.records / seconds:,.0f} records/s "
          f"({findings:,} findings)")  # fmt: skip
    naive_seconds, naive_errors = naive(args.naive_records)
    naive_rate = args.naive_records / naive_seconds
    print(f"naive per-record model_validate: {args.naive_records:,} records in {naive_seconds:.2f} s = "
          f"{naive_rate:,.0f} records/s ({naive_errors:,} invalid)")  # fmt: skip
    print(f"ratio: {rate / naive_rate:.2f}x the naive peer; target ≥ 100,000 records/s: "
          f"{'met' if rate >= 100_000 else 'NOT met'}")  # fmt: skip


if __name__ == "__main__":
    main()
