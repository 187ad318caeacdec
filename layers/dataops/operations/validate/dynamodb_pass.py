"""The DynamoDB pass: one streamed scan of the single table; schema, rules, references and duplicates per item."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import Any

from dataops.operations.validate.checker import TIMESTAMP_FIELDS, Finding, key_fields, plain, record_key
from dataops.operations.validate.context import BATCH, Coverage, ParentKeys, ValidationContext
from dataops.operations.validate.report import ValidationIssue
from dataops.profiles.model import EntityDefinition, Reference
from dataops.profiles.rules import UniqueKey
from dataops.records import record_from_item

Pending = list[tuple[dict[str, Any], dict[str, Any]]]


def content_digest(record: dict[str, Any], ignored: set[str]) -> bytes:
    content = {name: value for name, value in record.items() if name not in ignored}
    encoded = json.dumps(content, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.blake2b(encoded.encode(), digest_size=16).digest()


class DuplicateTracker:
    """Per natural key: the smallest record key seen and a digest of its content; memory is ~100 bytes a record."""

    def __init__(self, context: ValidationContext, unique_keys: list[UniqueKey]) -> None:
        self.context = context
        self.keys = {unique.entity: unique for unique in unique_keys}
        self.seen: dict[tuple[str, tuple[str, ...]], tuple[str, bytes, dict[str, Any]]] = {}

    def add(self, entity: EntityDefinition, key: str, record: dict[str, Any], item: dict[str, Any]) -> None:
        unique = self.keys.get(entity.name)
        if unique is None or any(record.get(name) is None for name in unique.fields):
            return
        natural = tuple(str(record[name]) for name in unique.fields)
        ignored = (set(key_fields(entity)) - set(unique.fields)) | TIMESTAMP_FIELDS
        digest = content_digest(record, ignored)
        table_key = self._locator(entity, item)
        previous = self.seen.get((entity.name, natural))
        if previous is None:
            self.seen[(entity.name, natural)] = (key, digest, table_key)
            return
        kept_key, kept_digest, kept_locator = previous
        if key < kept_key:
            self.seen[(entity.name, natural)] = (key, digest, table_key)
            key, table_key, kept_key = kept_key, kept_locator, key
        self._report(entity, unique, key, kept_key, exact=digest == kept_digest, locator=table_key)

    def _locator(self, entity: EntityDefinition, item: dict[str, Any]) -> dict[str, Any]:
        """Just enough of an item to delete it and its document: table keys and the document id field."""
        design = self.context.stores.profile.table
        names = {design.partition_key.name, *([design.sort_key.name] if design.sort_key else [])}
        if entity.opensearch is not None:
            names.add(entity.opensearch.id_field)
        return {name: item[name] for name in names if name in item}

    def _report(
        self, entity: EntityDefinition, unique: UniqueKey, key: str, kept: str, *, exact: bool,
        locator: dict[str, Any],
    ) -> None:  # fmt: skip
        rule = f"{entity.name}.duplicate"
        fields = ", ".join(unique.fields)
        message = f"duplicate of {kept} on ({fields})" + (
            "; an exact copy" if exact else "; contents differ, merge by hand"
        )
        self.context.report(
            ValidationIssue(
                entity=entity.name, key=key, store="dynamodb", category="duplicates", rule=rule,
                severity="warning", message=message, fixable=exact,
            )
        )  # fmt: skip
        if exact and self.context.fix:
            self.context.fixes.delete_item(entity, key, [(rule, "warning")], locator)


def check_dynamodb(context: ValidationContext) -> None:
    profile = context.stores.profile
    entities = {entity.name: entity for entity in profile.entities_in("dynamodb") if context.in_scope(entity)}
    if not entities:
        return
    parents = ParentKeys(context.stores, lookup=context.sample_per_entity is not None)
    references = [ref for ref in profile.references if ref.child in entities] if context.wants("referential") else []
    duplicates = DuplicateTracker(context, list(profile.unique_keys)) if context.wants("duplicates") else None
    type_attribute = profile.table.entity_type_attribute
    pending: dict[str, Pending] = {}
    limit = context.sample_per_entity
    seen = dict.fromkeys(entities, 0)
    read, finished = 0, True
    for item in context.stores.table.scan():
        read += 1
        entity_name = item.get(type_attribute)
        if entity_name not in entities:
            continue
        seen[entity_name] += 1
        if limit is not None and seen[entity_name] > limit:
            # A sample: stop once every entity has its share, or after reading that many items per entity, so a
            # rare entity cannot make the quick check read the whole table.
            if min(seen.values()) > limit or read >= limit * len(entities):
                finished = False
                break
            continue
        batch = pending.setdefault(str(entity_name), [])
        batch.append((item, plain(record_from_item(profile, item))))
        if len(batch) >= BATCH:
            _check_batch(context, entities[str(entity_name)], batch, references, parents, duplicates)
            pending[str(entity_name)] = []
    for entity_name, batch in pending.items():
        _check_batch(context, entities[entity_name], batch, references, parents, duplicates)
    context.fixes.flush()
    if limit is not None:
        _record_coverage(context, seen, read, limit, finished)


def _record_coverage(context: ValidationContext, seen: dict[str, int], read: int, limit: int, finished: bool) -> None:
    """Totals are exact when the scan reached the end; else each entity's share of the items read, scaled to the
    table's item count (DynamoDB refreshes that about every six hours, hence "about")."""
    table_items = read if finished else int(context.stores.table.describe().get("ItemCount", 0))
    for name, count in seen.items():
        total = count if finished else round(count * max(table_items, read) / read)
        context.coverage[name] = Coverage(checked=min(count, limit), total=max(total, count), estimated=not finished)


