"""Run every benchmark at sizes that finish in minutes on a laptop: `python -m benchmarks [--only a,b] [sizes]`.

The targets are stated at full size; each module's own entry point takes the full-size flags (README, Benchmarks):
`python -m benchmarks.validation --records 1000000`, `python -m benchmarks.backup --pg-rows 1000000 ...`.
"""

from __future__ import annotations

import argparse

from benchmarks import backup, dynamodb_throughput, migrate_items, restore_index, seeding, sync, validation

BENCHMARKS = ("dynamodb", "migrate", "sync", "seeding", "validation", "backup", "restore-index")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", default=",".join(BENCHMARKS), help=f"Comma-separated: {', '.join(BENCHMARKS)}.")
    parser.add_argument("--items", type=int, default=20_000, help="Items in the DynamoDB benchmark table.")
    parser.add_argument("--artists", type=int, default=50_000, help="Artists in the sync benchmark.")
    parser.add_argument("--records", type=int, default=200_000, help="Records validated (full size: 1000000).")
    parser.add_argument("--pg-rows", type=int, default=100_000, help="Backup: PostgreSQL rows (full size: 1000000).")
    parser.add_argument("--ddb-items", type=int, default=20_000, help="Backup: DynamoDB items (full size: 100000).")
    parser.add_argument("--codec-mb", type=int, default=64, help="Backup: codec input in MB (full size: 256).")
    parser.add_argument(
        "--index-artists", type=int, default=10_000, help="Restore to a consistent index: artists (also: 50000)."
    )
    parser.add_argument("--backup-memory", action="store_true", help="Backup: also peak RSS at 100k vs 1M rows.")
    args = parser.parse_args()
    selected = set(args.only.split(","))
    if unknown := sorted(selected - set(BENCHMARKS)):
        parser.error(f"unknown benchmark(s) {unknown}; valid: {', '.join(BENCHMARKS)}")
    if "dynamodb" in selected:
        dynamodb_throughput.run(args.items)
    if "migrate" in selected:
        migrate_items.run(args.items // 2)
    if "sync" in selected:
        sync.run(args.artists)
    if "seeding" in selected:
        seeding.run()
    if "validation" in selected:
        print(f"schema validation, {args.records:,} studio records, one core")
        validation.run(args.records, rules=False, naive_records=min(args.records, 50_000))
        validation.run(args.records, rules=True, naive_records=min(args.records, 50_000))
    if "backup" in selected:
        backup.bench_codec(args.codec_mb)
        backup.bench_postgres(args.pg_rows)
        backup.bench_dynamodb(args.ddb_items)
        if args.backup_memory:
            backup.bench_memory()
    if "restore-index" in selected:
        restore_index.run(args.index_artists)


if __name__ == "__main__":
    main()
