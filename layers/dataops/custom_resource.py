"""The CloudFormation custom-resource protocol: run on Create/Update, then PUT the outcome to the ResponseURL."""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Callable
from typing import Any

RESPONSE_TIMEOUT_SECONDS = 10


def respond(event: dict[str, Any], physical_id: str, status: str, reason: str, data: dict[str, Any]) -> None:
    body = json.dumps(
        {
            "Status": status,
            "Reason": reason[:1000],
            "PhysicalResourceId": physical_id,
            "StackId": event["StackId"],
            "RequestId": event["RequestId"],
            "LogicalResourceId": event["LogicalResourceId"],
            "Data": data,
        }
    ).encode()
    request = urllib.request.Request(  # noqa: S310 - CloudFormation's presigned URL, always https on AWS
        event["ResponseURL"], data=body, method="PUT", headers={"Content-Type": "", "Content-Length": str(len(body))}
    )
    with urllib.request.urlopen(request, timeout=RESPONSE_TIMEOUT_SECONDS):  # noqa: S310
        pass


Change = Callable[[], tuple[str, dict[str, Any]]]


def run_custom_resource(event: dict[str, Any], on_change: Change) -> dict[str, Any]:
    """Answer CloudFormation on every path, or the stack waits an hour for a response that never comes.

    `on_change` builds whatever it needs (stores, settings) itself, inside the `try`, and returns the resource's
    physical id and data: a crash anywhere in it is a FAILED response with the reason, at once. Delete is a no-op
    on purpose: removing the stack must never delete data the app owns.
    """
    status, reason = "SUCCESS", "ok"
    data: dict[str, Any] = {}
    physical_id = str(event.get("PhysicalResourceId") or event.get("LogicalResourceId") or "dataops-provision")
    if event.get("RequestType") in {"Create", "Update"}:
        try:
            physical_id, data = on_change()
        except Exception as exc:  # noqa: BLE001 - CloudFormation must hear about every failure or it waits an hour
            status, reason = "FAILED", f"{type(exc).__name__}: {exc}"
    respond(event, physical_id, status, reason, data)
    return {"Status": status, "Reason": reason}