def _check_batch(
    context: ValidationContext, entity: EntityDefinition, batch: Pending, references: list[Reference],
    parents: ParentKeys, duplicates: DuplicateTracker | None,
) -> None:  # fmt: skip
    if not batch:
        return
    context.count("dynamodb", len(batch))
    findings = context.checker.check_batch(entity, [record for _, record in batch])
    own_references = [ref for ref in references if ref.child == entity.name]
    for ref in own_references:
        named: set[str] = set()
        for _, record in batch:
            value = record.get(ref.child_field)
            if isinstance(value, list):
                named.update(str(entry) for entry in value)
            elif value is not None and value != "":
                named.add(str(value))
        parents.confirm(context.stores.profile.entity(ref.parent), ref.parent_field, named)
    for (item, record), record_findings in zip(batch, findings, strict=True):
        key = record_key(entity, record)
        orphaned = _reference_findings(context, entity, record, own_references, parents, record_findings)
        _settle(context, entity, key, item, record, record_findings, orphaned)
        if duplicates is not None and not orphaned:
            duplicates.add(entity, key, record, item)


def _reference_findings(
    context: ValidationContext, entity: EntityDefinition, record: dict[str, Any], references: list[Reference],
    parents: ParentKeys, findings: list[Finding],
) -> Finding | None:  # fmt: skip
    """Adds dangling-reference findings; returns the orphan finding when a required parent is missing."""
    orphan: Finding | None = None
    for ref in references:
        value = record.get(ref.child_field)
        if value is None or value in ("", []):
            continue
        known = parents.values(context.stores.profile.entity(ref.parent), ref.parent_field)
        rule = f"{ref.child}.{ref.child_field}->{ref.parent}"
        if ref.many and isinstance(value, list):
            dangling = [entry for entry in value if str(entry) not in known]
            if dangling:
                remaining = [entry for entry in value if str(entry) in known]

                def drop(
                    current: dict[str, Any], field: str = ref.child_field, keep: list[Any] = remaining
                ) -> dict[str, Any] | None:
                    return {**current, field: keep} if keep else None

                message = f"{ref.child_field} names {ref.parent}(s) that do not exist: {dangling}"
                findings.append(Finding(rule, "referential", "error", message, ref.child_field, drop))
        elif str(value) not in known:
            message = f"{ref.child_field} {value!r} names a {ref.parent} that does not exist"
            if ref.optional:
                findings.append(
                    Finding(rule, "referential", "warning", message, ref.child_field, _clear(ref.child_field))
                )
            else:
                orphan = Finding(rule, "orphans", "error", f"orphan: {message}", ref.child_field)
                findings.append(orphan)
    return orphan


def _clear(field: str) -> Callable[[dict[str, Any]], dict[str, Any] | None]:
    return lambda current: {**current, field: None}


def _settle(
    context: ValidationContext, entity: EntityDefinition, key: str, item: dict[str, Any], record: dict[str, Any],
    findings: list[Finding], orphan: Finding | None,
) -> None:  # fmt: skip
    """Report each finding; with FIX_ISSUES, delete an orphan (settling all its findings) or write the record
    every fixer agrees on."""
    repaired = None if orphan else context.checker.repaired(record, findings)
    settled = {id(finding) for finding in repaired[1]} if repaired else set()
    for finding in findings:
        fixable = orphan is not None or id(finding) in settled
        context.report(
            ValidationIssue(
                entity=entity.name, key=key, store="dynamodb", category=finding.category, rule=finding.rule,
                severity=finding.severity, message=finding.message, fixable=fixable, field=finding.field,
            )
        )  # fmt: skip
    if not context.fix:
        return
    if orphan is not None:
        context.fixes.delete_item(entity, key, [(finding.rule, finding.severity) for finding in findings], item)
    elif repaired is not None:
        record_fixed, fixed_findings = repaired
        rules = [(finding.rule, finding.severity) for finding in fixed_findings]
        context.fixes.update_item(entity, key, rules, item, record_fixed)
