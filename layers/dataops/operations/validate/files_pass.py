"""The files target: seed data (the profile's default scenario, as the seeder would write it) or JSON-lines
files (local paths, or `s3://<key>` in the backup bucket): backup exports (dynamodb/, postgres/, opensearch/
files) or any file of items carrying their entity type attribute."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from dataops.errors import InvalidRequest
from dataops.operations.validate.checker import plain, record_key
from dataops.operations.validate.context import BATCH, ValidationContext
from dataops.operations.validate.report import ValidationIssue
from dataops.profiles.model import EntityDefinition, Profile, SeedContext
from dataops.records import record_from_item, record_values
from dataops.stores.dynamodb import from_dynamo

S3_SCHEME = "s3://"


def check_files(context: ValidationContext, paths: list[str]) -> None:
    pending: dict[str, list[tuple[str, dict[str, Any]]]] = {}
    for source, entity, record in _records(context, paths):
        if not context.in_scope(entity):
            continue
        batch = pending.setdefault(entity.name, [])
        batch.append((source, record))
        if len(batch) >= BATCH:
            _check(context, entity, batch)
            batch.clear()
    for name, batch in pending.items():
        _check(context, context.stores.profile.entity(name), batch)


def _records(context: ValidationContext, paths: list[str]) -> Iterator[tuple[str, EntityDefinition, dict[str, Any]]]:
    profile = context.stores.profile
    if not paths:
        if profile.seeding is None:
            context.warnings.append("files: the profile has no seed data and no paths were given")
            return
        scenario = profile.seeding.scenario(None)
        seed = SeedContext(seed=42, clock=datetime(2025, 1, 1, tzinfo=UTC))
        for entity_name, record in scenario.generate(seed):
            yield f"seed:{scenario.name}", profile.entity(entity_name), plain(record_values(record))
        return
    for path in paths:
        placed = _placed_entity(profile, path)
        for number, line in enumerate(_lines(context, path), start=1):
            if not line.strip():
                continue
            try:
                value = json.loads(line)
            except json.JSONDecodeError as exc:
                _corrupt(context, path, number, f"not JSON: {exc.msg}")
                continue
            found = _record_of(profile, placed, value)
            if isinstance(found, str):
                _corrupt(context, path, number, found)
                continue
            yield f"{path}:{number}", found[0], plain(found[1])


def _placed_entity(profile: Profile, path: str) -> EntityDefinition | None:
    """An export names its files by store and table or index (postgres/services.jsonl, opensearch/artists.jsonl)."""
    parts = path.replace("\\", "/").split("/")
    store, stem = (parts[-2] if len(parts) > 1 else ""), parts[-1].removesuffix(".jsonl")
    for entity in profile.entities:
        if store == "postgres" and entity.postgres is not None and entity.postgres.table == stem:
            return entity
        if store == "opensearch" and entity.opensearch is not None and entity.opensearch.index_base_name == stem:
            return entity
    return None


def _record_of(
    profile: Profile, placed: EntityDefinition | None, value: Any
) -> tuple[EntityDefinition, dict[str, Any]] | str:
    """(entity, record) of one line: a PostgreSQL row, an OpenSearch {_id, _source}, or a DynamoDB item (plain or
    DynamoDB JSON, as backup export writes it) carrying its entity type; otherwise why the line is unreadable."""
    if not isinstance(value, dict):
        return f"line is a JSON {type(value).__name__}, not an object"
    if placed is not None and placed.opensearch is not None and "_source" in value:
        source = dict(value["_source"])
        if placed.opensearch.geo_point is not None:
            source.pop(placed.opensearch.geo_point[0], None)
        return placed, source
    if placed is not None:
        return placed, value
    type_attribute = profile.table.entity_type_attribute
    if isinstance(value.get(type_attribute), dict) and "S" in value[type_attribute]:
        value = from_dynamo(value)
    name = value.get(type_attribute)
    if name not in {entity.name for entity in profile.entities}:
        return f"line has no known {type_attribute} (got {name!r})"
    return profile.entity(str(name)), record_from_item(profile, value)


def _lines(context: ValidationContext, path: str) -> Iterator[str]:
    if path.startswith(S3_SCHEME):
        key = path[len(S3_SCHEME) :]
        if not key or ".." in key.split("/"):
            raise InvalidRequest.for_field("paths", f"{path!r} must name an object key without '..' segments")
        body = context.stores.backups.open_read(key)
        yield from io.TextIOWrapper(body, encoding="utf-8")
        return
    file = Path(path)
    if not file.is_file():
        raise InvalidRequest.for_field("paths", f"{path!r} is not a readable file")
    with file.open(encoding="utf-8") as lines:
        yield from lines


def _corrupt(context: ValidationContext, path: str, number: int, message: str) -> None:
    context.report(
        ValidationIssue(
            entity="(file)", key=f"{path}:{number}", store="files", category="schema", rule="files.record",
            severity="error", message=message,
        )
    )  # fmt: skip


def _check(context: ValidationContext, entity: EntityDefinition, batch: list[tuple[str, dict[str, Any]]]) -> None:
    if not batch:
        return
    context.count("files", len(batch))
    findings = context.checker.check_batch(entity, [record for _, record in batch])
    for (source, record), record_findings in zip(batch, findings, strict=True):
        for finding in record_findings:
            context.report(
                ValidationIssue(
                    entity=entity.name, key=f"{record_key(entity, record)} ({source})", store="files",
                    category=finding.category, rule=finding.rule, severity=finding.severity,
                    message=finding.message, field=finding.field,
                )
            )  # fmt: skip
