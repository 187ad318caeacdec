"""Migration files: Python modules named `<version>_<slug>.py`, found in a folder and ordered by version.

A file exposes `version`, `name`, `description`, `up(ctx)`, `down(ctx)` and optionally `validate(ctx)`, and may
set `transactional = False` (for `CREATE INDEX CONCURRENTLY`) and its own `lock_timeout` / `statement_timeout`
(seconds; see safety.py).
Loading a file never runs its `up`; a file that cannot load is refused with its path and line.
"""

from __future__ import annotations

import hashlib
import importlib.util
import re
import sys
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

from dataops.errors import InvalidRequest
from dataops.migration_history import version_key

VERSION_PATTERN = re.compile(r"^\d+(\.\d+)*$")
FILE_PATTERN = re.compile(r"^(?P<version>\d+(?:\.\d+)*)_(?P<slug>[A-Za-z0-9_-]+)\.py$")

MigrationStep = Callable[[Any], Any]

# Files import the context from the public facade now; they used to import it from its implementing module. The
# checksum reads the facade's import as the old one, so a file applied before the move (its checksum recorded) is
# not reported as drifted over that one line, and a rename of the module never again touches applied files.
FACADE_IMPORT = b"from dataops.migrations import "
LEGACY_IMPORT = b"from dataops.operations.migrate.context import "


@dataclass(frozen=True)
class MigrationFile:
    path: Path
    version: str
    name: str
    description: str
    checksum: str
    up: MigrationStep
    down: MigrationStep
    validate: MigrationStep | None
    transactional: bool = True
    lock_timeout: float | None = None
    statement_timeout: float | None = None

    @property
    def slug(self) -> str:
        return self.path.stem.split("_", 1)[1]

    @property
    def sort_key(self) -> tuple[int, ...]:
        return version_key(self.version)

    def matches(self, reference: str) -> bool:
        """A migration is named by its version, its display name or its file slug (`add-social-media`)."""
        wanted = reference.strip().lower()
        normalised = wanted.replace("_", "-")
        return wanted == self.version or normalised in {
            self.name.lower().replace("_", "-"),
            self.slug.lower().replace("_", "-"),
        }


def file_checksum(path: Path) -> str:
    """SHA-256 of the file, with the facade import spelled as before the facade existed (see FACADE_IMPORT)."""
    return hashlib.sha256(path.read_bytes().replace(FACADE_IMPORT, LEGACY_IMPORT)).hexdigest()


def _malformed(path: Path, line: int | None, reason: str) -> InvalidRequest:
    where = f"{path}:{line}" if line else str(path)
    return InvalidRequest.for_field("migration file", f"{where}: {reason}")


def _line_in(path: Path, error: BaseException) -> int | None:
    for frame in reversed(traceback.extract_tb(error.__traceback__)):
        if Path(frame.filename) == path:
            return frame.lineno
    return None


def _import(path: Path) -> ModuleType:
    module_name = f"dataops_migration_{hashlib.sha1(str(path).encode()).hexdigest()[:12]}"  # noqa: S324 - a name
    spec = importlib.util.spec_from_file_location(module_name, path)
    if spec is None or spec.loader is None:
        raise _malformed(path, None, "cannot be imported as a Python module")
    module = importlib.util.module_from_spec(spec)
    # Registered while it runs, as a normal import would be: dataclasses and pydantic models look it up.
    sys.modules[module_name] = module
    try:
        spec.loader.exec_module(module)
    except SyntaxError as exc:
        raise _malformed(path, exc.lineno, f"syntax error: {exc.msg}") from None
    except Exception as exc:  # noqa: BLE001 - any import failure is a malformed file, reported with its line
        raise _malformed(path, _line_in(path, exc), f"{type(exc).__name__}: {exc}") from None
    finally:
        sys.modules.pop(module_name, None)
    return module


def load_migration(path: Path) -> MigrationFile:
    match = FILE_PATTERN.match(path.name)
    if not match:
        raise _malformed(path, None, "file name must be <version>_<slug>.py, e.g. 20241203120000_add_metadata.py")
    module = _import(path)
    for attribute in ("version", "name", "description"):
        if not isinstance(getattr(module, attribute, None), str):
            raise _malformed(path, None, f"module-level string `{attribute}` is missing")
    version = str(module.version)
    if version != match["version"]:
        raise _malformed(path, None, f"`version = {version!r}` does not match the file name's {match['version']!r}")
    for function in ("up", "down"):
        if not callable(getattr(module, function, None)):
            raise _malformed(path, None, f"function `{function}(ctx)` is missing")
    validate = getattr(module, "validate", None)
    if validate is not None and not callable(validate):
        raise _malformed(path, None, "`validate` must be a function `validate(ctx) -> bool`")
    if not isinstance(getattr(module, "transactional", True), bool):
        raise _malformed(path, None, "`transactional` must be True or False")
    timeouts = {attribute: getattr(module, attribute, None) for attribute in ("lock_timeout", "statement_timeout")}
    for attribute, value in timeouts.items():
        if value is not None and (isinstance(value, bool) or not isinstance(value, int | float) or value <= 0):
            raise _malformed(path, None, f"`{attribute}` must be a number of seconds above zero (got {value!r})")
    return MigrationFile(
        path=path,
        version=version,
        name=str(module.name),
        description=str(module.description),
        checksum=file_checksum(path),
        up=module.up,
        down=module.down,
        validate=validate,
        transactional=getattr(module, "transactional", True),
        lock_timeout=timeouts["lock_timeout"],
        statement_timeout=timeouts["statement_timeout"],
    )


def discover(folder: Path | None) -> list[MigrationFile]:
    """Every migration in the folder, by version; two files with one version are refused."""
    if folder is None or not folder.is_dir():
        return []
    migrations = [load_migration(path) for path in sorted(folder.glob("*.py")) if not path.name.startswith("_")]
    migrations.sort(key=lambda migration: migration.sort_key)
    seen: dict[str, Path] = {}
    for migration in migrations:
        if migration.version in seen:
            raise _malformed(
                migration.path, None, f"version {migration.version} is also used by {seen[migration.version]}"
            )
        seen[migration.version] = migration.path
    return migrations
