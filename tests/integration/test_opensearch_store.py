"""OpenSearch adapter against osmem-server: index with mappings, bulk, scan, count, clear errors."""

import socket
import threading
import time
import uuid

import pytest

from dataops.errors import StoreUnavailable
from dataops.stores.opensearch import SearchStore, build_client

pytestmark = pytest.mark.integration


@pytest.fixture
def search(local_endpoints):
    return SearchStore(build_client(local_endpoints.opensearch_endpoint, timeout=5, region="us-east-1"), "local")


@pytest.fixture
def scratch_index(search):
    name = f"it-{uuid.uuid4().hex[:10]}"
    yield name
    search.client.indices.delete(index=name, ignore_unavailable=True)


def test_ensure_index_creates_then_extends_mappings(search, scratch_index):
    assert search.ensure_index(scratch_index, {"properties": {"name": {"type": "keyword"}}}) is True
    assert search.ensure_index(scratch_index, {"properties": {"rating": {"type": "float"}}}) is False
    mapping = search.client.indices.get_mapping(index=scratch_index)[scratch_index]["mappings"]["properties"]
    assert mapping["name"]["type"] == "keyword" and mapping["rating"]["type"] == "float"


def test_bulk_then_scan_and_count_agree(search, scratch_index):
    search.ensure_index(scratch_index, {"properties": {"n": {"type": "integer"}}})
    actions = ({"_index": scratch_index, "_id": f"doc-{n}", "_source": {"n": n}} for n in range(1500))
    succeeded, failures = search.bulk(actions)
    search.refresh(scratch_index)
    assert (succeeded, failures) == (1500, [])
    assert search.count(scratch_index) == 1500
    assert {hit["_id"] for hit in search.scan(scratch_index)} == {f"doc-{n}" for n in range(1500)}


def test_count_of_missing_index_is_none(search):
    assert search.count(f"missing-{uuid.uuid4().hex[:6]}") is None


def test_unreachable_endpoint_is_a_store_error():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    search = SearchStore(build_client(f"http://127.0.0.1:{port}", timeout=1, region="us-east-1"), f"127.0.0.1:{port}")
    with pytest.raises(StoreUnavailable, match="unreachable"):
        search.info()


def test_recreating_an_index_a_writer_keeps_indexing_into_gives_it_the_mappings(search, scratch_index):
    """The stream indexes documents while a restore recreates the index: whoever creates it, it has the mappings,
    and the template that saw to it is gone afterwards."""
    mappings = {"properties": {"location": {"type": "geo_point"}, "name": {"type": "keyword"}}}
    search.ensure_index(scratch_index, mappings)
    stop = threading.Event()
    written = 0

    def writer() -> None:
        nonlocal written
        while not stop.is_set():
            search.client.index(index=scratch_index, id=f"doc-{written % 50}", body={"name": "n", "location": "1,2"})
            written += 1

    thread = threading.Thread(target=writer, daemon=True)
    thread.start()
    try:
        while written < 20:
            time.sleep(0.01)
        for _ in range(40):
            search.recreate_index(scratch_index, mappings)
    finally:
        stop.set()
        thread.join()
    properties = search.client.indices.get_mapping(index=scratch_index)[scratch_index]["mappings"]["properties"]
    assert properties["location"]["type"] == "geo_point" and properties["name"]["type"] == "keyword"
    assert not search.client.indices.exists_index_template(name=f"dataops-recreate-{scratch_index}")
