"""The CDK app imports only the contract: naming, errors, profiles, workflows. Never a runtime engine.

Synth runs where no database driver need be installed, and a construct that imports an engine for one constant
drags the whole runtime (and psycopg2) into every `cdk synth`. Checked in a fresh interpreter, since this test
run has long since imported everything.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

FORBIDDEN = ("psycopg2", "dataops.operations", "dataops.backup", "dataops.stores", "dataops.cli", "dataops.local")

IMPORT_INFRA = """
import importlib, json, pkgutil, sys
import app, infra
from dataops.profiles import BUILTIN_PROFILES, load_profile
for name in BUILTIN_PROFILES:
    load_profile(name)  # synth loads the profile it deploys
for module in pkgutil.walk_packages(infra.__path__, "infra."):
    importlib.import_module(module.name)
print(json.dumps(sorted(sys.modules)))
"""


def test_the_cdk_app_imports_no_runtime_engine() -> None:
    completed = subprocess.run(
        [sys.executable, "-c", IMPORT_INFRA],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr[-2000:]
    loaded = json.loads(completed.stdout.strip().splitlines()[-1])
    assert "infra.stacks.operations" in loaded and "dataops.naming" in loaded
    leaked = [name for name in loaded if any(name == root or name.startswith(f"{root}.") for root in FORBIDDEN)]
    assert leaked == [], f"importing the CDK app loads runtime modules: {leaked}"
