"""Bad input gives one clear error naming the field; environment defaults fill absent fields."""

import pytest

from dataops.errors import InvalidRequest
from dataops.operations.health import HEALTH
from dataops.operations.status import STATUS


@pytest.mark.parametrize(
    ("payload", "field", "reason"),
    [
        ({"action": "nope"}, "action", "Input should be 'check' (got 'nope')"),
        ({"action": "check", "colour": "red"}, "colour", "unknown field; remove it"),
        ({"record": "maybe"}, "record", "valid boolean"),
        ({"checks": "PostgreSQL"}, "checks", "valid list"),
        ({"dry_run": []}, "dry_run", "valid boolean"),
    ],
)
def test_health_refuses_bad_payload_naming_the_field(payload, field, reason):
    with pytest.raises(InvalidRequest) as caught:
        HEALTH.parse(payload)
    assert f"field '{field}'" in caught.value.message
    assert reason in caught.value.message
    assert "Traceback" not in caught.value.message


def test_status_refuses_unknown_action_and_lists_fields_once():
    with pytest.raises(InvalidRequest) as caught:
        STATUS.parse({"action": "list", "extra": 1})
    message = caught.value.message
    assert message.startswith("invalid request: ")
    assert "field 'action'" in message and "field 'extra'" in message


@pytest.mark.parametrize("event", [["action", "check"], "check", 42])
def test_non_object_event_is_refused(event):
    with pytest.raises(InvalidRequest, match=r"field '\(event\)': must be a JSON object"):
        HEALTH.parse(event)


def test_missing_event_means_defaults():
    request = HEALTH.parse(None)
    assert request.action == "check"
    assert request.record is False


def test_dry_run_defaults_from_environment(monkeypatch):
    monkeypatch.setenv("DRY_RUN", "true")
    assert HEALTH.parse({}).dry_run is True
    assert HEALTH.parse({"dry_run": False}).dry_run is False


def test_bad_environment_default_names_the_variable(monkeypatch):
    monkeypatch.setenv("DRY_RUN", "perhaps")
    with pytest.raises(InvalidRequest, match="DRY_RUN"):
        HEALTH.parse({})
