"""Every handler imports in a clean interpreter that has only the built layer, the handler and the runtime.

The interpreter is MiniStack's (it plays the Lambda runtime: python3.12 + boto3), started with `-I`, so neither
the project venv nor PYTHONPATH can hide a dependency missing from the layer.
"""

import subprocess
from pathlib import Path

import pytest

from dataops.local import ministack_python

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
HANDLERS = sorted(path.parent for path in (ROOT / "functions").glob("*/handler.py"))
IMPORT_HANDLER = "import sys; sys.path[:0] = sys.argv[1:3]; import handler; assert callable(handler.lambda_handler)"


@pytest.fixture(scope="module")
def built_layer(local_endpoints) -> Path:
    """The layer `make layer` builds; rebuilt here if missing or older than the package source (dependency
    wheels are cached)."""
    layer = ROOT / "build" / "layer"
    shipped = layer / "python" / "dataops"
    if not shipped.is_dir() or any(stale(source, shipped) for source in (ROOT / "layers" / "dataops").rglob("*.py")):
        subprocess.run(
            [
                str(ROOT / ".venv" / "bin" / "python"),
                str(ROOT / "layers" / "build_layer.py"),
                "--python",
                str(ministack_python()),
            ],
            check=True,
        )
    return layer / "python"


def stale(source: Path, shipped: Path) -> bool:
    relative = source.relative_to(ROOT / "layers" / "dataops")
    if relative.parts[0] in {"cli", "local"}:
        return (shipped / relative.parts[0]).exists()
    copy = shipped / relative
    return not copy.exists() or copy.stat().st_mtime < source.stat().st_mtime


def import_handler(handler_dir: Path, layer_python: Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(ministack_python()), "-I", "-c", IMPORT_HANDLER, str(handler_dir), str(layer_python)],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_every_operation_has_a_handler():
    from dataops.registry import DEPLOYED_OPERATIONS

    assert set(DEPLOYED_OPERATIONS) <= {path.name for path in HANDLERS}


@pytest.mark.parametrize("handler_dir", HANDLERS, ids=lambda path: path.name)
def test_handler_imports_with_only_the_layer(built_layer, handler_dir, tmp_path):
    completed = import_handler(handler_dir, built_layer, tmp_path)
    assert completed.returncode == 0, completed.stderr[-2000:]


def test_a_layer_missing_a_dependency_fails_the_import(built_layer, tmp_path):
    """The check above can fail: the same import without pydantic in the layer breaks."""
    crippled = tmp_path / "python"
    crippled.mkdir()
    for entry in built_layer.iterdir():
        if not entry.name.startswith("pydantic"):
            (crippled / entry.name).symlink_to(entry)
    completed = import_handler(HANDLERS[0], crippled, tmp_path)
    assert completed.returncode != 0
    assert "No module named 'pydantic" in completed.stderr


def test_the_layer_ships_neither_the_cli_nor_the_local_stack_manager(built_layer):
    shipped = built_layer / "dataops"
    assert (shipped / "operations").is_dir()
    assert not (shipped / "cli").exists()
    assert not (shipped / "local").exists()


def test_the_layer_ships_the_pinned_botocore_and_nothing_never_imported(built_layer):
    """botocore is the one the prebuilt-body writer is tested with, shadowing the runtime's; gRPC, protobuf and
    zstandard's CFFI backend are pruned (the handler imports above pass without them)."""
    pinned = dict(line.split("==") for line in (ROOT / "requirements.txt").read_text().splitlines() if "==" in line)
    (botocore,) = built_layer.glob("botocore-*.dist-info")
    assert botocore.name == f"botocore-{pinned['botocore']}.dist-info"
    for pruned in ("grpc", "google", "opensearch/protobufs", "zstandard/backend_cffi.py"):
        assert not (built_layer / pruned).exists(), pruned
    assert list((built_layer / "zstandard").glob("backend_c.*.so"))
