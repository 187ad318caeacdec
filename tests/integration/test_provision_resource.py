"""The provision custom resource answers CloudFormation on every path, a crash before any store exists included.

CloudFormation waits up to an hour for a custom resource's response. The response goes to a presigned URL; here it
is a local HTTP server that keeps what was PUT, so the protocol is tried for real.
"""

from __future__ import annotations

import importlib.util
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from dataops.custom_resource import run_custom_resource
from dataops.runtime import container_stores

pytestmark = pytest.mark.integration
ROOT = Path(__file__).resolve().parents[2]


def provision_handler() -> ModuleType:
    spec = importlib.util.spec_from_file_location("provision_handler", ROOT / "functions" / "provision" / "handler.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def cloudformation() -> Iterator[tuple[str, list[dict[str, Any]]]]:
    """A stand-in for the presigned response URL: (its URL, the responses PUT to it)."""
    received: list[dict[str, Any]] = []

    class Responses(BaseHTTPRequestHandler):
        def do_PUT(self) -> None:
            received.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    server = HTTPServer(("127.0.0.1", 0), Responses)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/response", received
    server.shutdown()


@pytest.fixture
def fresh_container() -> Iterator[None]:
    """The handler's stores are built once per container; each test is a new container."""
    container_stores.cache_clear()
    yield
    container_stores.cache_clear()


def create_event(url: str) -> dict[str, Any]:
    return {
        "RequestType": "Create",
        "ResponseURL": url,
        "StackId": "arn:aws:cloudformation:us-east-1:000000000000:stack/dataops-test/1",
        "RequestId": "request-1",
        "LogicalResourceId": "SearchIndexes",
        "ResourceProperties": {"MappingsHash": "x", "Stage": "test"},
    }


def test_a_crash_before_any_store_exists_is_a_failed_response_at_once(cloudformation, fresh_container, monkeypatch):
    url, received = cloudformation
    monkeypatch.setenv("DATAOPS_PROFILE", "no_such_profile")
    answer = run_custom_resource(create_event(url), provision_handler().provision)
    assert answer["Status"] == "FAILED" and "no_such_profile" in answer["Reason"]
    (response,) = received
    assert response["Status"] == "FAILED" and response["Reason"] == answer["Reason"]
    assert response["PhysicalResourceId"] == "SearchIndexes" and response["RequestId"] == "request-1"


def test_a_provision_creates_the_indexes_and_answers_success(
    cloudformation, fresh_container, monkeypatch, provisioned, local_endpoints
):
    url, received = cloudformation
    stores = provisioned("tattoo_directory")
    index = stores.search_indexes()["artist"]
    stores.search.client.indices.delete(index=index, ignore_unavailable=True)
    monkeypatch.setenv("DATAOPS_PROFILE", "tattoo_directory")
    monkeypatch.setenv("DATAOPS_STAGE", stores.settings.stage)
    monkeypatch.setenv("DATAOPS_TARGET", "local")
    monkeypatch.setenv("AWS_ENDPOINT_URL", local_endpoints.aws_endpoint)
    answer = run_custom_resource(create_event(url), provision_handler().provision)
    assert answer["Status"] == "SUCCESS", answer
    (response,) = received
    assert response["PhysicalResourceId"] == f"tattoo_directory-{stores.settings.stage}-provision"
    assert response["Data"]["profile"] == "tattoo_directory"
    mapping = stores.search.mappings(index)
    assert mapping["properties"]["location"]["type"] == "geo_point"
