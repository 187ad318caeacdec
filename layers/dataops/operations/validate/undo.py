"""Undo of a validation's fixes: before a batch of fixes is written, exactly the records it changes are saved, as
they are, in the backup object format (zstd frames sealed with a KMS data key); `undo-fix` puts them back.

Layout, next to the validation's report `<run>.jsonl`:
    <run>.undo/snapshot.json        written before the first fix: the snapshot id and the wrapped data key
    <run>.undo/part-<n>.jsonl.zst   one per batch of fixes, uploaded whole before that batch is written

A record changed since the fix is not put back (that would lose a newer write): the undo names it instead.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from typing import Any, Literal

import psycopg2.errors
from psycopg2 import sql
from pydantic import BaseModel

from dataops.backup.codec import CodecSettings
from dataops.backup.dumpers import wire_item
from dataops.backup.keys import new_data_key, open_data_key
from dataops.backup.manifest import EncryptionHeader, new_backup_id
from dataops.backup.streams import DecodedReader, ObjectWriter, read_lines
from dataops.config import behaviour_defaults
from dataops.errors import DataOpsError, InvalidRequest
from dataops.models import utc_now
from dataops.naming import VALIDATION_REPORT_PREFIX
from dataops.stores.data_stores import DataStores
from dataops.stores.dynamodb import from_dynamo, to_dynamo

Item = dict[str, Any]
RowDelete = tuple[str, tuple[str, ...], tuple[Any, ...]]
SNAPSHOT_FILE = "snapshot.json"
COMPRESSION_LEVEL = 3
# Conflicts named in the result's warnings; the counts hold them all.
CONFLICTS_SHOWN = 10


class SavedRecord(BaseModel):
    """One record a fix changes: where it is, and its state before and after (None: no such record)."""

    store: Literal["dynamodb", "opensearch", "postgres"]
    where: str = ""
    key: Any
    before: Any = None
    after: Any = None


class SnapshotHeader(BaseModel):
    snapshot_id: str
    profile: str
    created_at: str
    encryption: EncryptionHeader | None = None
    compressed: bool = True


def undo_prefix(report_key: str) -> str:
    return report_key.removesuffix(".jsonl") + ".undo/"


def _json(value: Any) -> Any:
    """Values as JSON gives them back (bytes as base64, dates as text), so saved and read states compare equal."""
    return json.loads(json.dumps(value, default=_wire_default))


def _wire_default(value: Any) -> Any:
    if isinstance(value, bytes | bytearray):
        return base64.b64encode(value).decode()
    return str(value)


class FixSnapshot:
    """Writes the before-images of each batch of fixes, each batch as its own complete object."""

    def __init__(self, stores: DataStores, report_key: str) -> None:
        self.stores = stores
        self.prefix = undo_prefix(report_key)
        self.snapshot_id = new_backup_id(utc_now())
        self.parts = 0
        self.records = 0
        self._codec: CodecSettings | None = None

    def _start(self) -> CodecSettings:
        defaults = behaviour_defaults()
        data_key, header = new_data_key(self.stores, self.snapshot_id) if defaults.encryption_enabled else (None, None)
        compressed = defaults.compression_enabled
        self.stores.backups.put_json(
            self.prefix + SNAPSHOT_FILE,
            SnapshotHeader(
                snapshot_id=self.snapshot_id,
                profile=self.stores.profile.name,
                created_at=utc_now().isoformat(),
                encryption=header,
                compressed=compressed,
            ).model_dump(mode="json"),
        )
        return CodecSettings(compress=compressed, level=COMPRESSION_LEVEL, data_key=data_key)

    def save(self, records: list[SavedRecord]) -> None:
        if not records:
            return
        if self._codec is None:
            self._codec = self._start()
        self.parts += 1
        key = f"{self.prefix}part-{self.parts:05d}.jsonl.zst"
        with ObjectWriter(
            self.stores.backups, key, self._codec, self.snapshot_id, content_type="application/octet-stream"
        ) as out:
            for record in records:
                out.write(record.model_dump_json().encode() + b"\n")
        self.records += len(records)


def before_images(
    stores: DataStores, puts: list[Item], deletes: list[Item], documents: list[Item], rows: list[RowDelete]
) -> list[SavedRecord]:
    """Read, right before the batch is written, every record it will change."""
    saved: list[SavedRecord] = []
    names = stores.table.key_names()
    after = {_key_text({name: item[name] for name in names}): item for item in puts}
    keys = {_key_text(key): key for key in deletes} | {
        text: {n: item[n] for n in names} for text, item in after.items()
    }
    current = {
        _key_text({n: item[n] for n in names}): item for item in stores.table.get_many(keys.values(), consistent=True)
    }
    for text, key in keys.items():
        before, later = current.get(text), after.get(text)
        saved.append(
            SavedRecord(
                store="dynamodb",
                where=stores.table.name,
                key=_json(to_dynamo(key)),
                before=None if before is None else _json(to_dynamo(before)),
                after=None if later is None else _json(to_dynamo(later)),
            )
        )
    for index in sorted({action["_index"] for action in documents}):
        ids = [str(action["_id"]) for action in documents if action["_index"] == index]
        sources = stores.search.sources(index, ids)
        saved.extend(SavedRecord(store="opensearch", where=index, key=i, before=sources.get(i)) for i in ids)
    for table, columns, values in rows:
        saved.append(
            SavedRecord(
                store="postgres", where=table, key=dict(zip(columns, _json(list(values)), strict=True)),
                before=_row(stores, table, dict(zip(columns, values, strict=True))),
            )
        )  # fmt: skip
    return saved


def _key_text(key: Item) -> str:
    return json.dumps(_json(key), sort_keys=True)


def _row(stores: DataStores, table: str, key: dict[str, Any]) -> Any:
    with stores.postgres.transaction() as cursor:
        cursor.execute(
            sql.SQL("SELECT row_to_json(t) FROM {} AS t WHERE {}").format(sql.Identifier(table), _where(key)),
            list(key.values()),
        )
        found = cursor.fetchone()
    return None if found is None else found[0]


def _where(key: dict[str, Any]) -> sql.Composable:
    return sql.SQL(" AND ").join(sql.SQL("{}::text = %s::text").format(sql.Identifier(column)) for column in key)


def saved_records(stores: DataStores, report_key: str) -> Iterator[list[SavedRecord]]:
    """Each saved batch, the last first: undone in reverse, a record fixed twice ends at its first state."""
    if not report_key.startswith(VALIDATION_REPORT_PREFIX + "/") or not report_key.endswith(".jsonl"):
        raise InvalidRequest.for_field(
            "report", f"must be a validation report key, {VALIDATION_REPORT_PREFIX}/....jsonl (got {report_key!r})"
        )
    if not stores.backups.exists(report_key):
        raise InvalidRequest.for_field("report", f"no report {report_key!r} in bucket {stores.backups.bucket}")
    prefix = undo_prefix(report_key)
    if not stores.backups.exists(prefix + SNAPSHOT_FILE):
        raise InvalidRequest.for_field(
            "report", f"that validation wrote no fix (no {prefix}{SNAPSHOT_FILE}); there is nothing to undo"
        )
    header = SnapshotHeader.model_validate(stores.backups.get_json(prefix + SNAPSHOT_FILE))
    data_key = open_data_key(stores, header.encryption)
    parts = sorted(
        (entry["Key"] for entry in stores.backups.list_objects(prefix + "part-")),
        reverse=True,
    )
    for key in parts:
        reader = DecodedReader(stores.backups.open_read(key), header.snapshot_id, key, data_key)
        batch = [SavedRecord.model_validate_json(line) for line in read_lines(reader)]
        yield list(reversed(batch))


class UndoTally:
    """What an undo did, record by record."""

    def __init__(self) -> None:
        self.restored = 0
        self.already = 0
        self.conflicts: list[str] = []

    def counts(self) -> dict[str, int]:
        return {"restored": self.restored, "already_undone": self.already, "conflicts": len(self.conflicts)}

    def warnings(self) -> list[str]:
        shown = [f"{conflict}: changed since the fix, left as it is" for conflict in self.conflicts[:CONFLICTS_SHOWN]]
        more = len(self.conflicts) - len(shown)
        return shown + ([f"... and {more} more record(s) changed since the fix"] if more else [])


def undo_batch(stores: DataStores, batch: list[SavedRecord], tally: UndoTally, *, write: bool) -> None:
    """Put one batch back (`write` false: only count what would be put back)."""
    _undo_items(stores, [record for record in batch if record.store == "dynamodb"], tally, write)
    _undo_documents(stores, [record for record in batch if record.store == "opensearch"], tally, write)
    _undo_rows(stores, [record for record in batch if record.store == "postgres"], tally, write)


def _item(wire: Any) -> Item | None:
    return None if wire is None else from_dynamo(wire_item(wire))


def _undo_items(stores: DataStores, records: list[SavedRecord], tally: UndoTally, write: bool) -> None:
    if not records:
        return
    names = stores.table.key_names()
    keys = [_item(record.key) or {} for record in records]
    current = {_key_text({n: item[n] for n in names}): item for item in stores.table.get_many(keys, consistent=True)}
    puts, deletes = [], []
    for record, key in zip(records, keys, strict=True):
        now, before, after = current.get(_key_text(key)), _item(record.before), _item(record.after)
        if now == before:
            tally.already += 1
        elif now != after:
            tally.conflicts.append(f"dynamodb {stores.table.name} {_key_text(key)}")
        else:
            tally.restored += 1
            if before is None:
                deletes.append(key)
            else:
                puts.append(before)
    if write:
        stores.table.batch_delete(deletes)
        stores.table.batch_write(puts)


def _undo_documents(stores: DataStores, records: list[SavedRecord], tally: UndoTally, write: bool) -> None:
    """Documents derive from DynamoDB, so they are put back as they were without a conflict check: the stream
    re-indexes any item written since."""
    actions = []
    for record in records:
        if record.before is None:
            actions.append({"_op_type": "delete", "_index": record.where, "_id": record.key})
        else:
            actions.append({"_op_type": "index", "_index": record.where, "_id": record.key, "_source": record.before})
    tally.restored += len(actions)
    if not actions or not write:
        return
    _, failures = stores.search.bulk(actions)
    # A document the fix deleted and nobody wrote since is simply absent: its delete answers 404.
    refused = [failure for failure in failures if _status(failure) != 404]
    if refused:
        raise DataOpsError(f"OpenSearch refused {len(refused)} document(s) of the undo: {refused[0]}")
    for index in {record.where for record in records}:
        stores.search.refresh(index)


def _insert_as_it_was(cursor: Any, table: sql.Identifier, record: SavedRecord, tally: UndoTally) -> None:
    """Insert the row as saved. A row the fix deleted because its foreign key no longer held (loaded with triggers
    off) breaks that key again: it goes back the way it came in, with triggers off for this insert, when the role
    may do so; otherwise it is named and left out."""
    insert = sql.SQL("INSERT INTO {} SELECT * FROM json_populate_record(NULL::{}, %s)").format(table, table)
    body = (json.dumps(record.before),)
    cursor.execute("SAVEPOINT undo_row")
    try:
        cursor.execute(insert, body)
    except psycopg2.errors.ForeignKeyViolation:
        cursor.execute("ROLLBACK TO SAVEPOINT undo_row")
        try:
            cursor.execute("SET LOCAL session_replication_role = replica")
            cursor.execute(insert, body)
            cursor.execute("SET LOCAL session_replication_role = DEFAULT")
        except psycopg2.errors.InsufficientPrivilege:
            cursor.execute("ROLLBACK TO SAVEPOINT undo_row")
            tally.restored -= 1
            tally.conflicts.append(
                f"postgres {record.where} {json.dumps(record.key, sort_keys=True)} (breaks a foreign key, and this "
                "role may not turn triggers off)"
            )
    cursor.execute("RELEASE SAVEPOINT undo_row")


def _status(failure: dict[str, Any]) -> Any:
    """The HTTP status of one bulk failure ({"delete": {"status": 404, ...}})."""
    info: dict[str, Any] = next(iter(failure.values()), {})
    return info.get("status")


def _undo_rows(stores: DataStores, records: list[SavedRecord], tally: UndoTally, write: bool) -> None:
    """Fixes only delete rows: each comes back unless a row with its key was written since."""
    if not records:
        return
    with stores.postgres.transaction() as cursor:
        for record in records:
            if record.before is None:
                continue
            table = sql.Identifier(record.where)
            cursor.execute(
                sql.SQL("SELECT row_to_json(t) FROM {} AS t WHERE {}").format(table, _where(record.key)),
                list(record.key.values()),
            )
            found = cursor.fetchone()
            if found is not None:
                if found[0] == record.before:
                    tally.already += 1
                else:
                    tally.conflicts.append(f"postgres {record.where} {json.dumps(record.key, sort_keys=True)}")
                continue
            tally.restored += 1
            if not write:
                continue
            _insert_as_it_was(cursor, table, record, tally)
