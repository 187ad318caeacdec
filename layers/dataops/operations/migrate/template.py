"""`migrate create`: a new migration file from a template, named `<YYYYMMDDHHMMSS>_<slug>.py` (seed 000)."""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path

from dataops.errors import InvalidRequest
from dataops.operations.migrate.files import load_migration

MAX_SLUG_LENGTH = 60

TEMPLATE = '''"""{docstring}"""

from dataops.migrations import MigrationContext

version = {version!r}
name = {name!r}
description = {description!r}
# PostgreSQL limits, in seconds (defaults: MIGRATION_LOCK_TIMEOUT 5, MIGRATION_STATEMENT_TIMEOUT 300):
# lock_timeout = 5
# statement_timeout = 300
# For CREATE INDEX CONCURRENTLY: run statement by statement, outside a transaction.
# transactional = False


def up(ctx: MigrationContext) -> None:
    # PostgreSQL: ctx.execute("ALTER TABLE ..."), all in one transaction with the history row.
    # DynamoDB items: ctx.migrate_items("entity", from_version=..., to_version=..., transform=...).
    raise NotImplementedError("write the up step of {version} before applying it")


def down(ctx: MigrationContext) -> None:
    raise NotImplementedError("write the down step of {version} before rolling it back")


def validate(ctx: MigrationContext) -> bool:
    return True
'''


def slug_of(description: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "_", description.lower()).strip("_")[:MAX_SLUG_LENGTH].strip("_")
    if not slug:
        raise InvalidRequest.for_field("description", f"needs letters or digits to name the file (got {description!r})")
    return slug


def create_migration(folder: Path, description: str, now: datetime) -> Path:
    """Write the file and load it back, so what was written is a migration the engine accepts."""
    text = " ".join(description.split())
    if not text:
        raise InvalidRequest.for_field("description", "must not be empty")
    version = now.strftime("%Y%m%d%H%M%S")
    path = folder / f"{version}_{slug_of(text)}.py"
    if path.exists():
        raise InvalidRequest.for_field("description", f"{path} already exists; wait a second and retry")
    folder.mkdir(parents=True, exist_ok=True)
    docstring = text.replace("\\", "/").replace('"', "'")
    path.write_text(TEMPLATE.format(version=version, name=text, description=text, docstring=docstring))
    load_migration(path)
    return path
