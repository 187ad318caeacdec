"""The lease lock and audit trail against a real control table."""

import time
from datetime import UTC, datetime
from typing import Literal

import pytest

from dataops.audit import audit_records
from dataops.errors import LeaseLost, LockHeld
from dataops.locks import LeaseLock, hold_lock
from dataops.models import ActionOutput, OperationRequest, OperationResult, OperationStatus
from dataops.operations.framework import MUTATION_LOCK, Action, Lease, Operation, held_lease
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


class PlanJob(OperationRequest):
    action: Literal["plan"]


class UnitJob(OperationRequest):
    action: Literal["unit"]
    lease: str


class FinalizeJob(OperationRequest):
    action: Literal["finalize"]
    lease: str
    outcomes: list[int]


class AbortJob(OperationRequest):
    action: Literal["abort"]
    lease: str


class JobOutput(ActionOutput):
    lease: str | None = None


class JobResult(OperationResult, JobOutput):
    pass


def leased_job(control, seen):
    def planned(request, stores) -> JobOutput:
        return JobOutput(lease=held_lease().token)

    def worked(request, stores) -> JobOutput:
        seen.append(control.get({"PK": f"LOCK#{MUTATION_LOCK}", "SK": "LOCK"})["token"])
        return JobOutput(counts={"rows": 2})

    def finalized(request, stores) -> JobOutput:
        return JobOutput(counts={"rows": sum(request.outcomes)}).failed_because(
            "short" if 0 in request.outcomes else ""
        )

    def aborted(request, stores) -> JobOutput:
        return JobOutput(details={"still_ours": held_lease().holds()}).failed_because("a unit failed")

    return Operation(
        name="job",
        result_model=JobResult,
        actions=(
            Action(PlanJob, planned, lease=Lease.TAKE),
            Action(UnitJob, worked, lease=Lease.KEEP),
            Action(FinalizeJob, finalized, lease=Lease.RELEASE),
            Action(AbortJob, aborted, lease=Lease.ABANDON),
        ),
    )


def test_a_lease_spans_plan_units_and_finalize_and_one_audit_says_how_it_ended(control):
    seen: list = []
    job, stores = leased_job(control, seen), Stores(control)
    lease = job.run(job.parse({"action": "plan"}), stores, actor="wf").lease
    assert control.get({"PK": f"LOCK#{MUTATION_LOCK}", "SK": "LOCK"})["token"] == lease, "plan keeps it held"
    with pytest.raises(LockHeld):
        LeaseLock(control, MUTATION_LOCK, "cli:bob", lease_seconds=60).acquire()
    job.run(job.parse({"action": "unit", "lease": lease}), stores, actor="wf")
    assert seen == [lease]
    assert list(audit_records(control, datetime.now(UTC))) == [], "plan and units leave the audit to the end"
    result = job.run(job.parse({"action": "finalize", "lease": lease, "outcomes": [2, 0]}), stores, actor="wf")
    assert result.status == OperationStatus.FAILED
    assert control.get({"PK": f"LOCK#{MUTATION_LOCK}", "SK": "LOCK"}) is None, "finalize released it"
    [record] = list(audit_records(control, datetime.now(UTC)))
    assert record["action"] == "finalize" and record["error"] == "short" and record["counts"] == {"rows": 2}
    assert "lease" not in record["parameters"] and "outcomes" not in record["parameters"]


def test_after_an_abort_a_unit_is_refused_and_writes_nothing(control):
    seen: list = []
    job, stores = leased_job(control, seen), Stores(control)
    lease = job.run(job.parse({"action": "plan"}), stores, actor="wf").lease
    aborted = job.run(job.parse({"action": "abort", "lease": lease}), stores, actor="wf")
    assert aborted.details == {"still_ours": True} and aborted.status == OperationStatus.FAILED
    assert control.get({"PK": f"LOCK#{MUTATION_LOCK}", "SK": "LOCK"}) is None
    with pytest.raises(LeaseLost):
        job.run(job.parse({"action": "unit", "lease": lease}), stores, actor="wf")
    assert seen == [], "the unit's body never ran"
    [record] = list(audit_records(control, datetime.now(UTC)))
    assert record["action"] == "abort" and record["error"] == "a unit failed"


def test_a_failed_plan_releases_its_lease_and_is_audited(control):
    def broken(request, stores) -> JobOutput:
        raise RuntimeError("backup is broken")

    job = Operation(name="job", result_model=JobResult, actions=(Action(PlanJob, broken, lease=Lease.TAKE),))
    with pytest.raises(RuntimeError):
        job.run(job.parse({"action": "plan"}), Stores(control), actor="wf")
    assert control.get({"PK": f"LOCK#{MUTATION_LOCK}", "SK": "LOCK"}) is None
    [record] = list(audit_records(control, datetime.now(UTC)))
    assert record["status"] == "failed" and record["error"] == "backup is broken"
