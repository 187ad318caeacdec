"""The backup manifest: written last, so its presence is what makes a backup complete.

Keys: `<prefix>/<backup-id>/started.json` (written first, so an interrupted backup is visible as incomplete),
`<prefix>/<backup-id>/<store>/<name>/part-NNNNN.<ext>` (data objects) and `<prefix>/<backup-id>/manifest.json`.
"""

from __future__ import annotations

import re
import secrets
from datetime import UTC, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from dataops import __version__

BackupKind = Literal["full", "snapshot", "safety", "incremental"]
ObjectRole = Literal["data", "keys"]
StoreName = Literal["dynamodb", "postgres", "opensearch"]
MANIFEST_FORMAT = 1
BACKUP_ID_PATTERN = re.compile(r"^\d{8}T\d{9}Z-[0-9a-f]{6}$")


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class EncryptionHeader(Model):
    """How to open the objects. Only the KMS-encrypted data key is stored, never the key itself."""

    algorithm: Literal["AES-256-GCM"] = "AES-256-GCM"
    kms_key_id: str
    encrypted_data_key: str
    encryption_context: dict[str, str]
    key_check: str = Field(description="A tag only the right data key reproduces, so a wrong key is named as such.")


class ObjectEntry(Model):
    key: str
    store: StoreName
    name: str
    segment: int = 0
    rows: int
    raw_bytes: int
    stored_bytes: int
    frames: int
    sha256: str
    columns: list[str] = []
    entities: list[str] = []
    entity_rows: dict[str, int] = {}
    # An incremental backup holds only changed rows ("changes") plus every key at backup time ("keys"), from
    # which a restore removes what was deleted since the base.
    role: ObjectRole = "data"
    changes_only: bool = False


class BackupScope(Model):
    """What a backup covers: DynamoDB entities, PostgreSQL tables, OpenSearch index base names."""

    dynamodb: list[str] = []
    postgres: list[str] = []
    opensearch: list[str] = []

    def names(self) -> list[str]:
        return [*self.dynamodb, *self.postgres, *self.opensearch]


class BackupHeader(Model):
    """What `started.json` holds; the manifest repeats it."""

    format: int = MANIFEST_FORMAT
    backup_id: str
    kind: BackupKind
    name: str | None = None
    profile: str
    created: datetime
    tool_version: str = __version__
    migration_version: str | None = None
    scope: BackupScope
    segments: int = 1
    base: str | None = Field(default=None, description="incremental: the backup this one applies on top of.")
    since: str | None = Field(default=None, description="incremental: rows updated at or after this time.")
    compression: Literal["zstd", "none"]
    compression_level: int
    encryption: EncryptionHeader | None = None


class BackupManifest(BackupHeader):
    objects: list[ObjectEntry]
    index_mappings: dict[str, dict[str, Any]] = {}
    completed: datetime
    copied_from: str | None = Field(default=None, description="The region this copy was made from.")

    @property
    def stored_bytes(self) -> int:
        return sum(entry.stored_bytes for entry in self.objects)

    def rows_by_name(self) -> dict[str, int]:
        """Rows per scope name once restored: DynamoDB counts per entity, the others per table or index. Where an
        incremental object lists every key, that count is the total; its changed rows are only part of it."""
        rows: dict[str, int] = dict.fromkeys(self.scope.names(), 0)
        keyed = {(e.store, e.name) for e in self.objects if e.role == "keys"}
        for entry in self.objects:
            if (entry.store, entry.name) in keyed and entry.role != "keys":
                continue
            parts = entry.entity_rows if entry.store == "dynamodb" else {entry.name: entry.rows}
            for name, count in parts.items():
                rows[name] = rows.get(name, 0) + count
        return rows


def new_backup_id(created: datetime) -> str:
    """Sortable by time to the millisecond (newest first is a reverse sort), and unique."""
    return f"{created.strftime('%Y%m%dT%H%M%S')}{created.microsecond // 1000:03d}Z-{secrets.token_hex(3)}"


def created_from_id(backup_id: str) -> datetime:
    stamp = backup_id.split("-", 1)[0]
    return datetime.strptime(stamp[:15], "%Y%m%dT%H%M%S").replace(microsecond=int(stamp[15:18]) * 1000, tzinfo=UTC)


def backup_root(prefix: str, backup_id: str) -> str:
    return f"{prefix.strip('/')}/{backup_id}"


def manifest_key(prefix: str, backup_id: str) -> str:
    return f"{backup_root(prefix, backup_id)}/manifest.json"


def started_key(prefix: str, backup_id: str) -> str:
    return f"{backup_root(prefix, backup_id)}/started.json"


def object_key(prefix: str, backup_id: str, store: str, name: str, segment: int, extension: str) -> str:
    return f"{backup_root(prefix, backup_id)}/{store}/{name}/part-{segment:05d}.{extension}"
