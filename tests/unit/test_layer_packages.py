"""`build_layer.py --package`: a package of your own goes into the layer only if it is one and shadows nothing."""

from __future__ import annotations

import ast
import importlib.util
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[2]


def layer_builder() -> ModuleType:
    spec = importlib.util.spec_from_file_location("build_layer", ROOT / "layers" / "build_layer.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def package(root: Path, name: str) -> Path:
    (root / name).mkdir(parents=True)
    (root / name / "__init__.py").write_text("")
    return root / name


def test_a_folder_without_init_is_refused_with_its_path(tmp_path: Path) -> None:
    builder = layer_builder()
    (tmp_path / "src" / "acme_data").mkdir(parents=True)
    with pytest.raises(builder.PackageError, match=r"--package .*acme_data: not a Python package"):
        builder.check_extra_packages([tmp_path / "src" / "acme_data"], tmp_path / "layer")


def test_a_package_that_would_shadow_the_layer_is_refused(tmp_path: Path) -> None:
    builder = layer_builder()
    layer = tmp_path / "layer"
    package(layer, "dataops")
    with pytest.raises(builder.PackageError, match="already has a package named 'dataops'"):
        builder.check_extra_packages([package(tmp_path / "mine", "dataops")], layer)
    with pytest.raises(builder.PackageError, match="already has a package named 'acme_data'"):
        builder.check_extra_packages(
            [package(tmp_path / "a", "acme_data"), package(tmp_path / "b", "acme_data")], layer
        )


def test_distinct_packages_pass(tmp_path: Path) -> None:
    builder = layer_builder()
    builder.check_extra_packages([package(tmp_path, "acme_data"), package(tmp_path, "acme_rules")], tmp_path / "layer")


def test_the_layer_leaves_out_the_cli_and_the_local_stack_manager(tmp_path: Path) -> None:
    builder = layer_builder()
    builder.copy_dataops(tmp_path / "dataops")
    shipped = {path.name for path in (tmp_path / "dataops").iterdir()}
    assert {"cli", "local"}.isdisjoint(shipped)
    assert {"__init__.py", "naming.py", "operations", "stores", "profiles"} <= shipped
    assert (tmp_path / "dataops" / "profiles" / "agent_system" / "migrations").is_dir()
    assert not list((tmp_path / "dataops").rglob("__pycache__"))


def imported_modules(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def test_nothing_deployed_imports_the_cli_or_the_local_stack_manager() -> None:
    """What the layer leaves out must not be needed: no handler and no shipped module imports it."""
    package = ROOT / "layers" / "dataops"
    shipped = [
        path
        for path in [*package.rglob("*.py"), *(ROOT / "functions").rglob("*.py")]
        if path.relative_to(package if path.is_relative_to(package) else ROOT).parts[0] not in {"cli", "local"}
    ]
    offenders = {
        str(path.relative_to(ROOT)): sorted(
            name for name in imported_modules(path) if name.split(".")[:2] in (["dataops", "cli"], ["dataops", "local"])
        )
        for path in shipped
    }
    assert {path: names for path, names in offenders.items() if names} == {}
