"""The one import rule, read from the source: entry points -> operations -> engines -> stores/profiles -> contract.

Stores own every client call: no module outside `dataops.stores` touches a store's `.client` or builds a boto3
client. A failure names the module and the line, so the fix is where the message points.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from botocore.config import Config

from dataops.stores.functions import INVOKE_CONFIG, MAX_FUNCTION_SECONDS
from infra.config import DEFAULT_SIZING, OPERATION_SIZING

PACKAGE = Path(__file__).resolve().parents[2] / "layers" / "dataops"

# Each layer, and the packages it must never import (they sit above it).
FORBIDDEN_IMPORTS: dict[str, tuple[str, ...]] = {
    "dataops.stores": ("dataops.operations", "dataops.backup", "dataops.cli", "dataops.local", "dataops.compare"),
    "dataops.profiles": ("dataops.operations", "dataops.backup", "dataops.cli", "dataops.local"),
    "dataops.backup": ("dataops.operations", "dataops.cli", "dataops.local"),
    "dataops.compare": ("dataops.operations", "dataops.cli", "dataops.local"),
    "dataops.segmented_compare": ("dataops.operations", "dataops.cli", "dataops.local"),
    "dataops.reconcile": ("dataops.operations", "dataops.backup", "dataops.cli", "dataops.local"),
    "dataops.operations": ("dataops.cli", "dataops.local"),
}


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def sources() -> list[tuple[str, ast.Module]]:
    return [(module_name(path), ast.parse(path.read_text(), str(path))) for path in sorted(PACKAGE.rglob("*.py"))]


def imported(tree: ast.Module) -> list[tuple[str, int]]:
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(alias.name, node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.module, node.lineno))
    return found


def inside(module: str, package: str) -> bool:
    return module == package or module.startswith(package + ".")


def test_no_layer_imports_a_layer_above_it():
    breaks = [
        f"{module}:{line} imports {target} (above {layer})"
        for module, tree in sources()
        for layer, above in FORBIDDEN_IMPORTS.items()
        if inside(module, layer)
        for target, line in imported(tree)
        if any(inside(target, package) for package in above)
    ]
    assert not breaks, "\n".join(breaks)


def client_uses(tree: ast.Module) -> list[int]:
    """Lines that reach for a client: `<anything>.client` (a store's own), or `aws.client(...)` (a new one)."""
    return sorted({node.lineno for node in ast.walk(tree) if isinstance(node, ast.Attribute) and node.attr == "client"})


def test_only_stores_touch_a_client():
    outside = [
        f"{module}:{line}"
        for module, tree in sources()
        if not inside(module, "dataops.stores")
        for line in client_uses(tree)
    ]
    assert not outside, "client calls outside dataops.stores:\n" + "\n".join(outside)


def test_the_rule_finds_a_client_call_it_is_shown():
    # The checks above pass vacuously if they read nothing: they must see a planted break.
    planted = ast.parse("from dataops.cli import main\n\ndef f(stores):\n    return stores.table.client.scan()\n")
    assert client_uses(planted) == [4]
    assert imported(planted) == [("dataops.cli", 1)]
    assert len(sources()) > 100


def test_a_remote_invoke_is_sent_once_and_waits_for_the_slowest_function():
    longest = max(timeout for timeout, _memory in [*OPERATION_SIZING.values(), DEFAULT_SIZING])
    assert longest <= MAX_FUNCTION_SECONDS
    merged = Config(retries={"max_attempts": 8, "mode": "standard"}, read_timeout=30).merge(INVOKE_CONFIG)
    assert getattr(merged, "retries")["total_max_attempts"] == 1  # noqa: B009 - botocore sets it dynamically
    assert getattr(merged, "read_timeout") > longest  # noqa: B009


@pytest.mark.parametrize("layer", sorted(FORBIDDEN_IMPORTS))
def test_every_layer_named_exists(layer):
    assert any(inside(module, layer) for module, _tree in sources())
