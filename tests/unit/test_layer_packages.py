"""`build_layer.py --package`: a package of your own goes into the layer only if it is one and shadows nothing."""

from __future__ import annotations

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
