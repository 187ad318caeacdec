"""The README's "Writing your own profile", followed literally: its example profile, put in the layer with
`build_layer.py --package`, deployed with cdklocal and seeded through the deployed function."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from dataops import naming
from tests.e2e.conftest import ROOT, STAGE, awslocal_invoke, local_aws_env

pytestmark = pytest.mark.e2e

PROFILE = "acme_data.acme"


def readme_profile_source() -> str:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## Writing your own profile") :]
    match = re.search(r"```python\n(.*?)```", section, re.DOTALL)
    assert match, "README's own-profile section has no python example"
    return match.group(1)


def build_layer_with(package: Path, out: Path) -> None:
    """As `make layer PROFILE_PACKAGE=...` does: for the interpreter that runs MiniStack, with the shared cache."""
    bin_dir = Path(sys.executable).parent
    ministack_python = subprocess.run(
        [str(bin_dir / "dataops"), "local", "python"], capture_output=True, text=True, check=True
    ).stdout.strip()
    completed = subprocess.run(
        [sys.executable, str(ROOT / "layers" / "build_layer.py"), "--target", "local", "--out", str(out),
         "--python", ministack_python, "--package", str(package)],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert completed.returncode == 0, completed.stderr[-2000:]


def cdklocal(*args: str, layer: Path, pythonpath: Path) -> None:
    command = [
        str(ROOT / "node_modules" / ".bin" / "cdklocal"), *args,
        "-c", "target=local", "-c", f"profile={PROFILE}", "-c", f"stage={STAGE}", "-c", f"layer_dir={layer}",
        "-o", str(ROOT / "build" / f"cdk.out.{STAGE}.acme"),
    ]  # fmt: skip
    env = {**local_aws_env(), "PYTHONPATH": os.pathsep.join([str(pythonpath), os.environ.get("PYTHONPATH", "")])}
    completed = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=540)
    assert completed.returncode == 0, f"cdklocal {args[0]}:\n{completed.stdout[-2000:]}\n{completed.stderr[-2000:]}"


@pytest.fixture(scope="module")
def acme_deployed(local_endpoints, tmp_path_factory):
    root = tmp_path_factory.mktemp("own-profile")
    package = root / "acme_data"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "acme.py").write_text(readme_profile_source())
    # Beside build/layer, so the third-party wheels come from the same cache.
    layer = ROOT / "build" / f"layer-{STAGE}-acme"
    build_layer_with(package, layer)
    cdklocal("bootstrap", "aws://000000000000/us-east-1", layer=layer, pythonpath=root)
    cdklocal("deploy", "--all", "--require-approval", "never", layer=layer, pythonpath=root)
    yield
    cdklocal("destroy", "--all", "--force", layer=layer, pythonpath=root)
    shutil.rmtree(layer, ignore_errors=True)


def test_the_readme_profile_deploys_and_seeds_through_its_function(acme_deployed, tmp_path):
    seed = naming.function_name("acme", STAGE, "seed")
    response, result = awslocal_invoke(seed, {"action": "run"}, tmp_path)
    assert "FunctionError" not in response, result
    assert result["profile"] == "acme" and result["status"] == "succeeded"
    response, status = awslocal_invoke(naming.function_name("acme", STAGE, "status"), {}, tmp_path)
    assert "FunctionError" not in response, status
    [customers] = [row for row in status["entities"] if row["entity"] == "customer"]
    assert customers["dynamodb"] == 20
