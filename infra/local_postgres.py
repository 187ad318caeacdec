"""Where the local target's PostgreSQL listens, so the deployed secret points the functions at it."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError

from infra.config import DeploymentContextError

DSN_ENVIRONMENT_VARIABLE = "DATAOPS_PG_DSN"
# Written by the local stack manager (`make up`); read as plain JSON so synth never imports the manager.
LOCAL_ENDPOINTS_FILE = Path(".dataops/local/endpoints.json")


class PostgresEndpoint(BaseModel):
    """The secret's fields, in the shape RDS-managed secrets use, so the runtime reads one format everywhere."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    host: str = "127.0.0.1"
    port: int = 15432
    dbname: str = "dataops"
    username: str = "dataops"

    def secret_fields(self) -> dict[str, Any]:
        return {"engine": "postgres", **self.model_dump()}


class PostgresConnection(PostgresEndpoint):
    # The local stack manager's fixed development password; never used for target=aws.
    password: str = "dataops"  # noqa: S105


def resolve_local_postgres(
    dsn: str | None,
    environ: Mapping[str, str],
    endpoints_file: Path = LOCAL_ENDPOINTS_FILE,
    *,
    database: str | None = None,
) -> PostgresConnection:
    """Context `postgres_dsn`, else env DATAOPS_PG_DSN, else the local endpoints file, else the defaults.

    On the local stack's own server (the file or the defaults), `database` replaces its database: every profile
    and stage gets one of its own, which the functions create on first use, so clearing stage `test` never
    touches stage `dev`. A DSN names the database the user chose, and it is kept."""
    if dsn:
        return _from_dsn(dsn, "context key 'postgres_dsn'")
    if environ.get(DSN_ENVIRONMENT_VARIABLE):
        return _from_dsn(environ[DSN_ENVIRONMENT_VARIABLE], f"environment variable {DSN_ENVIRONMENT_VARIABLE}")
    server = _from_endpoints_file(endpoints_file) if endpoints_file.is_file() else PostgresConnection()
    return server.model_copy(update={"dbname": database}) if database else server


def _from_dsn(dsn: str, source: str) -> PostgresConnection:
    # libpq's own parser, imported only for a DSN: synth without one never loads the database driver.
    import psycopg2
    from psycopg2.extensions import parse_dsn

    try:
        parts = parse_dsn(dsn)
    except psycopg2.ProgrammingError as error:
        raise DeploymentContextError(f"{source}: not a PostgreSQL DSN ({str(error).strip()})") from None
    renamed = {"user": "username"}
    fields = {renamed.get(key, key): value for key, value in parts.items() if renamed.get(key, key) in _FIELDS}
    return _build(fields, source)


def _from_endpoints_file(path: Path) -> PostgresConnection:
    try:
        endpoints = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as error:
        raise DeploymentContextError(f"{path}: cannot read local endpoints ({error}); run `make up` again") from None
    postgres = endpoints.get("postgres") if isinstance(endpoints, dict) else None
    if not isinstance(postgres, dict):
        return PostgresConnection()
    return _build({key: value for key, value in postgres.items() if key in _FIELDS}, f"{path} key 'postgres'")


def _build(fields: Mapping[str, Any], source: str) -> PostgresConnection:
    try:
        return PostgresConnection.model_validate(fields)
    except ValidationError as error:
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in error.errors())
        raise DeploymentContextError(f"{source}: {problems}") from None


_FIELDS = frozenset(PostgresConnection.model_fields)
