"""The operation framework's pure logic: per-action request models, the envelope, and the one registry."""

import ast
from pathlib import Path
from types import SimpleNamespace
from typing import Any, Literal

import pytest

from dataops.errors import InvalidRequest, UnknownName
from dataops.models import ActionOutput, LeasedRequest, OperationRequest, OperationResult, OperationStatus
from dataops.operations.framework import Action, Lease, Operation
from dataops.registry import DEPLOY_TIME_FUNCTIONS, DEPLOYED_OPERATIONS, OPERATIONS, operation_named

ROOT = Path(__file__).resolve().parents[2]


class CreateShelf(OperationRequest):
    action: Literal["create"]
    name: str
    size: int = 3


class ListShelves(OperationRequest):
    action: Literal["list"]
    limit: int = 10


class ShelfOutput(ActionOutput):
    shelf: str | None = None


class ShelfResult(OperationResult, ShelfOutput):
    pass


def create(request: CreateShelf, stores) -> ShelfOutput:
    return ShelfOutput(shelf=request.name, counts={"created": request.size}).failed_if(request.size == 0)


def list_shelves(request: ListShelves, stores) -> ShelfOutput:
    return ShelfOutput(counts={"listed": request.limit})


def shelves(default_action: str | None = None) -> Operation:
    return Operation(
        name="shelves",
        result_model=ShelfResult,
        actions=(Action(CreateShelf, create, mutates=True), Action(ListShelves, list_shelves)),
        default_action=default_action,
    )


STORES = SimpleNamespace(profile=SimpleNamespace(name="agent_system"))


def problems(error: pytest.ExceptionInfo[InvalidRequest]) -> dict[str, str]:
    return dict(error.value.problems)


def test_each_action_is_parsed_by_its_own_model():
    operation = shelves()
    assert isinstance(operation.parse({"action": "create", "name": "a"}), CreateShelf)
    assert isinstance(operation.parse({"action": "list", "limit": 2}), ListShelves)
    assert operation.action_names == ("create", "list")
    assert operation.request_fields == {"action", "dry_run", "name", "size", "limit"}


def test_the_fields_a_payload_may_carry_are_its_own_actions():
    # The CLI fills shell switches (DRY_RUN, ...) only into fields the payload's action takes.
    operation = shelves(default_action="list")
    assert operation.fields_for({}) == {"action", "dry_run", "limit"}
    assert operation.fields_for({"action": "list"}) == {"action", "dry_run", "limit"}
    assert operation.fields_for({"action": "create"}) == {"action", "dry_run", "name", "size"}
    assert operation.fields_for({"action": "nope"}) == operation.request_fields


def test_a_field_of_another_action_is_refused_naming_the_action_and_its_owner():
    with pytest.raises(InvalidRequest) as error:
        shelves().parse({"action": "list", "name": "a"})
    assert problems(error) == {"name": "action 'list' does not take this field (it belongs to create)"}


def test_a_field_no_action_has_is_refused_as_unknown():
    with pytest.raises(InvalidRequest) as error:
        shelves().parse({"action": "list", "colour": "red"})
    assert problems(error) == {"colour": "unknown field; remove it (action 'list')"}


def test_an_invalid_value_names_the_field_and_the_action():
    with pytest.raises(InvalidRequest) as error:
        shelves().parse({"action": "create", "name": "a", "size": "many"})
    [(field, reason)] = error.value.problems
    assert field == "size" and reason.endswith("(action 'create')")


def test_a_missing_or_unknown_action_lists_the_valid_ones():
    with pytest.raises(InvalidRequest) as missing:
        shelves().parse({"name": "a"})
    assert problems(missing) == {"action": "required; one of 'create', 'list'"}
    with pytest.raises(InvalidRequest) as unknown:
        shelves().parse({"action": "drop"})
    assert problems(unknown) == {"action": "Input should be one of 'create', 'list' (got 'drop')"}


def test_without_an_action_the_other_bad_fields_are_still_named():
    with pytest.raises(InvalidRequest) as error:
        shelves().parse({"colour": "red", "dry_run": "sometimes", "name": "a"})
    found = problems(error)
    assert set(found) == {"action", "colour", "dry_run"}
    assert found["colour"] == "unknown field; remove it" and "valid boolean" in found["dry_run"]


