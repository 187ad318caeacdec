"""up / down / status over the three services, and endpoints.json."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from dataops.local import config, endpoints, process
from dataops.local.errors import LocalStackError
from dataops.local.postgres import Postgres
from dataops.local.services import MiniStack, OpenSearch, Progress, Service, ServiceStatus, StartResult

SERVICE_NAMES = ("ministack", "postgres", "opensearch")
_LOCK = ".lock"


def _services(base: Path, only: Sequence[str] | None) -> list[Service]:
    unknown = sorted(set(only or ()) - set(SERVICE_NAMES))
    if unknown:
        raise LocalStackError(f"unknown service(s) {', '.join(unknown)}; valid: {', '.join(SERVICE_NAMES)}")
    every: list[Service] = [MiniStack(base), Postgres(base), OpenSearch(base)]
    return [s for s in every if not only or s.name in only]


def _quiet(_: str) -> None:
    return None


def up(only: Sequence[str] | None = None, progress: Progress | None = None) -> list[StartResult]:
    """Start what is not running (all services, or those named in `only`), wait until each answers, and write
    endpoints.json. Services already running from an earlier `up` are left alone and reported as "running"."""
    base = config.state_dir()
    base.mkdir(parents=True, exist_ok=True)
    say = progress or _quiet
    results: list[StartResult] = []
    with process.exclusive_lock(base / _LOCK):
        for service in _services(base, only):
            result = service.start(say)
            if result.action == "started":
                say(f"{service.name} ready in {result.seconds:.1f} s ({result.status.url})")
            elif result.action == "running":
                say(f"{service.name} already running (pid {result.status.pid})")
            else:
                say(f"{service.name}: using external {result.status.url}")
            results.append(result)
        endpoints.write_endpoints(endpoints.current(base), base)
    return results


def down(only: Sequence[str] | None = None, progress: Progress | None = None) -> list[str]:
    """Stop the services `up` started (by their PID files only) and remove stale PID files.
    Returns the names of the services that were running and got stopped."""
    base = config.state_dir()
    if not base.exists():
        return []
    say = progress or _quiet
    stopped: list[str] = []
    with process.exclusive_lock(base / _LOCK):
        for service in reversed(_services(base, only)):
            if service.stop():
                say(f"stopped {service.name}")
                stopped.append(service.name)
        if not only or set(only) >= set(SERVICE_NAMES):
            # Nothing answers at those endpoints any more; callers must not be pointed at them.
            (base / endpoints.ENDPOINTS_FILE).unlink(missing_ok=True)
    return stopped


def status(only: Sequence[str] | None = None) -> list[ServiceStatus]:
    """Each service's state: running | starting | stopped | external | foreign-port."""
    return [s.status() for s in _services(config.state_dir(), only)]


def ministack_python(create: bool = True) -> Path:
    """The interpreter of MiniStack's venv (Lambda functions run on it); builds the venv first if `create`."""
    base = config.state_dir()
    if not create:
        return config.ministack_python_path(base)
    from dataops.local.venv import ensure_ministack_venv, venv_is_current

    base.mkdir(parents=True, exist_ok=True)
    with process.exclusive_lock(base / _LOCK):
        ministack = MiniStack(base)
        venv = config.ministack_venv(base)
        if not venv_is_current(venv, config.lambda_python()) and process.live_pid(ministack.pid_file, ministack.needle):
            # Rebuilding would delete the interpreter a running MiniStack (and its Lambda workers) executes.
            raise LocalStackError(f"{venv} is out of date but MiniStack runs from it; run `down -s ministack` first")
        python, _ = ensure_ministack_venv(venv)
    return python
