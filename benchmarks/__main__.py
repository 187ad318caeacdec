"""Run every benchmark: `python -m benchmarks [--items N]`."""

from __future__ import annotations

import argparse

from benchmarks import dynamodb_throughput, migrate_items, seeding, sync


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--items", type=int, default=20_000, help="Items in the DynamoDB benchmark table.")
    parser.add_argument("--artists", type=int, default=50_000, help="Artists in the sync benchmark.")
    args = parser.parse_args()
    dynamodb_throughput.run(args.items)
    migrate_items.run(args.items // 2)
    sync.run(args.artists)
    seeding.run()


main()
