"""Step Functions: the deployed workflows of one profile and stage, their executions and their histories."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from dataops import naming
from dataops.config import Settings
from dataops.errors import DataOpsError, UnknownName
from dataops.stores import aws

TERMINAL = {"SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED"}


@dataclass(frozen=True)
class Execution:
    arn: str
    status: str
    output: dict[str, Any] | None
    error: str | None
    cause: str | None
    started: str
    stopped: str | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "execution": self.arn,
            "status": self.status,
            "started": self.started,
            "stopped": self.stopped,
            "output": self.output,
            "error": self.error,
            "cause": self.cause,
        }


class StateMachines:
    """The deployed workflows of one profile and stage, through the Step Functions API."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.client = aws.client(settings, "stepfunctions")

    def arn_of(self, workflow: str) -> str:
        name = naming.state_machine_name(self.settings.profile, self.settings.stage, workflow)
        for page in self.client.get_paginator("list_state_machines").paginate():
            for machine in page["stateMachines"]:
                if machine["name"] == name:
                    return str(machine["stateMachineArn"])
        raise DataOpsError(f"state machine {name} is not deployed; run `make deploy PROFILE={self.settings.profile}`")

    def start(self, workflow: str, options: Mapping[str, Any]) -> str:
        response = self.client.start_execution(stateMachineArn=self.arn_of(workflow), input=json.dumps(dict(options)))
        return str(response["executionArn"])

    def describe(self, execution_arn: str) -> Execution:
        try:
            found = self.client.describe_execution(executionArn=execution_arn)
        except self.client.exceptions.ExecutionDoesNotExist:
            raise UnknownName("execution", execution_arn, ()) from None
        output = found.get("output")
        return Execution(
            arn=execution_arn,
            status=found["status"],
            output=json.loads(output) if output else None,
            error=found.get("error"),
            cause=found.get("cause"),
            started=found["startDate"].isoformat(),
            stopped=found["stopDate"].isoformat() if found.get("stopDate") else None,
        )

    def executions(self, workflow: str, limit: int) -> list[dict[str, Any]]:
        page = self.client.list_executions(stateMachineArn=self.arn_of(workflow), maxResults=limit)
        return [
            {
                "workflow": workflow,
                "execution": item["executionArn"],
                "name": item["name"],
                "status": item["status"],
                "started": item["startDate"].isoformat(),
                "stopped": item["stopDate"].isoformat() if item.get("stopDate") else None,
            }
            for item in page["executions"]
        ]

    def history(self, execution_arn: str) -> list[dict[str, Any]]:
        return [
            event
            for page in self.client.get_paginator("get_execution_history").paginate(executionArn=execution_arn)
            for event in page["events"]
        ]

    def wait(
        self, execution_arn: str, on_step: Callable[[str, str], None], poll_seconds: float = 1.0, timeout: float = 3600
    ) -> Execution:
        """Poll until the execution ends, reporting each step as it starts and ends."""
        seen, deadline = 0, time.monotonic() + timeout
        while True:
            execution = self.describe(execution_arn)
            events = self.history(execution_arn)
            for state, change in step_changes(events, seen):
                on_step(state, change)
            seen = len(events)
            if execution.status in TERMINAL:
                return execution
            if time.monotonic() > deadline:
                raise DataOpsError(f"execution {execution_arn} still {execution.status} after {timeout:.0f}s")
            time.sleep(poll_seconds)


def step_changes(events: list[dict[str, Any]], seen: int) -> Iterator[tuple[str, str]]:
    """(task state, "started" | "succeeded" | "failed") for the history events after the first `seen`."""
    current, failed = "", set()
    for index, event in enumerate(events):
        kind = event["type"]
        change = None
        if kind.endswith("StateEntered"):
            current = event["stateEnteredEventDetails"]["name"]
            change = "started" if kind == "TaskStateEntered" else None
        elif kind in {"LambdaFunctionFailed", "TaskFailed", "LambdaFunctionTimedOut", "TaskTimedOut"}:
            failed.add(current)
            change = "failed"
        elif kind in {"LambdaFunctionSucceeded", "TaskSucceeded"}:
            failed.discard(current)  # a retry after a failure went through
        elif kind == "TaskStateExited" and current not in failed:
            change = "succeeded"
        if change and index >= seen:
            yield current, change
