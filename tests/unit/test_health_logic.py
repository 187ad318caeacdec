"""Health report logic with plain fakes: overall state, failures as one-line reasons, check selection."""

from types import SimpleNamespace

import pytest

from dataops.checks import CheckOutcome, CheckResult, HealthCheck
from dataops.config import load_settings
from dataops.errors import StoreUnavailable, UnknownName
from dataops.operations.health import HEALTH, HealthRequest, registry, run_health, store_checks
from dataops.operations.health.registry import overall_of
from dataops.profiles import load_profile

LISTED = registry.CHECKS  # the full list, before the fixture below narrows it


@pytest.fixture(autouse=True)
def only_store_checks(monkeypatch):
    """These fakes stand in for the stores alone; checks other capabilities own are tested with real stores."""
    built_in = tuple(check for check in registry.CHECKS if check.probe.__module__ == store_checks.__name__)
    monkeypatch.setattr(registry, "CHECKS", built_in)


def test_the_list_names_every_check_once_in_report_order():
    assert [check.name for check in LISTED] == [
        "Backup freshness",
        "DynamoDB table",
        "Control table",
        "Backup bucket",
        "Backup encryption key",
        "PostgreSQL secret",
        "PostgreSQL",
        "OpenSearch",
        "Search indexes",
        "Migrations",
        "Data Validation",
    ]
    tattoo = load_profile("tattoo_directory")
    assert [check.name for check in LISTED if check.applies(tattoo)] == [
        "Backup freshness",
        "DynamoDB table",
        "Control table",
        "Backup bucket",
        "Backup encryption key",
        "OpenSearch",
        "Search indexes",
        "Migrations",
        "Data Validation",
    ]


def result(status):
    return CheckResult(name=status, status=status, message="", latency_ms=0)


@pytest.mark.parametrize(
    ("statuses", "overall"),
    [
        (["pass", "pass"], "healthy"),
        (["pass", "warn"], "warning"),
        (["warn", "fail", "pass"], "critical"),
        ([], "healthy"),
    ],
)
def test_overall_is_the_worst_check(statuses, overall):
    assert overall_of([result(status) for status in statuses]) == overall


def test_a_crashing_probe_becomes_a_failed_check_without_traceback():
    def probe(_stores):
        raise RuntimeError("socket closed\n  File 'x.py', line 3")

    outcome = HealthCheck(name="Thing", probe=probe, applies=lambda _p: True).run(None)
    assert outcome.status == "fail"
    assert outcome.message == "RuntimeError: socket closed"


def test_a_store_error_keeps_its_message():
    def probe(_stores):
        raise StoreUnavailable("PostgreSQL at dataops@127.0.0.1:1/dataops is unreachable: connection refused")

    outcome = HealthCheck(name="PostgreSQL", probe=probe, applies=lambda _p: True).run(None)
    assert outcome.status == "fail" and "PostgreSQL at" in outcome.message


class FakeTable:
    def __init__(self, name, indexes=(), stream=True):
        self.name = name
        self._indexes = indexes
        self._stream = stream

    def describe(self):
        return {
            "TableStatus": "ACTIVE",
            "ItemCount": 3,
            "GlobalSecondaryIndexes": [{"IndexName": name} for name in self._indexes],
            "StreamSpecification": {"StreamEnabled": self._stream},
        }


class FakePostgres:
    def __init__(self, up=True):
        self.up = up
        self.params = {"user": "dataops", "host": "127.0.0.1", "port": 15432, "dbname": "dataops"}

    def server_version(self):
        if not self.up:
            raise StoreUnavailable("PostgreSQL at dataops@127.0.0.1:15432/dataops is unreachable: connection refused")
        return "18.6"


def fake_stores(profile_name="agent_system", *, postgres_up=True, indexes=("GSI1",), stream=True):
    return SimpleNamespace(
        profile=load_profile(profile_name),
        settings=load_settings(profile=profile_name),
        table=FakeTable("ai-agent-system-dev", indexes, stream),
        control=FakeTable("control"),
        backups=SimpleNamespace(bucket="b", head_bucket=lambda: None),
        backup_key=SimpleNamespace(key_id="alias/k", describe=lambda: {"Enabled": True, "KeyState": "Enabled"}),
        postgres_secret_id="dataops/agent-system/dev/postgres",
        secrets=SimpleNamespace(describe=lambda secret_id: {"Name": secret_id, "ARN": "arn:secret"}),
        postgres=FakePostgres(postgres_up),
    )


def test_all_stores_answering_is_healthy():
    report = run_health(HealthRequest(), fake_stores())
    assert report.overall == "healthy"
    assert {check.name for check in report.checks} == {
        "DynamoDB table",
        "Control table",
        "Backup bucket",
        "Backup encryption key",
        "PostgreSQL secret",
        "PostgreSQL",
    }
    assert report.counts == {"pass": 6, "warn": 0, "fail": 0}


def test_postgres_down_is_critical_and_names_postgres():
    report = run_health(HealthRequest(), fake_stores(postgres_up=False))
    assert report.overall == "critical"
    [failed] = [check for check in report.checks if check.status == "fail"]
    assert failed.name == "PostgreSQL" and "unreachable" in failed.message


def test_missing_index_fails_and_missing_stream_warns():
    assert run_health(HealthRequest(), fake_stores(indexes=())).overall == "critical"
    assert run_health(HealthRequest(), fake_stores(stream=False)).overall == "warning"


def test_check_selection_runs_only_named_checks_and_refuses_unknown_names():
    report = run_health(HealthRequest(checks=["Backup bucket"]), fake_stores())
    assert [check.name for check in report.checks] == ["Backup bucket"]
    # The framework runs an action's check before its body, so an unknown name is refused before any probe.
    with pytest.raises(UnknownName, match="unknown checks 'Redis'"):
        HEALTH.check(HealthRequest(checks=["Redis"]), fake_stores())


def test_every_listed_check_runs_for_the_profiles_it_applies_to(monkeypatch):
    def backup_age(_stores):
        return CheckOutcome("warn", "newest backup is 30 hours old")

    extra = HealthCheck("Backup age", backup_age, applies=lambda profile: profile.name == "agent_system")
    monkeypatch.setattr(registry, "CHECKS", (*registry.CHECKS, extra))
    report = run_health(HealthRequest(), fake_stores())
    assert report.overall == "warning"
    assert report.checks[-1].name == "Backup age"
