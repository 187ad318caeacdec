"""The OpenSearch pass (documents against the entity schema and rules) and the consistency pass (DynamoDB vs
OpenSearch by key, through the shared comparison engine)."""

from __future__ import annotations

from typing import Any

from dataops.compare import RecordDifference, compare_entity
from dataops.operations.validate.context import BATCH, ValidationContext
from dataops.operations.validate.report import ValidationIssue
from dataops.profiles.model import EntityDefinition, OpenSearchPlacement
from dataops.profiles.rules import Severity


def check_opensearch(context: ValidationContext) -> None:
    for entity, placement in context.stores.profile.search_indexes():
        if not context.in_scope(entity):
            continue
        index = context.stores.settings.resolved_index(placement.index_base_name)
        if not context.stores.search.index_exists(index):
            context.report(
                ValidationIssue(
                    entity=entity.name, key=index, store="opensearch", category="schema",
                    rule="opensearch.index-exists", severity="error", message=f"index {index} does not exist",
                )
            )  # fmt: skip
            continue
        batch: list[tuple[str, dict[str, Any]]] = []
        for hit in context.stores.search.scan(index):
            batch.append((str(hit["_id"]), _record_of(placement, dict(hit.get("_source") or {}))))
            if len(batch) >= BATCH:
                _check_documents(context, entity, placement, batch)
                batch = []
        _check_documents(context, entity, placement, batch)


def _record_of(placement: OpenSearchPlacement, source: dict[str, Any]) -> dict[str, Any]:
    """The document without its derived geo point, which the record does not carry."""
    if placement.geo_point is not None:
        source.pop(placement.geo_point[0], None)
    return source


def _check_documents(
    context: ValidationContext, entity: EntityDefinition, placement: OpenSearchPlacement,
    batch: list[tuple[str, dict[str, Any]]],
) -> None:  # fmt: skip
    if not batch:
        return
    context.count("opensearch", len(batch))
    findings = context.checker.check_batch(entity, [document for _, document in batch])
    for (doc_id, document), document_findings in zip(batch, findings, strict=True):
        if document.get(placement.id_field) not in (None, doc_id):
            context.report(
                ValidationIssue(
                    entity=entity.name, key=doc_id, store="opensearch", category="schema",
                    rule=f"{entity.name}.document-id", severity="error", field=placement.id_field,
                    message=f"document id {doc_id!r} differs from {placement.id_field} "
                    f"{document.get(placement.id_field)!r}",
                )
            )  # fmt: skip
        for finding in document_findings:
            context.report(
                ValidationIssue(
                    entity=entity.name, key=doc_id, store="opensearch", category=finding.category,
                    rule=finding.rule, severity=finding.severity, field=finding.field,
                    message=f"{finding.message} (re-index from DynamoDB to repair)",
                )
            )  # fmt: skip


CONSISTENCY_RULES: dict[str, tuple[Severity, str]] = {
    "missing_in_opensearch": ("error", "document missing from OpenSearch"),
    "missing_in_dynamodb": ("warning", "document in OpenSearch has no DynamoDB item (extra)"),
    "different": ("error", "document differs from its DynamoDB item"),
}


def check_consistency(context: ValidationContext) -> None:
    for entity, _ in context.stores.profile.search_indexes():
        if entity.dynamodb is None or not context.in_scope(entity):
            continue
        for difference in compare_entity(context.stores, entity):
            context.count("consistency")
            _report_difference(context, entity, difference)
    context.fixes.flush()


def _report_difference(context: ValidationContext, entity: EntityDefinition, difference: RecordDifference) -> None:
    severity, what = CONSISTENCY_RULES[difference.kind]
    rule = f"{entity.name}.consistency.{difference.kind}"
    message = what if difference.kind != "different" else f"{what} in {', '.join(difference.fields)}"
    context.report(
        ValidationIssue(
            entity=entity.name, key=difference.key, store="opensearch", category="consistency", rule=rule,
            severity=severity, message=message, fixable=True,
        )
    )  # fmt: skip
    if not context.fix:
        return
    # DynamoDB is the source of truth: missing or different documents are re-indexed, extra ones removed.
    if difference.kind == "missing_in_dynamodb":
        context.fixes.delete_document(entity, difference.key, rule, "warning")
    elif difference.dynamodb_record is not None:
        context.fixes.index_document(entity, difference.key, rule, severity, difference.dynamodb_record)
