"""Writing a validated backup into the stores: the whole chain at once (the single-function path), or one unit of
the restore workflow's Map at a time."""

from __future__ import annotations

from dataops.backup import loaders
from dataops.backup.keys import open_data_key
from dataops.errors import InvalidRequest
from dataops.operations.restore.models import RestoreUnit
from dataops.operations.restore.prepare import PreparedRestore
from dataops.stores.data_stores import DataStores


def load_chain(stores: DataStores, prepared: PreparedRestore) -> dict[str, int]:
    """The base, then each increment on top: PostgreSQL in one transaction for the whole chain; search indexes
    from the newest backup (increments hold them whole)."""
    chain, scope = prepared.chain, prepared.scope
    openers = [loaders.object_opener(stores, m, open_data_key(stores, m.encryption)) for m in chain]
    base, newest = chain[0], chain[-1]
    counts: dict[str, int] = {}
    if scope.postgres:
        by_table = {e.name: e for e in base.objects if e.store == "postgres"}
        increments = [
            ([e for e in layer.objects if e.store == "postgres" and e.name in scope.postgres], opener)
            for layer, opener in zip(chain[1:], openers[1:], strict=True)
        ]
        counts.update(loaders.restore_postgres(stores, [by_table[t] for t in scope.postgres], openers[0], increments))
    if scope.dynamodb:
        entities = None if prepared.whole_table(stores) else scope.dynamodb
        dynamo_entries = [e for e in base.objects if e.store == "dynamodb"]
        loaded = loaders.restore_dynamodb(stores, dynamo_entries, entities, openers[0])
        for layer, opener in zip(chain[1:], openers[1:], strict=True):
            layer_entries = [e for e in layer.objects if e.store == "dynamodb"]
            loaders.apply_dynamodb_increment(stores, layer_entries, entities, opener)
        rows = newest.rows_by_name()
        counts.update({entity: rows.get(entity, loaded.get(entity, 0)) for entity in scope.dynamodb})
    for entry in newest.objects:
        if entry.store == "opensearch" and entry.name in scope.opensearch:
            counts[entry.name] = loaders.restore_index(
                stores, entry, newest.index_mappings.get(entry.name, {}), openers[-1]
            )
    return counts


def plan_units(stores: DataStores, prepared: PreparedRestore) -> list[RestoreUnit]:
    """One unit per DynamoDB backup object (segment), one for every PostgreSQL table together (one transaction:
    all or nothing), one per search index. An incremental chain is one unit that loads the whole chain: its
    increments apply on top of the base in order (deletes, then changed rows), which a Map cannot interleave."""
    scope = prepared.scope
    if len(prepared.chain) > 1:
        return [RestoreUnit(store="chain", names=scope.names())]
    (manifest,) = prepared.chain
    whole = prepared.whole_table(stores)
    units = [
        RestoreUnit(store="dynamodb", names=scope.dynamodb, key=entry.key, whole_table=whole)
        for entry in manifest.objects
        if entry.store == "dynamodb" and scope.dynamodb
    ]
    if scope.postgres:
        units.append(RestoreUnit(store="postgres", names=scope.postgres))
    units += [
        RestoreUnit(store="opensearch", names=[entry.name], key=entry.key)
        for entry in manifest.objects
        if entry.store == "opensearch" and entry.name in scope.opensearch
    ]
    return units


def load_unit(stores: DataStores, prepared: PreparedRestore, unit: RestoreUnit) -> dict[str, int]:
    """Restore one planned unit; `prepared` must be the restore that planned it (the DynamoDB scope is already
    cleared)."""
    if unit.store == "chain":
        return load_chain(stores, prepared)
    manifest = prepared.newest
    open_object = loaders.object_opener(stores, manifest, open_data_key(stores, manifest.encryption))
    if unit.store == "postgres":
        by_table = {e.name: e for e in manifest.objects if e.store == "postgres"}
        return loaders.restore_postgres(stores, [by_table[t] for t in unit.names], open_object)
    entry = next(e for e in manifest.objects if e.key == unit.key)
    if unit.store == "opensearch":
        return {
            entry.name: loaders.restore_index(stores, entry, manifest.index_mappings.get(entry.name, {}), open_object)
        }
    return loaders.put_items(stores, loaders.read_items([entry], open_object), None if unit.whole_table else unit.names)


def clear_dynamodb_scope(stores: DataStores, prepared: PreparedRestore) -> None:
    """Delete the scope's current items before any unit puts, so no late delete removes a restored item."""
    loaders.replace_items(stores, iter(()), None if prepared.whole_table(stores) else prepared.scope.dynamodb)


def check_unit(stores: DataStores, prepared: PreparedRestore, unit: RestoreUnit) -> None:
    """A unit must be one a plan of this restore returns; anything else is refused naming the field."""
    if unit not in plan_units(stores, prepared):
        backup = prepared.manifest.backup_id
        raise InvalidRequest.for_field(
            "unit",
            f"{unit.store} unit {unit.key or ', '.join(unit.names)!r} is not one that plan returns for backup "
            f"{backup}; pass a unit from the plan",
        )
