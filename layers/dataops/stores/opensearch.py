"""OpenSearch adapter: a plain URL locally, SigV4 on AWS; bulk and scan through opensearch-py helpers."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any, Literal
from urllib.parse import urlparse

from opensearchpy import AWSV4SignerAuth, OpenSearch, RequestsHttpConnection, helpers
from opensearchpy.exceptions import ConflictError, NotFoundError, OpenSearchException, RequestError

from dataops.errors import StoreUnavailable

# Bulk work (bulk, mget, delete_by_query, refresh) may legitimately outlast the client's probe timeout.
BULK_TIMEOUT = 120
# Above any template a user keeps for a wider pattern, so the recreated index takes the profile's mappings.
RECREATE_TEMPLATE_PRIORITY = 1000


def build_client(endpoint: str, *, timeout: int, region: str, aws_credentials: Any | None = None) -> OpenSearch:
    """`aws_credentials` turns on SigV4 (service `es`), as an Amazon OpenSearch domain needs."""
    parsed = urlparse(endpoint if "://" in endpoint else f"https://{endpoint}")
    use_ssl = parsed.scheme == "https"
    port = parsed.port or (443 if use_ssl else 80)
    options: dict[str, Any] = {
        "hosts": [{"host": parsed.hostname, "port": port}],
        "use_ssl": use_ssl,
        "verify_certs": use_ssl,
        "timeout": timeout,
        "max_retries": 2,
        "retry_on_timeout": True,
    }
    if aws_credentials is not None:
        options["http_auth"] = AWSV4SignerAuth(aws_credentials, region, "es")
        options["connection_class"] = RequestsHttpConnection
    return OpenSearch(**options)


class SearchStore:
    def __init__(self, client: OpenSearch, endpoint: str) -> None:
        self.client = client
        self.endpoint = endpoint

    def info(self) -> dict[str, Any]:
        try:
            return dict(self.client.info())
        except OpenSearchException as exc:
            raise StoreUnavailable(f"OpenSearch at {self.endpoint} is unreachable: {type(exc).__name__}") from None

    def index_exists(self, index: str) -> bool:
        try:
            return bool(self.client.indices.exists(index=index))
        except OpenSearchException as exc:
            raise StoreUnavailable(f"OpenSearch at {self.endpoint} is unreachable: {type(exc).__name__}") from None

    def ensure_index(self, index: str, mappings: dict[str, Any]) -> bool:
        """Create the index with its mappings, or add new mapping fields to it. True when it was created."""
        # Mapping writes queue behind bulk loads on a busy cluster, so they get the bulk timeout, not the probe's.
        if self.index_exists(index):
            self.client.indices.put_mapping(index=index, body=mappings, params={"request_timeout": BULK_TIMEOUT})
            return False
        self.client.indices.create(index=index, body={"mappings": mappings}, params={"request_timeout": BULK_TIMEOUT})
        return True

    def recreate_index(self, index: str, mappings: dict[str, Any]) -> None:
        """Delete `index` and create it again with `mappings`.

        A writer may index into it in between (the stream sync, indexing items a restore has just written), and
        OpenSearch then creates the index itself, with mappings guessed from that one document. Deleting again
        loses that race for as long as the writer is busy, so instead an index template of this one name, kept only
        while this runs, gives such an index the same mappings: whoever creates it, it is right. What the writer
        put there is a current item's document, which the load that follows overwrites or the settling keeps.
        """
        template = f"dataops-recreate-{index}"
        body = {"index_patterns": [index], "priority": RECREATE_TEMPLATE_PRIORITY, "template": {"mappings": mappings}}
        self.client.indices.put_index_template(name=template, body=body)
        try:
            if self.index_exists(index):
                self.client.indices.delete(index=index, params={"request_timeout": BULK_TIMEOUT})
            try:
                self.client.indices.create(
                    index=index, body={"mappings": mappings}, params={"request_timeout": BULK_TIMEOUT}
                )
            except RequestError as exc:
                # Created from the template by a writer in between: its mappings are these.
                if exc.error != "resource_already_exists_exception":
                    raise
        finally:
            self.client.indices.delete_index_template(name=template)

    def mappings(self, index: str) -> dict[str, Any]:
        """The live index's mappings (what a backup or export keeps beside its documents)."""
        found = self.client.indices.get_mapping(index=index)
        return dict(next(iter(found.values())).get("mappings", {}))

    def count(self, index: str) -> int | None:
        """Documents in `index`, or None when the index does not exist."""
        try:
            return int(self.client.count(index=index)["count"])
        except NotFoundError:
            return None
        except OpenSearchException as exc:
            raise StoreUnavailable(
                f"OpenSearch at {self.endpoint} could not count {index}: {type(exc).__name__}"
            ) from None

    def refresh(self, index: str) -> None:
        self.client.indices.refresh(index=index, params={"request_timeout": BULK_TIMEOUT})

    def existing_ids(self, index: str, ids: list[str]) -> set[str]:
        """Which of `ids` have a document in `index` (one mget, without sources)."""
        if not ids:
            return set()
        response = self.client.mget(
            index=index, body={"ids": ids}, params={"_source": "false", "request_timeout": BULK_TIMEOUT}
        )
        return {doc["_id"] for doc in response.get("docs", []) if doc.get("found")}

    def sources(self, index: str, ids: list[str]) -> dict[str, dict[str, Any]]:
        """id -> source of those of `ids` that have a document in `index` (one mget)."""
        if not ids:
            return {}
        response = self.client.mget(index=index, body={"ids": ids}, params={"request_timeout": BULK_TIMEOUT})
        return {str(doc["_id"]): dict(doc["_source"]) for doc in response.get("docs", []) if doc.get("found")}

    def delete_all(self, index: str) -> int:
        """Delete every document of `index`, keeping the index and its mappings; 0 when the index is absent."""
        if not self.index_exists(index):
            return 0
        response = self.client.delete_by_query(
            index=index,
            body={"query": {"match_all": {}}},
            params={"refresh": "true", "conflicts": "proceed", "request_timeout": BULK_TIMEOUT},
        )
        return int(response.get("deleted", 0))

    def bulk(self, actions: Iterable[dict[str, Any]], *, chunk_size: int = 500) -> tuple[int, list[dict[str, Any]]]:
        """Stream actions in chunks; returns (succeeded, failures) instead of raising on the first bad document."""
        succeeded = 0
        failures: list[dict[str, Any]] = []
        for ok, info in helpers.streaming_bulk(
            self.client,
            actions,
            chunk_size=chunk_size,
            raise_on_error=False,
            raise_on_exception=False,
            request_timeout=BULK_TIMEOUT,
        ):
            if ok:
                succeeded += 1
            else:
                failures.append(info)
        return succeeded, failures

    def bulk_each(
        self, actions: Iterable[dict[str, Any]], *, chunk_size: int = 500, max_retries: int = 3
    ) -> Iterator[tuple[bool, Any]]:
        """(ok, info) per action, in order, without raising on a refused one (a version conflict is an answer);
        rejected chunks (429) are retried with backoff."""
        yield from helpers.streaming_bulk(
            self.client,
            actions,
            chunk_size=chunk_size,
            raise_on_error=False,
            raise_on_exception=False,
            max_retries=max_retries,
            request_timeout=BULK_TIMEOUT,
        )

    def stored_version(self, index: str, doc_id: str) -> int | None:
        """The version of the stored document (its external version under sync), or None when there is none."""
        try:
            found = self.client.get(index=index, id=doc_id, _source=False)
        except NotFoundError:
            return None
        return int(found["_version"])

    def index_at_version(
        self, index: str, doc_id: str, document: dict[str, Any], version: int | None
    ) -> Literal["created", "updated"] | None:
        """Index `document` at external `version` (kept if the stored one is not older): "created" or "updated",
        or None when a newer version is stored. Without a version the write is internal: it always lands, one
        above whatever is stored, a delete's tombstone included."""
        versioning: dict[str, Any] = {} if version is None else {"version": version, "version_type": "external_gte"}
        try:
            response = self.client.index(index=index, id=doc_id, body=document, **versioning)
        except ConflictError:
            return None
        return "created" if response.get("result") == "created" else "updated"

    def scan(self, index: str, query: dict[str, Any] | None = None, *, size: int = 500) -> Iterator[dict[str, Any]]:
        yield from helpers.scan(self.client, index=index, query=query or {"query": {"match_all": {}}}, size=size)
