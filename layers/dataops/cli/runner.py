"""Run an operation in-process, or invoke its deployed function with `--remote`; both return the same JSON."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from rich.console import Console

from dataops import naming
from dataops.config import Settings, behaviour_defaults, load_settings
from dataops.errors import DataOpsError, InvalidRequest
from dataops.operations.framework import Operation
from dataops.profiles import load_profile
from dataops.stores import aws
from dataops.stores.data_stores import DataStores
from dataops.stores.functions import DeployedFunctions

INVALID_REQUEST_PREFIX = "invalid request:"


class RefusedRemotely(InvalidRequest):
    """The deployed function refused the request as bad input; the CLI exits 2 as it does for local refusals."""

    def __init__(self, message: str) -> None:
        DataOpsError.__init__(self, message)
        self.problems = []


@dataclass(frozen=True)
class CliTarget:
    profile: str
    stage: str
    target: str

    def settings(self) -> Settings:
        settings = load_settings(profile=self.profile, stage=self.stage, target=self.target)
        return on_the_callers_account(settings) if settings.target == "aws" else settings

    def actor(self, settings: Settings) -> str | None:
        """Who the audit records: on AWS the caller's IAM identity, not the name of the local user."""
        if settings.target != "aws":
            return None
        return f"cli:{aws.caller(settings.region, settings.aws_endpoint).arn}"


def on_the_callers_account(settings: Settings) -> Settings:
    """On AWS, the region and account of the user's session (its AWS profile, its credentials), unless the
    environment names them (AWS_REGION, DATAOPS_ACCOUNT): bucket and topic names carry both, and a fallback to
    us-east-1 or a placeholder account would act on resources that are not the user's."""
    explicit = settings.model_fields_set
    region = settings.region if "region" in explicit else (aws.session_region() or settings.region)
    caller = aws.caller(region, settings.aws_endpoint)
    account = settings.account if "account" in explicit else caller.account
    resolved = settings.model_copy(update={"region": region, "account": account})
    _announce(resolved, caller.arn)
    return resolved


_ANNOUNCED: set[tuple[str, str, str]] = set()


def _announce(settings: Settings, arn: str) -> None:
    """Once per process, on stderr (so --json output stays clean): where the command acts, and as whom."""
    where = (settings.account, settings.region, settings.stage)
    if where not in _ANNOUNCED:
        _ANNOUNCED.add(where)
        Console(stderr=True).print(
            f"acting on AWS account {settings.account} in {settings.region}, stage {settings.stage}, as {arn}",
            highlight=False,
        )


def run_in_process(operation: Operation[Any, Any], payload: dict[str, Any], target: CliTarget) -> dict[str, Any]:
    settings = target.settings()
    request = operation.parse(payload)
    result = operation.run(request, DataStores(settings, load_profile(settings.profile)), actor=target.actor(settings))
    output: dict[str, Any] = result.to_event()
    return output


def with_shell_behaviour(request_fields: Collection[str], payload: dict[str, Any]) -> dict[str, Any]:
    """The seeds' switches set in this shell (DRY_RUN, SKIP_EXISTING, FIX_ISSUES, ...) for the fields the request
    has and the payload leaves out: the deployed function cannot see the user's environment."""
    shell = behaviour_defaults()
    carried = {name: getattr(shell, name) for name in shell.model_fields_set if name in request_fields}
    return {**carried, **payload}


def run_remote(operation: Operation[Any, Any], payload: dict[str, Any], target: CliTarget) -> dict[str, Any]:
    """Invoke the deployed function; a function error comes back as a DataOpsError with the function's message."""
    # Only the fields of the payload's own action: `seed list` takes no skip_existing even if SKIP_EXISTING is set.
    payload = with_shell_behaviour(operation.fields_for(payload), payload)
    operation.parse(payload)  # refuse bad input before the network round trip, with the same message
    settings = target.settings()
    name = naming.function_name(settings.profile, settings.stage, operation.name)
    body, function_error = DeployedFunctions(settings).invoke(name, payload)
    if function_error:
        message = body.get("errorMessage", "unknown error") if isinstance(body, dict) else str(body)
        # AWS names the error type (InvalidRequest, UnknownName); the local target reports Runtime.HandlerError,
        # so the message's fixed prefix is what both share.
        if message.startswith(INVALID_REQUEST_PREFIX):
            raise RefusedRemotely(f"{name}: {message}")
        if "timed out" in message.lower():
            message += "; work this large runs as a workflow, in units: see `dataops workflow list`"
        raise DataOpsError(f"{name}: {message}")
    if not isinstance(body, dict):
        raise DataOpsError(f"{name} returned {type(body).__name__}, expected a JSON object")
    return body
