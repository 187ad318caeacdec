"""Lambda: invoking a deployed operation function (the CLI's `--remote`)."""

from __future__ import annotations

import json
from typing import Any

from botocore.config import Config

from dataops.config import Settings
from dataops.errors import DataOpsError
from dataops.stores import aws

# Lambda's ceiling for one invocation; no operation function may be configured past it.
MAX_FUNCTION_SECONDS = 15 * 60
# An Invoke must never be sent twice: botocore retries a read timeout, and a re-sent Invoke runs the operation
# again (a mutation is then refused by its own lock while the first run goes on). So the client waits as long as a
# function may run, and makes one attempt.
INVOKE_CONFIG = Config(retries={"total_max_attempts": 1, "mode": "standard"}, read_timeout=MAX_FUNCTION_SECONDS + 60)


class DeployedFunctions:
    def __init__(self, settings: Settings) -> None:
        self.client = aws.client(settings, "lambda", config=INVOKE_CONFIG)
        self.profile = settings.profile

    def invoke(self, name: str, payload: dict[str, Any]) -> tuple[Any, str | None]:
        """(the function's JSON answer, its FunctionError or None); a function that is not deployed is named."""
        try:
            response = self.client.invoke(FunctionName=name, Payload=json.dumps(payload).encode())
        except self.client.exceptions.ResourceNotFoundException:
            raise DataOpsError(f"function {name} is not deployed; run `make deploy PROFILE={self.profile}`") from None
        return json.loads(response["Payload"].read() or b"null"), response.get("FunctionError")
