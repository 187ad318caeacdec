"""Process plumbing shared by every service: PID files, port checks, detached spawning and stopping."""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path


def read_pid(path: Path) -> int | None:
    """The PID in a PID file (first line, as PostgreSQL's postmaster.pid has it too), or None if absent or garbled."""
    try:
        first = path.read_text().splitlines()[0].strip()
    except (FileNotFoundError, IndexError):
        return None
    return int(first) if first.isdigit() and int(first) > 0 else None


def write_pid(path: Path, pid: int) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(f"{pid}\n")
    tmp.replace(path)


def pid_alive(pid: int) -> bool:
    """True if `pid` is a live process; a zombie (exited, not yet reaped) counts as dead."""
    # When this very process spawned it (tests do), reap it here, or it lingers as a zombie that kill(0) still sees.
    with contextlib.suppress(ChildProcessError, OSError):
        done, _ = os.waitpid(pid, os.WNOHANG)
        if done == pid:
            return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return True
    # The state letter follows the parenthesised command name, which may itself contain spaces or ')'.
    return stat.rpartition(")")[2].split()[:1] != ["Z"]


def process_matches(pid: int, needle: str) -> bool:
    """Guard against PID reuse: does the live process's command line mention `needle`?"""
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
    except FileNotFoundError:
        return False
    except OSError:
        return True  # no /proc (macOS): trust the PID file
    return needle.encode() in cmdline


def live_pid(path: Path, needle: str) -> int | None:
    """The PID from our PID file if that process is alive and is still the program we started."""
    pid = read_pid(path)
    if pid is None or not pid_alive(pid) or not process_matches(pid, needle):
        return None
    return pid


def remove_stale(path: Path, needle: str) -> bool:
    """Delete a PID file whose process is gone; True if one was removed."""
    if path.exists() and live_pid(path, needle) is None:
        path.unlink(missing_ok=True)
        return True
    return False


def port_in_use(port: int, host: str = "127.0.0.1") -> bool:
    """True if anything listens on, or holds a bind on, host:port."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.settimeout(0.5)
        if probe.connect_ex((host, port)) == 0:
            return True
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        # SO_REUSEADDR so a port left in TIME_WAIT by a service we just stopped does not count as taken.
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as err:
            return err.errno == errno.EADDRINUSE
    return False


def port_answers(port: int, host: str = "127.0.0.1", timeout: float = 0.5) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.settimeout(timeout)
        return probe.connect_ex((host, port)) == 0


def http_ok(url: str, timeout: float = 2.0) -> bool:
    """True if GET url answers 200."""
    if not url.startswith(("http://", "https://")):
        raise ValueError(f"not an HTTP URL: {url}")
    try:
        with urllib.request.urlopen(url, timeout=timeout) as resp:  # noqa: S310 - scheme checked above
            return int(resp.status) == 200
    except (urllib.error.URLError, OSError, ValueError):
        return False


def spawn_detached(
    argv: Sequence[str],
    log_path: Path,
    *,
    env: Mapping[str, str] | None = None,
    cwd: Path | None = None,
    user: int | None = None,
    group: int | None = None,
) -> int:
    """Start a process that outlives us: its own session, stdin closed, stdout+stderr appended to `log_path`."""
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with log_path.open("ab") as log:
        log.write(f"\n--- {time.strftime('%Y-%m-%d %H:%M:%S')} starting: {' '.join(argv)}\n".encode())
        log.flush()
        proc = subprocess.Popen(  # noqa: S603 - callers pass our own fixed commands; no shell
            list(argv),
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            env=dict(env) if env is not None else None,
            cwd=cwd,
            # Its own session: Ctrl-C in the terminal that ran `up` must not reach it, and `down` can signal
            # the whole group (MiniStack's Lambda workers included).
            start_new_session=True,
            user=user,
            group=group,
            extra_groups=[] if group is not None else None,
        )
    return proc.pid


def wait_until(predicate: Callable[[], bool], timeout: float, interval: float = 0.1) -> bool:
    deadline = time.monotonic() + timeout
    while True:
        if predicate():
            return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(interval)


def _group_alive(pgid: int) -> bool:
    """True if a live (non-zombie) process is still in process group `pgid`."""
    proc = Path("/proc")
    if not proc.is_dir():
        try:
            os.killpg(pgid, 0)
        except (ProcessLookupError, PermissionError):
            return False
        return True
    # killpg(pgid, 0) also succeeds for zombies, and where PID 1 does not reap (containers) they linger for good.
    for stat in proc.glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rpartition(")")[2].split()
        except OSError:
            continue
        if len(fields) > 2 and fields[2] == str(pgid) and fields[0] != "Z":
            return True
    return False


def terminate(pid: int, timeout: float = 10.0, sig: signal.Signals = signal.SIGTERM, group: bool = True) -> bool:
    """Signal `pid` (and its process group, if it leads one), wait, then SIGKILL. True if it had to be killed."""
    # Only signal the group when the process leads it: it was started with start_new_session, so every member
    # is something it spawned. Otherwise a shared group (e.g. our own shell's) would be hit.
    lead = group and _is_group_leader(pid)
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, sig)
    if wait_until(lambda: not pid_alive(pid), timeout):
        # Children such as Lambda workers normally exit when their parent's pipes close; give them a moment.
        if lead and _group_alive(pid) and not wait_until(lambda: not _group_alive(pid), 2.0):
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(pid, signal.SIGKILL)
        return False
    with contextlib.suppress(ProcessLookupError, PermissionError):
        if lead:
            os.killpg(pid, signal.SIGKILL)
        else:
            os.kill(pid, signal.SIGKILL)
    wait_until(lambda: not pid_alive(pid), 5.0)
    return True


def _is_group_leader(pid: int) -> bool:
    try:
        return os.getpgid(pid) == pid
    except ProcessLookupError:
        return False


def tail(path: Path, lines: int = 20) -> str:
    try:
        with path.open("rb") as fh:
            fh.seek(0, os.SEEK_END)
            fh.seek(max(0, fh.tell() - 16384))
            text = fh.read().decode(errors="replace")
    except FileNotFoundError:
        return "(no log file)"
    return "\n".join(text.splitlines()[-lines:]) or "(log is empty)"


@contextlib.contextmanager
def exclusive_lock(path: Path) -> Iterator[None]:
    """Serialise concurrent `up`/`down` runs on the same state folder."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)
