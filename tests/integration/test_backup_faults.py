"""Faults on real stores: a broken, missing, interrupted or unopenable backup is named and never restored."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from dataops.backup import dumpers
from dataops.errors import InvalidRequest, StoreUnavailable
from dataops.locks import LeaseLock
from dataops.operations.backup import BACKUP
from dataops.operations.framework import MUTATION_LOCK
from dataops.operations.restore import RESTORE, BrokenBackup
from tests.integration.backup_support import (
    bucket_keys,
    dynamodb_snapshot,
    everything,
    fill_dynamodb,
    fill_postgres,
    migrate,
    postgres_snapshot,
)

pytestmark = pytest.mark.integration
REPO = Path(__file__).resolve().parents[2]


def run(operation, payload, stores):
    return operation.run(operation.parse(payload), stores)


@pytest.fixture(scope="module")
def agent(provisioned):
    stores = provisioned("agent_system")
    migrate(stores)
    fill_dynamodb(stores, 200)
    fill_postgres(stores, 40)
    return stores


@pytest.fixture(scope="module")
def good_backup(agent):
    return run(BACKUP, {"action": "create"}, agent).backup["backup_id"]


def change_data(stores):
    fill_dynamodb(stores, 30, tag="changed")
    with stores.postgres.transaction() as cursor:
        cursor.execute("UPDATE services SET name = name || ' changed'")


def manifest_of(stores, backup_id):
    return stores.backups.get_json(f"{stores.settings.backup_prefix}/{backup_id}/manifest.json")


def object_keys(stores, backup_id):
    return [entry["key"] for entry in manifest_of(stores, backup_id)["objects"]]


def fresh_backup(stores):
    """A fresh complete backup to damage, so each test spoils its own."""
    return run(BACKUP, {"action": "create"}, stores).backup["backup_id"]


def flip_byte(stores, key, position):
    data = bytearray(stores.backups.client.get_object(Bucket=stores.backups.bucket, Key=key)["Body"].read())
    data[position % len(data)] ^= 0x40
    stores.backups.put_bytes(key, bytes(data))


def test_flipped_byte_in_any_object_is_named_and_restore_writes_nothing(agent):
    backup_id = fresh_backup(agent)
    keys = object_keys(agent, backup_id)
    assert len(keys) == 4 + 3  # four DynamoDB scan segments, three PostgreSQL tables
    change_data(agent)
    for number, key in enumerate(keys):
        original = agent.backups.client.get_object(Bucket=agent.backups.bucket, Key=key)["Body"].read()
        flip_byte(agent, key, 10 + number * 37)
        result = run(BACKUP, {"action": "validate", "backup": backup_id}, agent)
        assert result.status == "failed"
        assert [problem.key for problem in result.problems] == [key]
        before = everything(agent)
        with pytest.raises(BrokenBackup, match=key):
            run(RESTORE, {"backup": backup_id}, agent)
        assert everything(agent) == before
        agent.backups.put_bytes(key, original)
    assert run(BACKUP, {"action": "validate", "backup": backup_id}, agent).problems == []


def test_missing_object_is_named_and_restore_refused(agent):
    backup_id = fresh_backup(agent)
    missing = object_keys(agent, backup_id)[-1]
    agent.backups.delete_keys([missing])
    result = run(BACKUP, {"action": "validate", "backup": backup_id}, agent)
    assert [(p.key, p.problem) for p in result.problems] == [(missing, "object is missing")]
    change_data(agent)
    before = everything(agent)
    with pytest.raises(BrokenBackup, match="object is missing"):
        run(RESTORE, {"backup": backup_id, "safety_backup": False}, agent)
    assert everything(agent) == before


def test_missing_manifest_makes_a_backup_incomplete_and_unrestorable(agent):
    backup_id = fresh_backup(agent)
    agent.backups.delete_keys([f"{agent.settings.backup_prefix}/{backup_id}/manifest.json"])
    listed = {s.backup_id: s for s in run(BACKUP, {"action": "list", "limit": 1000}, agent).backups}
    assert listed[backup_id].complete is False
    before = everything(agent)
    with pytest.raises(InvalidRequest, match="incomplete"):
        run(RESTORE, {"backup": backup_id}, agent)
    assert everything(agent) == before


def test_backup_failing_after_some_objects_never_completes(agent, monkeypatch):
    def fail_copy(cursor, table, out):
        raise RuntimeError("connection lost mid-backup")

    run(BACKUP, {"action": "create"}, agent)
    monkeypatch.setattr(dumpers, "dump_postgres_table", fail_copy)
    ids_before = {s.backup_id for s in run(BACKUP, {"action": "list", "limit": 1000}, agent).backups}
    with pytest.raises(RuntimeError, match="connection lost"):
        run(BACKUP, {"action": "create"}, agent)
    monkeypatch.undo()
    listed = run(BACKUP, {"action": "list", "limit": 1000}, agent).backups
    interrupted = [s for s in listed if s.backup_id not in ids_before]
    assert len(interrupted) == 1 and interrupted[0].complete is False
    with pytest.raises(InvalidRequest, match="incomplete"):
        run(RESTORE, {"backup": interrupted[0].backup_id}, agent)
    assert run(RESTORE, {"backup": "latest", "dry_run": True}, agent).backup["backup_id"] != interrupted[0].backup_id
    following = run(BACKUP, {"action": "create"}, agent)
    assert run(BACKUP, {"action": "validate", "backup": following.backup["backup_id"]}, agent).problems == []


KILLED_BACKUP = textwrap.dedent(
    """
    import sys, time
    from dataops.backup import dumpers
    from dataops.config import load_settings
    from dataops.operations.backup import BACKUP
    from dataops.profiles import load_profile
    from dataops.stores.data_stores import DataStores

    original = dumpers.dump_postgres_table
    def slow(cursor, table, out):
        columns = original(cursor, table, out)
        if table == "dependencies":
            print("first objects written", flush=True)
            time.sleep(600)
        return columns
    dumpers.dump_postgres_table = slow
    settings = load_settings(profile="agent_system", stage=sys.argv[1], target="local", endpoint_url=sys.argv[2])
    stores = DataStores(settings, load_profile("agent_system"))
    BACKUP.run(BACKUP.parse({"action": "create"}), stores)
    """
)


def test_backup_process_killed_midway_stays_incomplete_and_the_next_one_works(agent):
    ids_before = {s.backup_id for s in run(BACKUP, {"action": "list", "limit": 1000}, agent).backups}
    process = subprocess.Popen(
        [sys.executable, "-c", KILLED_BACKUP, agent.settings.stage, agent.settings.aws_endpoint],
        stdout=subprocess.PIPE,
        cwd=REPO,
        env={**os.environ},
    )
    try:
        assert process.stdout is not None
        assert process.stdout.readline().strip() == b"first objects written"
        time.sleep(1)
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
    listed = run(BACKUP, {"action": "list", "limit": 1000}, agent).backups
    killed = [s for s in listed if s.backup_id not in ids_before]
    assert len(killed) == 1 and killed[0].complete is False
    with pytest.raises(InvalidRequest, match="incomplete"):
        run(RESTORE, {"backup": killed[0].backup_id}, agent)
    # The killed run's lease would expire after its lease time; end it now instead of waiting.
    stale = LeaseLock(agent.control, MUTATION_LOCK, "killed")
    agent.control.client.delete_item(
        TableName=agent.control.name, Key={name: {"S": value} for name, value in stale.key.items()}
    )
    following = run(BACKUP, {"action": "create"}, agent)
    assert run(BACKUP, {"action": "validate", "backup": following.backup["backup_id"]}, agent).problems == []


def test_postgres_restore_failing_half_way_leaves_the_database_as_it_was(agent, good_backup):
    change_data(agent)
    with agent.postgres.transaction() as cursor:
        # Policies load last; the backup's global policies break this rule, so COPY fails after two tables.
        cursor.execute("ALTER TABLE policies ADD CONSTRAINT only_service CHECK (scope = 'service') NOT VALID")
    try:
        before_pg, before_dynamo = postgres_snapshot(agent), dynamodb_snapshot(agent)
        with pytest.raises(StoreUnavailable, match=r"rolled back.*only_service"):
            run(RESTORE, {"backup": good_backup, "safety_backup": False}, agent)
        assert postgres_snapshot(agent) == before_pg
        assert dynamodb_snapshot(agent) == before_dynamo
    finally:
        with agent.postgres.transaction() as cursor:
            cursor.execute("ALTER TABLE policies DROP CONSTRAINT only_service")


def test_disabled_kms_key_gives_a_clear_error_and_writes_nothing(agent, good_backup, kms):
    key_id = manifest_of(agent, good_backup)["encryption"]["kms_key_id"]
    before = everything(agent)
    kms.disable_key(KeyId=key_id)
    try:
        with pytest.raises(StoreUnavailable, match="could not unwrap"):
            run(RESTORE, {"backup": good_backup}, agent)
        with pytest.raises(StoreUnavailable, match="could not generate a data key"):
            run(BACKUP, {"action": "create"}, agent)
    finally:
        kms.enable_key(KeyId=key_id)
    assert everything(agent) == before


def test_wrong_kms_key_is_named(agent, kms):
    backup_id = fresh_backup(agent)
    key = f"{agent.settings.backup_prefix}/{backup_id}/manifest.json"
    manifest = agent.backups.get_json(key)
    manifest["encryption"]["kms_key_id"] = kms.create_key()["KeyMetadata"]["Arn"]
    agent.backups.put_bytes(key, json.dumps(manifest).encode())
    with pytest.raises(StoreUnavailable, match="wrong key"):
        run(BACKUP, {"action": "validate", "backup": backup_id}, agent)


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"backup": "20990101T000000000Z-abcdef"}, "backup"),
        ({"backup": "no-such-snapshot"}, "backup"),
        ({"backup": "latest", "tables": ["servicez"]}, "tables"),
        ({"backup": "latest", "surprise": 1}, "surprise"),
        ({}, "backup"),
    ],
)
def test_bad_restore_requests_name_the_field_and_write_nothing(agent, good_backup, payload, field):
    before, keys, audit = everything(agent), bucket_keys(agent), dynamodb_snapshot_of_control(agent)
    with pytest.raises(InvalidRequest, match=f"field '{field}'"):
        run(RESTORE, payload, agent)
    assert everything(agent) == before
    assert bucket_keys(agent) == keys
    assert dynamodb_snapshot_of_control(agent) == audit


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"action": "create", "tables": ["artists"]}, "tables"),
        ({"action": "create", "kind": "snapshot"}, "name"),
        ({"action": "create", "name": "../escape"}, "name"),
        ({"action": "validate"}, "backup"),
        ({"action": "explode"}, "action"),
        ({"action": "list", "next_token": "x"}, "next_token"),
    ],
)
def test_bad_backup_requests_name_the_field_and_write_nothing(agent, payload, field):
    keys = bucket_keys(agent)
    with pytest.raises(InvalidRequest, match=f"field '{field}'"):
        run(BACKUP, payload, agent)
    assert bucket_keys(agent) == keys


def dynamodb_snapshot_of_control(stores):
    return sorted(
        json.dumps(item, sort_keys=True)
        for page in stores.control.client.get_paginator("scan").paginate(TableName=stores.control.name)
        for item in page["Items"]
        if not item["PK"]["S"].startswith("LOCK")
    )


def test_restore_that_would_break_a_foreign_key_rolls_back(agent):
    # A backup of services alone, taken before a new service and a dependency on it exist.
    partial = run(BACKUP, {"action": "create", "tables": ["services"]}, agent).backup["backup_id"]
    with agent.postgres.transaction() as cursor:
        cursor.execute(
            "INSERT INTO services VALUES ('svc-late', 'late', 'team-1', 'standard', 'https://x', now(), now(), '{}')"
        )
        cursor.execute("INSERT INTO dependencies VALUES ('dep-late', 'svc-late', 'svc-00001', 'runtime', now())")
    before = postgres_snapshot(agent)
    with pytest.raises(StoreUnavailable, match=r"rolled back.*dependencies_service_id_fkey"):
        run(RESTORE, {"backup": partial, "safety_backup": False}, agent)
    assert postgres_snapshot(agent) == before
    with agent.postgres.transaction() as cursor:
        cursor.execute("SELECT count(*) FROM pg_constraint WHERE contype = 'f' AND conrelid = 'dependencies'::regclass")
        assert cursor.fetchone()[0] == 2
