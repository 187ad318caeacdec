"""MiniStack's own thin venv: it doubles as the Lambda runtime, so it holds only ministack and a matching boto3."""

from __future__ import annotations

import json
import shutil
import subprocess
import time
from pathlib import Path

from dataops.local import config
from dataops.local.errors import LocalStackError

# Written last: a venv without it is a half-finished install (interrupted `up`), rebuilt from scratch.
MARKER = ".dataops-venv.json"
_PIP = ["-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--no-input"]


def _run(argv: list[str], what: str, timeout: float = 600.0) -> str:
    try:
        done = subprocess.run(  # noqa: S603 - the configured interpreter and pip with pinned requirements
            argv, check=False, capture_output=True, text=True, timeout=timeout, stdin=subprocess.DEVNULL
        )
    except FileNotFoundError:
        raise LocalStackError(f"{what}: {argv[0]} not found; set LAMBDA_PYTHON to a Python 3.12 interpreter") from None
    except subprocess.TimeoutExpired:
        raise LocalStackError(f"{what}: timed out after {timeout:.0f} s") from None
    if done.returncode != 0:
        detail = "\n".join((done.stderr or done.stdout).strip().splitlines()[-15:])
        raise LocalStackError(f"{what} failed (exit {done.returncode}):\n{detail}")
    return done.stdout.strip()


def _minor_version(python: str) -> str:
    return _run([python, "-c", "import sys; print('%d.%d' % sys.version_info[:2])"], f"asking {python} its version")


def _wanted(base_python: str) -> dict[str, str]:
    # The interpreter's version, not its path: a pyenv shim and the binary it points at are the same runtime.
    return {"python_minor": _minor_version(base_python), "ministack": config.MINISTACK_VERSION}


def venv_is_current(venv: Path, base_python: str) -> bool:
    try:
        recorded = json.loads((venv / MARKER).read_text())
    except (FileNotFoundError, ValueError):
        return False
    if not isinstance(recorded, dict):
        return False
    wanted = _wanted(base_python)
    return all(recorded.get(k) == v for k, v in wanted.items())


def ensure_ministack_venv(venv: Path | None = None, base_python: str | None = None) -> tuple[Path, float | None]:
    """Create the venv if missing or stale; returns (its python, seconds spent creating it or None if reused)."""
    venv = venv or config.ministack_venv()
    base_python = base_python or config.lambda_python()
    python = venv / "bin" / "python"
    if venv_is_current(venv, base_python) and python.exists():
        return python, None
    started = time.monotonic()
    if venv.exists():
        shutil.rmtree(venv)
    venv.parent.mkdir(parents=True, exist_ok=True)
    _run([base_python, "-m", "venv", str(venv)], f"creating MiniStack venv with {base_python}")
    _run([str(python), *_PIP, f"ministack=={config.MINISTACK_VERSION}"], "installing ministack")
    # Lambda functions import boto3 from this venv, as the AWS runtime provides it; pinning it to the botocore
    # ministack pulled in keeps pip from moving botocore under MiniStack.
    botocore = _run([str(python), "-c", "import importlib.metadata as m; print(m.version('botocore'))"], "botocore")
    _run([str(python), *_PIP, f"boto3=={botocore}", f"botocore=={botocore}"], f"installing boto3=={botocore}")
    version = _run([str(python), "-c", "import platform; print(platform.python_version())"], "python version")
    marker = {**_wanted(base_python), "botocore": botocore, "boto3": botocore, "python_version": version}
    (venv / MARKER).write_text(json.dumps(marker, indent=2) + "\n")
    return python, time.monotonic() - started