def test_the_default_action_applies_when_action_is_absent():
    assert isinstance(shelves(default_action="list").parse({}), ListShelves)


def test_a_payload_that_is_not_an_object_is_refused():
    with pytest.raises(InvalidRequest) as error:
        shelves().parse(["create"])
    assert problems(error) == {"(event)": "must be a JSON object, got list"}


def test_the_framework_fills_the_envelope_around_what_the_body_returns():
    result = shelves().execute(CreateShelf(action="create", name="oak"), STORES)
    assert isinstance(result, ShelfResult)
    assert (result.operation, result.action, result.status, result.profile) == (
        "shelves",
        "create",
        OperationStatus.SUCCEEDED,
        "agent_system",
    )
    assert result.shelf == "oak" and result.counts == {"created": 3} and result.duration_ms >= 0
    event = result.to_event()
    assert list(event)[:7] == ["operation", "action", "status", "profile", "started_at", "duration_ms", "version"]


def test_failed_if_and_dry_run_decide_the_status():
    operation = shelves()
    assert operation.execute(CreateShelf(action="create", name="o", size=0), STORES).status == OperationStatus.FAILED
    dry = operation.execute(CreateShelf(action="create", name="o", dry_run=True), STORES)
    assert dry.status == OperationStatus.DRY_RUN


def test_changes_data_follows_the_action():
    operation = shelves()
    assert operation.changes_data(CreateShelf(action="create", name="o"))
    assert not operation.changes_data(ListShelves(action="list"))


def test_two_actions_claiming_one_name_are_refused():
    twice = Operation(name="x", result_model=ShelfResult, actions=(Action(ListShelves, list_shelves),) * 2)
    with pytest.raises(TypeError, match="two actions accept action 'list'"):
        twice.by_name  # noqa: B018 - the property raises


def test_the_registry_finds_every_operation_under_its_own_name():
    for name in OPERATIONS:
        assert operation_named(name).name == name
    with pytest.raises(UnknownName):
        operation_named("teleport")
    assert set(DEPLOYED_OPERATIONS) | set(DEPLOY_TIME_FUNCTIONS) == set(OPERATIONS)


def test_every_deployed_operation_has_a_handler_made_by_the_factory():
    for name in DEPLOYED_OPERATIONS:
        source = (ROOT / "functions" / name / "handler.py").read_text()
        assert f'lambda_handler = lambda_handler_for("{name}")' in source, name


def test_no_handler_traces_its_response():
    # Results quote record values (validation messages do); traces must not carry them.
    sources = [*sorted((ROOT / "functions").glob("*/handler.py")), ROOT / "layers" / "dataops" / "runtime.py"]
    decorators = 0
    for source in sources:
        for node in ast.walk(ast.parse(source.read_text())):
            if isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "capture_lambda_handler":
                decorators += 1
                keywords = {keyword.arg: keyword.value for keyword in node.keywords}
                captured = keywords.get("capture_response")
                assert isinstance(captured, ast.Constant) and captured.value is False, source
    assert decorators >= 2, "the factory and the stream handler both trace"


class UnitStep(LeasedRequest):
    action: Literal["unit"]


def test_a_dry_run_of_a_step_under_a_lease_is_refused_before_anything_runs():
    ran: list[str] = []
    job: Operation[Any, ShelfResult] = Operation(
        name="job",
        result_model=ShelfResult,
        actions=(
            Action(ListShelves, list_shelves, lease=Lease.TAKE),
            Action(UnitStep, lambda request, stores: ran.append("unit") or ShelfOutput(), lease=Lease.KEEP),
        ),
    )
    with pytest.raises(InvalidRequest) as error:
        job.run(job.parse({"action": "unit", "lease": "f00d", "dry_run": True}), STORES)
    assert problems(error) == {"dry_run": "a dry run stops at plan; unit writes"}
    assert ran == []
    with pytest.raises(InvalidRequest) as missing:
        job.parse({"action": "unit"})
    assert "lease" in problems(missing)
