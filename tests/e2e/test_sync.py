"""Sync through the deployed functions: the stream mapping carries put, update and delete to OpenSearch within
seconds; a replayed old stream record does not regress a document; the sync function detects and resolves."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from dataops.compare import compare_entity
from dataops.config import load_settings
from dataops.profiles import load_profile
from dataops.stores.data_stores import DataStores
from dataops.stores.dynamodb import to_dynamo
from tests.e2e.conftest import STAGE
from tests.e2e.test_workflows import run_workflow, succeeded
from tests.sync_support import artist, artist_item

pytestmark = pytest.mark.e2e

STREAM_WAIT_SECONDS = 45


@pytest.fixture(scope="module")
def tattoo(deployed, local_endpoints) -> Iterator[DataStores]:
    settings = load_settings(
        profile="tattoo_directory", stage=STAGE, target="local", endpoint_url=local_endpoints.aws_endpoint
    )
    stores = DataStores(settings, load_profile("tattoo_directory"))
    yield stores
    keys = [{"PK": f"ARTIST#artist-{n:05d}", "SK": "PROFILE"} for n in (91001, 91002, 91011, 91012, 91013)]
    stores.table.batch_delete(keys)


def document(stores: DataStores, doc_id: str) -> dict[str, Any] | None:
    index = stores.search_indexes()["artist"]
    response = stores.search.client.mget(index=index, body={"ids": [doc_id]})
    (found,) = response["docs"]
    return dict(found["_source"]) if found.get("found") else None


def eventually(check: Callable[[], bool], what: str) -> float:
    started = time.monotonic()
    while time.monotonic() - started < STREAM_WAIT_SECONDS:
        if check():
            return time.monotonic() - started
        time.sleep(0.5)
    pytest.fail(f"{what} did not reach OpenSearch within {STREAM_WAIT_SECONDS} s")


def test_put_update_delete_reach_opensearch_through_the_stream_mapping(tattoo):
    created = artist_item(tattoo, artist(91001, updatedAt="2026-04-01T00:00:00Z"))
    tattoo.table.put(created)
    eventually(lambda: document(tattoo, "artist-91001") is not None, "the put")

    updated = artist_item(tattoo, artist(91001, rating=2.0, updatedAt="2026-04-02T00:00:00Z"))
    tattoo.table.put(updated)
    eventually(lambda: (document(tattoo, "artist-91001") or {}).get("rating") == 2.0, "the update")

    tattoo.table.batch_delete([{"PK": created["PK"], "SK": created["SK"]}])
    eventually(lambda: document(tattoo, "artist-91001") is None, "the delete")


def test_a_replayed_old_stream_record_does_not_regress_the_document(tattoo, invoke):
    older = artist_item(tattoo, artist(91002, artistName="Old Name", updatedAt="2026-04-01T00:00:00Z"))
    newer = artist_item(tattoo, artist(91002, artistName="New Name", updatedAt="2026-04-03T00:00:00Z"))
    tattoo.table.put(newer)
    eventually(lambda: (document(tattoo, "artist-91002") or {}).get("artistName") == "New Name", "the put")

    replay = {
        "Records": [
            {
                "eventID": "replay-1",
                "eventName": "MODIFY",
                "eventSource": "aws:dynamodb",
                "dynamodb": {
                    "Keys": to_dynamo({"PK": older["PK"], "SK": older["SK"]}),
                    "NewImage": to_dynamo(older),
                    "SequenceNumber": "100",
                    "StreamViewType": "NEW_AND_OLD_IMAGES",
                },
            }
        ]
    }
    response, body = invoke("tattoo_directory", "sync_stream", replay)
    assert "FunctionError" not in response, body
    assert body == {"batchItemFailures": []}
    assert (document(tattoo, "artist-91002") or {}).get("artistName") == "New Name"


def test_deployed_sync_detects_a_hand_edit_and_resolves_it(tattoo, invoke):
    eventually(lambda: document(tattoo, "artist-91002") is not None, "the seeded artist")
    index = tattoo.search_indexes()["artist"]
    tattoo.search.client.update(index=index, id="artist-91002", body={"doc": {"artistName": "Hand Edit"}}, refresh=True)

    response, detected = invoke("tattoo_directory", "sync", {"action": "detect-conflicts"})
    assert "FunctionError" not in response, detected
    assert [(d["key"], d["fields"]) for d in detected["differences"] if d["key"] == "artist-91002"] == [
        ("artist-91002", ["artistName"])
    ]
    response, resolved = invoke(
        "tattoo_directory", "sync", {"action": "resolve-conflicts", "strategy": "dynamo_wins", "dry_run": False}
    )
    assert "FunctionError" not in response, resolved
    assert {"key": "artist-91002", "outcome": "updated"}.items() <= next(
        d for d in resolved["differences"] if d["key"] == "artist-91002"
    ).items()
    assert (document(tattoo, "artist-91002") or {}).get("artistName") == "New Name"


def test_deployed_sync_refuses_a_profile_without_search_indexes(invoke):
    response, body = invoke("agent_system", "sync", {"action": "detect-conflicts"})
    assert response.get("FunctionError") and "indexes no entity in OpenSearch" in body["errorMessage"]


def test_the_sync_workflow_fans_out_and_leaves_the_index_equal_to_the_table(tattoo):
    for number in (91011, 91012, 91013):
        tattoo.table.put(artist_item(tattoo, artist(number, updatedAt="2026-04-05T00:00:00Z")))
    eventually(lambda: document(tattoo, "artist-91013") is not None, "the seeded artists")
    # Drift the stream cannot see, since DynamoDB does not change: a lost, an edited and a stray document.
    index = tattoo.search_indexes()["artist"]
    tattoo.search.client.delete(index=index, id="artist-91011")
    tattoo.search.client.update(index=index, id="artist-91012", body={"doc": {"artistName": "Hand Edit"}})
    tattoo.search.client.index(index=index, id="artist-91014", body={"artistId": "artist-91014"})
    tattoo.search.refresh(index)

    dry = succeeded(run_workflow("tattoo_directory", "sync", {"dry_run": True}))
    assert dry["steps"]["sync"]["status"] == "dry_run" and dry["steps"]["sync"]["counts"]["units"] >= 2
    assert document(tattoo, "artist-91011") is None, "the dry run wrote nothing"

    summary = succeeded(run_workflow("tattoo_directory", "sync", {"entity": "artist"}))
    step = summary["steps"]["sync"]
    assert step["status"] == "succeeded" and step["job_id"].startswith("dynamo-to-os-")
    counts = step["counts"]
    assert {"created", "updated", "deleted"} <= set(counts), summary
    assert document(tattoo, "artist-91011") is not None and document(tattoo, "artist-91014") is None
    assert (document(tattoo, "artist-91012") or {}).get("artistName") == "Artist 91012"
    assert [(d.key, d.kind, d.fields) for d in compare_entity(tattoo, "artist")] == []
