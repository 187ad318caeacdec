"""Built-in checks: each store reachable, with its latency; the table, bucket, key, secret and index exist."""

from __future__ import annotations

from dataops.checks import CheckOutcome
from dataops.stores.data_stores import DataStores
from dataops.stores.postgres import describe_params


def data_table(stores: DataStores) -> CheckOutcome:
    table = stores.table.describe()
    details = {
        "table": stores.table.name,
        "status": table.get("TableStatus"),
        "approximate_items": table.get("ItemCount", 0),
    }
    expected = {index.name for index in stores.profile.table.indexes}
    present = {index["IndexName"] for index in table.get("GlobalSecondaryIndexes", [])}
    if missing := sorted(expected - present):
        return CheckOutcome("fail", f"table {stores.table.name} lacks the indexes {', '.join(missing)}", details)
    if table.get("TableStatus") != "ACTIVE":
        return CheckOutcome("warn", f"table {stores.table.name} is {table.get('TableStatus')}", details)
    if not table.get("StreamSpecification", {}).get("StreamEnabled"):
        return CheckOutcome("warn", f"table {stores.table.name} has no stream; continuous sync needs one", details)
    return CheckOutcome("pass", f"table {stores.table.name} is active with {len(present)} index(es)", details)


def control_table(stores: DataStores) -> CheckOutcome:
    table = stores.control.describe()
    return CheckOutcome(
        "pass",
        f"table {stores.control.name} is {table.get('TableStatus', 'ACTIVE').lower()}",
        {"table": stores.control.name},
    )


def backup_bucket(stores: DataStores) -> CheckOutcome:
    stores.backups.head_bucket()
    return CheckOutcome("pass", f"bucket {stores.backups.bucket} is reachable", {"bucket": stores.backups.bucket})


def backup_key(stores: DataStores) -> CheckOutcome:
    metadata = stores.backup_key.describe()
    details = {"key": metadata.get("Arn", stores.backup_key.key_id), "state": metadata.get("KeyState")}
    if not metadata.get("Enabled", False):
        return CheckOutcome("fail", f"KMS key {stores.backup_key.key_id} is {metadata.get('KeyState')}", details)
    return CheckOutcome("pass", f"KMS key {stores.backup_key.key_id} is enabled", details)


def postgres_secret(stores: DataStores) -> CheckOutcome:
    secret_id = stores.postgres_secret_id
    if secret_id is None:
        return CheckOutcome("pass", "connection comes from the environment, not a secret", {"source": "environment"})
    secret = stores.secrets.describe(secret_id)
    return CheckOutcome(
        "pass", f"secret {secret.get('Name', secret_id)} exists", {"secret": secret.get("ARN", secret_id)}
    )


def postgres(stores: DataStores) -> CheckOutcome:
    version = stores.postgres.server_version()
    where = describe_params(stores.postgres.params)
    return CheckOutcome("pass", f"PostgreSQL {version} at {where} answered", {"server": where, "version": version})


def opensearch(stores: DataStores) -> CheckOutcome:
    info = stores.search.info()
    version = info.get("version", {}).get("number", "unknown")
    return CheckOutcome(
        "pass",
        f"OpenSearch {version} at {stores.search.endpoint} answered",
        {"endpoint": stores.search.endpoint, "version": version},
    )


def search_indexes(stores: DataStores) -> CheckOutcome:
    counts = {index: stores.search.count(index) for index in stores.search_indexes().values()}
    missing = sorted(index for index, count in counts.items() if count is None)
    if missing:
        return CheckOutcome("fail", f"index {', '.join(missing)} does not exist", {"documents": counts})
    return CheckOutcome("pass", f"{len(counts)} index(es) exist", {"documents": counts})
