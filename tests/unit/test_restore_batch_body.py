"""The restore writer's prebuilt BatchWriteItem body is exactly what botocore's serializer would send."""

from __future__ import annotations

import base64
import json
from typing import Any

import botocore.session
from botocore.serialize import create_serializer

from dataops.backup.dumpers import dynamo_line, item_from_line
from dataops.stores.dynamodb_wire import batch_body

ITEM: dict[str, Any] = {
    "PK": {"S": "ARTIST#1"},
    "SK": {"S": 'PROFILE ünïcødé "quoted" \\ \n'},
    "n": {"N": "1234567890123456789012345678.12345678"},
    "blob": {"B": b"\x00\xff\x10"},
    "blobs": {"BS": [b"a", b"\x00"]},
    "set": {"SS": ["a", "b"]},
    "nums": {"NS": ["1", "2.5"]},
    "nested": {"M": {"list": {"L": [{"N": "1"}, {"BOOL": True}, {"NULL": True}, {"B": b"\x01"}]}, "empty": {"M": {}}}},
}


def botocore_body(requests: list[dict[str, Any]]) -> Any:
    model = botocore.session.get_session().get_service_model("dynamodb").operation_model("BatchWriteItem")
    serialized = create_serializer("json").serialize_to_request({"RequestItems": {"table": requests}}, model)
    return json.loads(serialized["body"])


def test_prebuilt_body_matches_botocore_for_every_attribute_type() -> None:
    requests = [{"PutRequest": {"Item": ITEM}}, {"DeleteRequest": {"Key": {"PK": ITEM["PK"], "SK": ITEM["SK"]}}}]
    body = json.loads(batch_body("table", requests))
    assert body == botocore_body(requests)
    assert body["RequestItems"]["table"][0]["PutRequest"]["Item"]["blob"] == {
        "B": base64.b64encode(b"\x00\xff\x10").decode()
    }


def test_backup_lines_go_out_unchanged() -> None:
    """An item read back from a backup line is sent as the line holds it (wire format, binary as base64)."""
    item = item_from_line(dynamo_line(ITEM))
    sent = json.loads(batch_body("table", [{"PutRequest": {"Item": item}}]))["RequestItems"]["table"][0]
    assert sent["PutRequest"]["Item"] == json.loads(dynamo_line(ITEM))
