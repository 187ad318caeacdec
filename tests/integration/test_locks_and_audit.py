"""The lease lock and audit trail against a real control table."""

import time
from datetime import UTC, datetime
from typing import Literal

import pytest

from dataops.audit import audit_records
from dataops.errors import LockHeld
from dataops.locks import LeaseLock, hold_lock
from dataops.models import ActionOutput, OperationRequest, OperationResult
from dataops.operations.framework import MUTATION_LOCK, Action, Operation
from dataops.stores.dynamodb import DynamoTable

pytestmark = pytest.mark.integration


@pytest.fixture
def control(dynamodb, scratch_table):
    return DynamoTable(dynamodb, scratch_table)


def test_second_holder_is_refused_with_the_owner_named(control):
    first = LeaseLock(control, "mutations", "cli:alice", lease_seconds=60)
    first.acquire()
    with pytest.raises(LockHeld, match=r"held by cli:alice for up to \d+s"):
        LeaseLock(control, "mutations", "cli:bob", lease_seconds=60).acquire()
    first.release()
    LeaseLock(control, "mutations", "cli:bob", lease_seconds=60).acquire()


def test_a_crashed_holders_lease_expires_and_can_be_taken(control):
    LeaseLock(control, "mutations", "lambda:crashed", lease_seconds=1).acquire()
    time.sleep(2.1)
    taker = LeaseLock(control, "mutations", "cli:bob", lease_seconds=60)
    taker.acquire()
    assert control.get(taker.key)["owner"] == "cli:bob"


def test_release_never_deletes_someone_elses_lock(control):
    stale = LeaseLock(control, "mutations", "lambda:slow", lease_seconds=1)
    stale.acquire()
    time.sleep(2.1)
    LeaseLock(control, "mutations", "cli:bob", lease_seconds=60).acquire()
    stale.release()
    assert control.get(stale.key)["owner"] == "cli:bob"


def test_held_lock_is_renewed_past_its_lease(control):
    with hold_lock(control, "mutations", "cli:alice", lease_seconds=2):
        time.sleep(3.5)
        with pytest.raises(LockHeld):
            LeaseLock(control, "mutations", "cli:bob", lease_seconds=2).acquire()
    assert control.get({"PK": "LOCK#mutations", "SK": "LOCK"}) is None


class TouchRequest(OperationRequest):
    action: Literal["touch"] = "touch"
    fail: bool = False


def make_touch(control, seen):
    def body(request: TouchRequest, stores) -> ActionOutput:
        seen.append(control.get({"PK": f"LOCK#{MUTATION_LOCK}", "SK": "LOCK"}))
        if request.fail:
            raise RuntimeError("disk on fire")
        return ActionOutput(counts={"touched": 3})

    return Operation(
        name="touch", result_model=OperationResult, actions=(Action(TouchRequest, body, mutates=lambda _r: True),)
    )


class Stores:
    def __init__(self, control):
        from dataops.profiles import load_profile

        self.control = control
        self.profile = load_profile("agent_system")


def test_mutating_run_holds_the_lock_and_writes_an_audit_record(control):
    seen: list = []
    make_touch(control, seen).run(TouchRequest(), Stores(control), actor="cli:tester")
    assert seen[0]["owner"] == "cli:tester", "the body ran while the lock was held"
    assert control.get({"PK": f"LOCK#{MUTATION_LOCK}", "SK": "LOCK"}) is None, "released afterwards"
    [record] = list(audit_records(control, datetime.now(UTC)))
    assert record["actor"] == "cli:tester" and record["operation"] == "touch"
    assert record["status"] == "succeeded" and record["counts"] == {"touched": 3}
    assert record["parameters"] == {"dry_run": False, "action": "touch", "fail": False}


def test_failed_mutation_is_audited_with_its_error_and_releases_the_lock(control):
    with pytest.raises(RuntimeError):
        make_touch(control, []).run(TouchRequest(fail=True), Stores(control), actor="cli:tester")
    [record] = list(audit_records(control, datetime.now(UTC)))
    assert record["status"] == "failed" and record["error"] == "disk on fire"
    assert control.get({"PK": f"LOCK#{MUTATION_LOCK}", "SK": "LOCK"}) is None


def test_dry_run_takes_no_lock_and_writes_nothing(control):
    seen: list = []
    make_touch(control, seen).run(TouchRequest(dry_run=True), Stores(control), actor="cli:tester")
    assert seen == [None]
    assert list(control.scan()) == []
