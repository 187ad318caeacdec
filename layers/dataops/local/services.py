"""The services of the local stack: a small protocol, and the two that are plain detached processes."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Literal, Protocol

from pydantic import BaseModel

from dataops.local import config, process
from dataops.local.errors import LocalStackError

State = Literal["running", "starting", "stopped", "external", "foreign-port"]
Action = Literal["started", "running", "external"]
Progress = Callable[[str], None]


class ServiceStatus(BaseModel):
    name: str
    state: State
    pid: int | None
    port: int
    url: str
    log: str


class StartResult(BaseModel):
    name: str
    action: Action
    seconds: float
    status: ServiceStatus


class Service(Protocol):
    name: str
    port_env: str

    @property
    def port(self) -> int: ...

    def status(self) -> ServiceStatus: ...

    def start(self, progress: Progress) -> StartResult: ...

    def stop(self) -> bool: ...


def foreign_port_error(name: str, port: int, port_env: str) -> LocalStackError:
    return LocalStackError(
        f"{name}: port {port} is already in use by another process (not started by dataops); "
        f"stop it or set {port_env} to a free port"
    )


def not_ready_error(name: str, why: str, log: Path) -> LocalStackError:
    return LocalStackError(f"{name} {why}; see {log}. Last lines:\n{process.tail(log)}")


class DetachedService:
    """A server we spawn ourselves and track with our own PID file; ready when its HTTP URL answers 200."""

    name = ""
    port_env = ""
    needle = ""  # part of the command line, to tell our process from a reused PID
    timeout = 30.0

    def __init__(self, base: Path) -> None:
        self.base = base

    @property
    def port(self) -> int:
        raise NotImplementedError

    @property
    def url(self) -> str:
        return f"http://{config.HOST}:{self.port}"

    @property
    def ready_url(self) -> str:
        return self.url + "/"

    @property
    def pid_file(self) -> Path:
        return self.base / f"{self.name}.pid"

    @property
    def log_file(self) -> Path:
        return self.base / f"{self.name}.log"

    def command(self) -> tuple[list[str], dict[str, str]]:
        raise NotImplementedError

    def prepare(self, progress: Progress) -> None:
        """Anything to do before the first start (e.g. build a venv)."""

    def ready(self) -> bool:
        return process.http_ok(self.ready_url)

    def status(self) -> ServiceStatus:
        pid = process.live_pid(self.pid_file, self.needle)
        if pid is not None:
            state: State = "running" if self.ready() else "starting"
        else:
            state = "foreign-port" if process.port_in_use(self.port, config.HOST) else "stopped"
        return ServiceStatus(name=self.name, state=state, pid=pid, port=self.port, url=self.url, log=str(self.log_file))

    def start(self, progress: Progress) -> StartResult:
        pid = process.live_pid(self.pid_file, self.needle)
        if pid is not None:
            # Ours already: a previous `up`, or one still starting in another terminal.
            if not process.wait_until(self.ready, self.timeout, 0.2):
                why = f"(pid {pid}) did not answer within {self.timeout:.0f} s"
                raise not_ready_error(self.name, why, self.log_file)
            return StartResult(name=self.name, action="running", seconds=0.0, status=self.status())
        process.remove_stale(self.pid_file, self.needle)
        if process.port_in_use(self.port, config.HOST):
            raise foreign_port_error(self.name, self.port, self.port_env)
        self.prepare(progress)
        progress(f"starting {self.name} on port {self.port}")
        argv, env = self.command()
        started = time.monotonic()
        pid = process.spawn_detached(argv, self.log_file, env=env, cwd=self.base)
        process.write_pid(self.pid_file, pid)
        if not process.wait_until(lambda: self.ready() or not process.pid_alive(pid), self.timeout, 0.1):
            process.terminate(pid)
            self.pid_file.unlink(missing_ok=True)
            raise not_ready_error(self.name, f"did not become ready within {self.timeout:.0f} s", self.log_file)
        if not process.pid_alive(pid):
            self.pid_file.unlink(missing_ok=True)
            raise not_ready_error(self.name, "exited during start-up", self.log_file)
        return StartResult(name=self.name, action="started", seconds=time.monotonic() - started, status=self.status())

    def stop(self) -> bool:
        pid = process.live_pid(self.pid_file, self.needle)
        if pid is not None:
            process.terminate(pid, timeout=15.0)
        self.pid_file.unlink(missing_ok=True)
        return pid is not None


def _clean_env(extra: dict[str, str]) -> dict[str, str]:
    env = dict(os.environ)
    # Our own venv must not leak into the child: MiniStack's Lambda workers would import the project's packages
    # and hide a missing layer dependency.
    for var in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV", "PYTHONSTARTUP"):
        env.pop(var, None)
    env.update(extra)
    return env


class MiniStack(DetachedService):
    name = "ministack"
    port_env = "GATEWAY_PORT"
    needle = "ministack"
    timeout = 60.0

    def __init__(self, base: Path) -> None:
        super().__init__(base)
        self.venv_seconds: float | None = None

    @property
    def port(self) -> int:
        return config.ministack_port()

    @property
    def ready_url(self) -> str:
        return self.url + "/_localstack/health"

    def prepare(self, progress: Progress) -> None:
        from dataops.local.venv import ensure_ministack_venv, venv_is_current

        venv = config.ministack_venv(self.base)
        if not venv_is_current(venv, config.lambda_python()):
            progress(f"creating MiniStack venv at {venv} from {config.lambda_python()}")
        _, self.venv_seconds = ensure_ministack_venv(venv)
        if self.venv_seconds is not None:
            progress(f"MiniStack venv ready in {self.venv_seconds:.1f} s")

    def command(self) -> tuple[list[str], dict[str, str]]:
        python = config.ministack_python_path(self.base)
        env = _clean_env({"GATEWAY_PORT": str(self.port), "BIND_HOST": config.HOST})
        return [str(python), "-m", "ministack"], env


class OpenSearch(DetachedService):
    name = "opensearch"
    port_env = "DATAOPS_OS_PORT"
    needle = "osmem-server"

    @property
    def port(self) -> int:
        return config.opensearch_port()

    def command(self) -> tuple[list[str], dict[str, str]]:
        from osmem_server import resolve_binary

        # -no-stdin-watch: osmem exits when its stdin closes, and a detached server has no stdin.
        argv = [resolve_binary(), "-addr", f"{config.HOST}:{self.port}", "-no-stdin-watch"]
        return argv, _clean_env({})
