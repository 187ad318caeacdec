"""endpoints.json: the one file the rest of dataops reads to find the local stores."""

from __future__ import annotations

import json
import os
from pathlib import Path
from urllib.parse import quote

import psycopg2.extensions
from pydantic import BaseModel, ConfigDict, ValidationError

from dataops.local import config
from dataops.local.errors import LocalStackError

ENDPOINTS_FILE = "endpoints.json"


class PostgresEndpoint(BaseModel):
    model_config = ConfigDict(frozen=True)

    host: str
    port: int
    dbname: str
    username: str
    password: str
    dsn: str
    external: bool = False


class LocalEndpoints(BaseModel):
    model_config = ConfigDict(frozen=True)

    aws_endpoint: str
    postgres: PostgresEndpoint
    opensearch_endpoint: str
    ministack_python: str


def local_postgres(port: int) -> PostgresEndpoint:
    user, password, db = config.PG_USER, config.PG_PASSWORD, config.PG_DB
    return PostgresEndpoint(
        host=config.HOST,
        port=port,
        dbname=db,
        username=user,
        password=password,
        dsn=f"postgresql://{quote(user, safe='')}:{quote(password, safe='')}@{config.HOST}:{port}/{db}",
    )


def parse_dsn(dsn: str) -> PostgresEndpoint:
    """Describe an external DSN (URI or key=value form) in the same shape as the local server."""
    try:
        # libpq's own parser, so every form psycopg2.connect accepts is understood the same way here.
        parts = psycopg2.extensions.parse_dsn(dsn)
    except psycopg2.ProgrammingError as err:
        raise LocalStackError(f"DATAOPS_PG_DSN is not a valid PostgreSQL DSN: {err}".strip()) from None
    user = parts.get("user") or os.environ.get("PGUSER") or "postgres"
    try:
        port = int(parts.get("port") or 5432)
    except ValueError:
        raise LocalStackError(f"DATAOPS_PG_DSN has a non-numeric port {parts.get('port')!r}") from None
    return PostgresEndpoint(
        host=parts.get("host") or parts.get("hostaddr") or "localhost",
        port=port,
        dbname=parts.get("dbname") or user,
        username=user,
        password=parts.get("password", ""),
        dsn=dsn,
        external=True,
    )


def current(base: Path | None = None) -> LocalEndpoints:
    """The endpoints the configuration points at now (whether or not the services are up)."""
    dsn = config.external_pg_dsn()
    return LocalEndpoints(
        aws_endpoint=f"http://{config.HOST}:{config.ministack_port()}",
        postgres=parse_dsn(dsn) if dsn else local_postgres(config.postgres_port()),
        opensearch_endpoint=f"http://{config.HOST}:{config.opensearch_port()}",
        ministack_python=str(config.ministack_python_path(base)),
    )


def write_endpoints(endpoints: LocalEndpoints, base: Path) -> Path:
    path = base / ENDPOINTS_FILE
    tmp = path.with_suffix(".json.tmp")
    # Write then rename so a reader never sees half a file while `up` runs.
    tmp.write_text(json.dumps(endpoints.model_dump(mode="json"), indent=2) + "\n")
    tmp.replace(path)
    return path


def load_endpoints(base: Path | None = None) -> LocalEndpoints | None:
    """The endpoints written by the last `up`, or None when the local stack was never started (or was torn down)."""
    path = (base or config.state_dir()) / ENDPOINTS_FILE
    try:
        raw = path.read_text()
    except FileNotFoundError:
        return None
    try:
        return LocalEndpoints.model_validate_json(raw)
    except ValidationError as err:
        problems = err.error_count()
        raise LocalStackError(f"{path} is not a valid endpoints file ({problems} problems); run `up` again") from None
