"""The local stack: MiniStack (AWS APIs), PostgreSQL and an OpenSearch-compatible server, without Docker.

    from dataops.local import up, down, status, load_endpoints
    up()                      # idempotent; writes <state_dir>/endpoints.json
    load_endpoints()          # LocalEndpoints | None

State (PID files, logs, data, MiniStack's venv) lives in `state_dir()`: $DATAOPS_LOCAL_DIR or ./.dataops/local.
"""

from __future__ import annotations

from dataops.local.config import state_dir
from dataops.local.endpoints import LocalEndpoints, PostgresEndpoint, load_endpoints
from dataops.local.errors import LocalStackError
from dataops.local.services import ServiceStatus, StartResult
from dataops.local.stack import SERVICE_NAMES, down, ministack_python, status, up

__all__ = [
    "SERVICE_NAMES",
    "LocalEndpoints",
    "LocalStackError",
    "PostgresEndpoint",
    "ServiceStatus",
    "StartResult",
    "down",
    "load_endpoints",
    "ministack_python",
    "state_dir",
    "status",
    "up",
]
