"""Pure logic of dataops.local: PID files, port checks, endpoint parsing. Starts no service."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from dataops.local import LocalStackError, config, endpoints, process
from dataops.local.services import foreign_port_error
from dataops.local.stack import _services


@pytest.fixture
def state(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("DATAOPS_LOCAL_DIR", str(tmp_path))
    for var in ("GATEWAY_PORT", "DATAOPS_PG_PORT", "DATAOPS_OS_PORT", "DATAOPS_PG_DSN", "LAMBDA_PYTHON"):
        monkeypatch.delenv(var, raising=False)
    return tmp_path


# --- PID files ---------------------------------------------------------------------------------------------------


def test_pid_file_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "svc.pid"
    process.write_pid(path, 4242)
    assert path.read_text() == "4242\n"
    assert process.read_pid(path) == 4242


def test_read_pid_takes_first_line_like_postmaster_pid(tmp_path: Path) -> None:
    path = tmp_path / "postmaster.pid"
    path.write_text("777\n/var/lib/data\n1712346200\n15432\n\n127.0.0.1\n  0 1\nready\n")
    assert process.read_pid(path) == 777


@pytest.mark.parametrize("content", ["", "\n", "abc\n", "-5\n", "0\n"])
def test_read_pid_rejects_garbage(tmp_path: Path, content: str) -> None:
    path = tmp_path / "svc.pid"
    path.write_text(content)
    assert process.read_pid(path) is None


def test_read_pid_missing_file(tmp_path: Path) -> None:
    assert process.read_pid(tmp_path / "absent.pid") is None


def test_pid_alive_for_self_and_for_exited_child() -> None:
    assert process.pid_alive(os.getpid())
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    # Exited but not reaped: a zombie still answers kill(pid, 0); it must count as dead.
    process.wait_until(lambda: not process.pid_alive(child.pid), 5.0)
    assert not process.pid_alive(child.pid)


def test_live_pid_checks_the_command_line(tmp_path: Path) -> None:
    path = tmp_path / "svc.pid"
    process.write_pid(path, os.getpid())
    assert process.live_pid(path, "python") == os.getpid()
    # Same PID, different program: a reused PID must not be mistaken for our service.
    assert process.live_pid(path, "osmem-server-that-is-not-this-process") is None


def test_remove_stale_deletes_only_dead_pid_files(tmp_path: Path) -> None:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    stale, live = tmp_path / "stale.pid", tmp_path / "live.pid"
    process.write_pid(stale, child.pid)
    process.write_pid(live, os.getpid())
    assert process.remove_stale(stale, "python")
    assert not stale.exists()
    assert not process.remove_stale(live, "python")
    assert live.exists()


def test_spawn_detached_and_terminate(tmp_path: Path) -> None:
    log = tmp_path / "logs" / "sleeper.log"
    pid = process.spawn_detached(
        [sys.executable, "-c", "import time; print('hel' + 'lo', flush=True); time.sleep(60)"], log
    )
    assert process.pid_alive(pid)
    assert os.getpgid(pid) == pid  # own session, so Ctrl-C on our terminal does not reach it
    assert process.wait_until(lambda: "hello" in log.read_text(), 5.0)
    assert process.terminate(pid, timeout=5.0) is False  # it obeyed SIGTERM, no SIGKILL needed
    assert not process.pid_alive(pid)
    assert "starting:" in process.tail(log)


def test_terminate_escalates_to_sigkill(tmp_path: Path) -> None:
    # The marker is built at run time: the log's header line repeats the command, which must not match.
    code = "import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); print('ig' + 'noring', flush=True); "
    log = tmp_path / "stubborn.log"
    pid = process.spawn_detached([sys.executable, "-c", code + "time.sleep(60)"], log)
    assert process.wait_until(lambda: "ignoring" in log.read_text(), 5.0)
    assert process.terminate(pid, timeout=0.5) is True
    assert not process.pid_alive(pid)


def test_tail_of_missing_and_long_logs(tmp_path: Path) -> None:
    assert process.tail(tmp_path / "none.log") == "(no log file)"
    log = tmp_path / "long.log"
    log.write_text("".join(f"line {i}\n" for i in range(100)))
    assert process.tail(log, 3) == "line 97\nline 98\nline 99"


# --- ports -------------------------------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_port_in_use_with_listening_socket() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        port = sock.getsockname()[1]
        assert process.port_in_use(port)
        assert process.port_answers(port)


def test_port_in_use_with_bound_but_not_listening_socket() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
        assert process.port_in_use(port)
        assert not process.port_answers(port)


def test_free_port_is_not_in_use() -> None:
    port = _free_port()
    assert not process.port_in_use(port)
    assert not process.http_ok(f"http://127.0.0.1:{port}/", timeout=0.5)


def test_foreign_port_message_names_port_and_variable() -> None:
    err = foreign_port_error("ministack", 4566, "GATEWAY_PORT")
    assert "port 4566 is already in use by another process (not started by dataops)" in err.message
    assert "GATEWAY_PORT" in err.message


# --- configuration -------------------------------------------------------------------------------------------------


def test_state_dir_defaults_to_cwd(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("DATAOPS_LOCAL_DIR", raising=False)
    monkeypatch.chdir(tmp_path)
    assert config.state_dir() == tmp_path.resolve() / ".dataops" / "local"


def test_state_dir_and_ports_from_env(state: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATAOPS_PG_PORT", "25432")
    assert config.state_dir() == state.resolve()
    assert (config.ministack_port(), config.postgres_port(), config.opensearch_port()) == (4566, 25432, 9200)


@pytest.mark.parametrize("value", ["abc", "0", "70000"])
def test_bad_port_is_a_clear_error(state: Path, monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv("DATAOPS_OS_PORT", value)
    with pytest.raises(LocalStackError, match="DATAOPS_OS_PORT"):
        config.opensearch_port()


def test_lambda_python_env_wins(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LAMBDA_PYTHON", "/opt/py/bin/python3.12")
    assert config.lambda_python() == "/opt/py/bin/python3.12"


def test_unknown_service_name(state: Path) -> None:
    with pytest.raises(LocalStackError, match="unknown service"):
        _services(state, ["ministack", "redis"])


# --- endpoints -----------------------------------------------------------------------------------------------------


def test_local_postgres_endpoint_shape() -> None:
    ep = endpoints.local_postgres(15432)
    assert ep.model_dump() == {
        "host": "127.0.0.1",
        "port": 15432,
        "dbname": "dataops",
        "username": "dataops",
        "password": "dataops",
        "dsn": "postgresql://dataops:dataops@127.0.0.1:15432/dataops",
        "external": False,
    }


def test_parse_uri_dsn() -> None:
    ep = endpoints.parse_dsn("postgresql://app:s%40cret@db.example:6543/orders?sslmode=require")
    assert (ep.host, ep.port, ep.dbname, ep.username, ep.password) == ("db.example", 6543, "orders", "app", "s@cret")
    assert ep.external
    assert ep.dsn == "postgresql://app:s%40cret@db.example:6543/orders?sslmode=require"


def test_parse_keyword_dsn_with_defaults() -> None:
    ep = endpoints.parse_dsn("host=10.0.0.5 user=reporter")
    assert (ep.host, ep.port, ep.dbname, ep.username, ep.password) == ("10.0.0.5", 5432, "reporter", "reporter", "")


def test_parse_invalid_dsn() -> None:
    with pytest.raises(LocalStackError, match="DATAOPS_PG_DSN"):
        endpoints.parse_dsn("this is not = a dsn = at all")


def test_current_endpoints_follow_env(state: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GATEWAY_PORT", "4599")
    monkeypatch.setenv("DATAOPS_OS_PORT", "9299")
    monkeypatch.setenv("DATAOPS_PG_DSN", "postgresql://u:p@pg.internal:5433/d")
    current = endpoints.current(state)
    assert current.aws_endpoint == "http://127.0.0.1:4599"
    assert current.opensearch_endpoint == "http://127.0.0.1:9299"
    assert current.postgres.external and current.postgres.host == "pg.internal"
    assert current.ministack_python == str(state / "ministack-venv" / "bin" / "python")


def test_endpoints_round_trip(state: Path) -> None:
    assert endpoints.load_endpoints() is None
    written = endpoints.current(state)
    path = endpoints.write_endpoints(written, state)
    assert json.loads(path.read_text())["postgres"]["dsn"] == "postgresql://dataops:dataops@127.0.0.1:15432/dataops"
    assert endpoints.load_endpoints() == written


def test_corrupt_endpoints_file(state: Path) -> None:
    (state / "endpoints.json").write_text('{"aws_endpoint": 1}')
    with pytest.raises(LocalStackError, match="not a valid endpoints file"):
        endpoints.load_endpoints(state)
