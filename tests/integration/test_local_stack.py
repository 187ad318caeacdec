"""The local-stack manager against a real osmem-server, in a private state folder.

Only osmem-server is started here (it is up in well under a second), on a free port of its own, so this test never
touches the shared stack in ./.dataops/local. MiniStack and PostgreSQL go through the same code paths
(services.DetachedService, process.*) and are exercised by `dataops local up` itself.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from dataops.local import LocalStackError, down, load_endpoints, status, up
from dataops.local import process as proc

pytestmark = pytest.mark.integration


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def private_stack(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv("DATAOPS_LOCAL_DIR", str(tmp_path / "local"))
    monkeypatch.setenv("DATAOPS_OS_PORT", str(_free_port()))
    monkeypatch.delenv("DATAOPS_PG_DSN", raising=False)
    yield tmp_path / "local"
    # Whatever happened above, leave no osmem-server behind.
    down(only=["opensearch"])


def _opensearch_status() -> dict[str, object]:
    [row] = status(only=["opensearch"])
    return row.model_dump()


def test_up_is_idempotent_and_down_stops_it(private_stack: Path) -> None:
    [first] = up(only=["opensearch"])
    assert first.action == "started"
    pid = first.status.pid
    assert pid is not None and proc.pid_alive(pid)
    assert (private_stack / "opensearch.pid").read_text().strip() == str(pid)

    assert proc.http_ok(first.status.url + "/")

    [second] = up(only=["opensearch"])
    assert second.action == "running"
    assert second.status.pid == pid  # left alone, not restarted

    endpoints = load_endpoints()
    assert endpoints is not None
    assert endpoints.opensearch_endpoint == first.status.url
    assert endpoints.postgres.dsn == "postgresql://dataops:dataops@127.0.0.1:15432/dataops"
    assert _opensearch_status()["state"] == "running"

    assert down(only=["opensearch"]) == ["opensearch"]
    assert proc.wait_until(lambda: not proc.pid_alive(pid), 5.0)
    assert not (private_stack / "opensearch.pid").exists()
    assert _opensearch_status() | {"log": None} == {
        "name": "opensearch",
        "state": "stopped",
        "pid": None,
        "port": first.status.port,
        "url": first.status.url,
        "log": None,
    }
    assert down(only=["opensearch"]) == []  # nothing left to stop


def test_down_removes_stale_pid_file(private_stack: Path) -> None:
    private_stack.mkdir(parents=True)
    # A PID that is certainly not osmem-server: ours. down must not signal it, only drop the file.
    proc.write_pid(private_stack / "opensearch.pid", os.getpid())
    assert down(only=["opensearch"]) == []
    assert not (private_stack / "opensearch.pid").exists()


def test_foreign_port_is_a_clear_error(private_stack: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with socket.socket() as foreign:
        foreign.bind(("127.0.0.1", 0))
        foreign.listen()
        port = foreign.getsockname()[1]
        monkeypatch.setenv("DATAOPS_OS_PORT", str(port))

        assert _opensearch_status()["state"] == "foreign-port"
        with pytest.raises(LocalStackError) as caught:
            up(only=["opensearch"])
        message = str(caught.value)
        assert f"port {port} is already in use by another process (not started by dataops)" in message
        assert "DATAOPS_OS_PORT" in message

        assert down(only=["opensearch"]) == []  # never touches what is not ours
        assert proc.port_answers(port)
    assert not (private_stack / "opensearch.pid").exists()
