"""Build the Lambda layer as a plain directory, with pip and no Docker.

- `--target local`: wheels for the version of the interpreter that runs MiniStack (its functions run as that
  interpreter's subprocesses, so binary wheels such as psycopg2 and pydantic-core must match its version).
- `--target aws`: python3.12 wheels for the Lambda runtime.

Both use manylinux x86_64 binary wheels fetched by this interpreter's pip, so the MiniStack venv stays untouched.
boto3 and botocore are shipped, pinned, and shadow the runtime's: the prebuilt-body writer depends on botocore
internals. What no deployed code imports is pruned (NEVER_IMPORTED): opensearch-py's gRPC transport dependencies
(grpcio, protobuf, opensearch-protobufs; opensearchpy itself never imports them) and zstandard's second backend
(the CFFI one, used only when the C extension cannot load).

Third-party wheels are cached per (target, interpreter, requirements hash), so a rebuild after a code change
only re-copies the `dataops` package.

`dataops/cli` and `dataops/local` stay out: they are the developer's tools (rich, the local stack manager) and
nothing deployed imports them.

`--package DIR` (repeatable) adds a package of your own, such as a profile module the functions must import
(`make deploy PROFILE=acme_data.acme PROFILE_PACKAGE=path/to/acme_data`).
"""

from __future__ import annotations

import argparse
import hashlib
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "layers" / "dataops"
REQUIREMENTS = ROOT / "requirements.txt"
AWS_LAMBDA_PYTHON = "3.12"
# Paths (globs) of the dependency tree that nothing deployed imports; tests/integration/test_layer_imports.py
# imports every handler with only the layer to prove it.
NEVER_IMPORTED = (
    "grpc", "grpcio-*.dist-info", "google", "protobuf-*.dist-info", "opensearch", "opensearch_protobufs-*.dist-info",
    "zstandard/_cffi.*.so", "zstandard/backend_cffi.py", "bin",
)  # fmt: skip
# Subpackages of dataops that are never deployed: the CLI and the local stack manager.
NOT_DEPLOYED = ("cli", "local")


def interpreter_version(python: str) -> str:
    return subprocess.run(  # noqa: S603 - the interpreter the Makefile names
        [python, "-c", "import sys; print(f'{sys.version_info.major}.{sys.version_info.minor}')"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()


def install_dependencies(python_version: str, cache_root: Path) -> Path:
    digest = hashlib.sha256(REQUIREMENTS.read_bytes()).hexdigest()[:12]
    cache = cache_root / f"deps-cp{python_version.replace('.', '')}-{digest}"
    if (cache / ".complete").exists():
        return cache
    shutil.rmtree(cache, ignore_errors=True)
    print(f"layer: installing dependencies for python {python_version}", flush=True)
    subprocess.run(  # noqa: S603 - this interpreter's pip with the pinned requirements file
        [
            sys.executable, "-m", "pip", "install", "-qq", "--no-compile", "--target", str(cache),
            "--platform", "manylinux2014_x86_64", "--implementation", "cp", "--python-version", python_version,
            "--only-binary=:all:", "-r", str(REQUIREMENTS),
        ],
        check=True,
    )  # fmt: skip
    for pattern in NEVER_IMPORTED:
        for path in cache.glob(pattern):
            shutil.rmtree(path) if path.is_dir() else path.unlink()
    (cache / ".complete").touch()
    return cache


def copy_dataops(destination: Path) -> None:
    """The `dataops` package as functions import it: without caches and without the developer-only subpackages."""
    skip_cache = shutil.ignore_patterns("__pycache__", "*.pyc")

    def ignore(folder: str, names: list[str]) -> set[str]:
        ignored = set(skip_cache(folder, names))
        if Path(folder) == PACKAGE:
            ignored.update(name for name in names if name in NOT_DEPLOYED)
        return ignored

    shutil.copytree(PACKAGE, destination, ignore=ignore)


class PackageError(ValueError):
    """An extra package that cannot go into the layer, with the reason."""


def check_extra_packages(packages: list[Path], layer_python: Path) -> None:
    """Each must be an importable package whose name does not shadow `dataops` or a dependency."""
    names: set[str] = set()
    for package in packages:
        if not (package / "__init__.py").is_file():
            raise PackageError(f"--package {package}: not a Python package (no __init__.py in that folder)")
        if package.name in names or (layer_python / package.name).exists():
            raise PackageError(f"--package {package}: the layer already has a package named {package.name!r}")
        names.add(package.name)


def build(target: str, python: str, out: Path, packages: list[Path] | None = None) -> Path:
    python_version = AWS_LAMBDA_PYTHON if target == "aws" else interpreter_version(python)
    dependencies = install_dependencies(python_version, out.parent / "layer-cache")
    # Assemble beside the target and swap it in, so a deploy reading the old layer never sees a half-built one.
    staging = out.with_name(f"{out.name}.staging")
    shutil.rmtree(staging, ignore_errors=True)
    shutil.copytree(dependencies, staging / "python", ignore=shutil.ignore_patterns(".complete"))
    copy_dataops(staging / "python" / "dataops")
    extras = [package.resolve() for package in packages or []]
    try:
        check_extra_packages(extras, staging / "python")
    except PackageError:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    for package in extras:
        shutil.copytree(
            package, staging / "python" / package.name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc")
        )
    retired = out.with_name(f"{out.name}.retired")
    shutil.rmtree(retired, ignore_errors=True)
    if out.exists():
        out.rename(retired)
    staging.rename(out)
    shutil.rmtree(retired, ignore_errors=True)
    size_mb = sum(path.stat().st_size for path in out.rglob("*") if path.is_file()) / 1e6
    print(f"layer: built {out} for {target}, python {python_version} ({size_mb:.0f} MB unzipped)", flush=True)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--target", choices=("local", "aws"), default="local")
    parser.add_argument("--python", default=sys.executable, help="Local target: the interpreter that runs MiniStack.")
    parser.add_argument("--out", type=Path, default=ROOT / "build" / "layer")
    parser.add_argument(
        "--package", type=Path, action="append", default=[], help="A package folder of your own to add (repeatable)."
    )
    args = parser.parse_args()
    try:
        build(args.target, args.python, args.out.resolve(), args.package)
    except PackageError as error:
        parser.error(str(error))


if __name__ == "__main__":
    main()
