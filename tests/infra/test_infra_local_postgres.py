"""Where the local target's secret points: context DSN, then DATAOPS_PG_DSN, then the endpoints file, then defaults."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from dataops import naming
from infra.config import DeploymentContextError
from infra.local_postgres import PostgresConnection, resolve_local_postgres


def test_context_dsn_wins_over_environment_and_file(tmp_path: Path) -> None:
    endpoints = tmp_path / "endpoints.json"
    endpoints.write_text(json.dumps({"postgres": {"host": "file-host"}}))
    connection = resolve_local_postgres(
        "postgresql://app:secret@db.local:6543/appdb", {"DATAOPS_PG_DSN": "host=env-host"}, endpoints
    )
    assert connection == PostgresConnection(
        host="db.local", port=6543, dbname="appdb", username="app", password="secret"
    )


def test_environment_dsn_is_used_without_context(tmp_path: Path) -> None:
    connection = resolve_local_postgres(None, {"DATAOPS_PG_DSN": "host=/tmp/pg port=5433 user=me"}, tmp_path / "none")
    assert connection == PostgresConnection(host="/tmp/pg", port=5433, username="me")


def test_endpoints_file_written_by_the_local_stack_is_read_as_json(tmp_path: Path) -> None:
    endpoints = tmp_path / "endpoints.json"
    fields = {"host": "127.0.0.1", "port": 25432, "dbname": "d", "username": "u", "password": "p"}
    endpoints.write_text(json.dumps({"postgres": fields, "opensearch": {"url": "http://127.0.0.1:9200"}}))
    assert resolve_local_postgres(None, {}, endpoints) == PostgresConnection(**fields)


def test_defaults_match_the_local_stack_manager(tmp_path: Path) -> None:
    assert resolve_local_postgres(None, {}, tmp_path / "absent.json").secret_fields() == {
        "engine": "postgres",
        "host": "127.0.0.1",
        "port": 15432,
        "dbname": "dataops",
        "username": "dataops",
        "password": "dataops",
    }


def test_malformed_dsn_names_where_it_came_from(tmp_path: Path) -> None:
    with pytest.raises(DeploymentContextError, match="postgres_dsn"):
        resolve_local_postgres("not a dsn at all", {}, tmp_path / "absent.json")


def test_unreadable_endpoints_file_says_how_to_fix_it(tmp_path: Path) -> None:
    endpoints = tmp_path / "endpoints.json"
    endpoints.write_text("{not json")
    with pytest.raises(DeploymentContextError, match="make up"):
        resolve_local_postgres(None, {}, endpoints)


def test_each_stage_gets_its_own_database_on_the_local_server(tmp_path: Path) -> None:
    endpoints = tmp_path / "endpoints.json"
    endpoints.write_text(json.dumps({"postgres": {"host": "127.0.0.1", "port": 25432, "dbname": "dataops"}}))
    dev = resolve_local_postgres(None, {}, endpoints, database=naming.local_database_name("agent_system", "dev"))
    test = resolve_local_postgres(None, {}, endpoints, database=naming.local_database_name("agent_system", "e2e-b"))
    assert (dev.dbname, test.dbname) == ("dataops_agent_system_dev", "dataops_agent_system_e2e_b")
    assert dev.port == test.port == 25432
    own = resolve_local_postgres(None, {"DATAOPS_PG_DSN": "dbname=mine"}, endpoints, database="dataops_x_dev")
    assert own.dbname == "mine"  # a DSN names the database the user chose
