"""boto3 clients, created once per container and shared, pointed at AWS or any AWS-compatible endpoint."""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass
from functools import cache
from typing import Any

import boto3
from botocore.config import Config

from dataops.config import Settings

# Standard retry mode backs off on throttling and 5xx; adaptive would also rate-limit the client,
# which fights our own parallel scans. Short connect timeout so a missing endpoint fails fast.
_CLIENT_CONFIG = Config(
    retries={"max_attempts": 8, "mode": "standard"},
    connect_timeout=3,
    read_timeout=30,
    max_pool_connections=32,
)

_lock = threading.Lock()


@cache
def _session(region: str, local_credentials: bool) -> boto3.Session:
    if local_credentials:
        # MiniStack and LocalStack accept any key; `test` maps to their default account.
        return boto3.Session(aws_access_key_id="test", aws_secret_access_key="test", region_name=region)  # noqa: S106
    return boto3.Session(region_name=region)


@cache
def _client(
    service: str,
    region: str,
    endpoint: str | None,
    local_credentials: bool,
    validate: bool = True,
    override: Config | None = None,
) -> Any:
    with _lock:
        session = _session(region, local_credentials)
        config = _CLIENT_CONFIG if validate else _CLIENT_CONFIG.merge(Config(parameter_validation=False))
        config = config.merge(override) if override is not None else config
        return session.client(service, endpoint_url=endpoint, config=config)  # type: ignore[call-overload]


def client(settings: Settings, service: str, *, validate: bool = True, config: Config | None = None) -> Any:
    """A cached client for `service`. On the local target without credentials in the environment, use test keys.
    `validate=False` gives a separate client that skips botocore's request validation (bulk writers whose
    requests are built by code, where validating every attribute of every item costs more than the call).
    `config` (a module constant, since clients are cached by it) is merged over the shared config."""
    local_credentials = settings.target == "local" and not os.environ.get("AWS_ACCESS_KEY_ID")
    endpoint = settings.aws_endpoint
    if service == "s3" and os.environ.get("AWS_ENDPOINT_URL_S3"):
        endpoint = os.environ["AWS_ENDPOINT_URL_S3"]
    return _client(service, settings.region, endpoint, local_credentials, validate, config)


def credentials(settings: Settings) -> Any:
    local_credentials = settings.target == "local" and not os.environ.get("AWS_ACCESS_KEY_ID")
    return _session(settings.region, local_credentials).get_credentials()


@dataclass(frozen=True)
class Caller:
    """Who the credentials are and where a command acts: the account and region of the user's AWS session."""

    account: str
    region: str
    arn: str


def session_region() -> str | None:
    """The region the user's AWS configuration names (AWS_DEFAULT_REGION, or the AWS profile's `region`)."""
    return boto3.Session().region_name


@cache
def caller(region: str, endpoint: str | None) -> Caller:
    """STS GetCallerIdentity, once per process: bucket and topic names carry the account."""
    sts = _client("sts", region, endpoint, False)
    identity = sts.get_caller_identity()
    return Caller(account=str(identity["Account"]), region=region, arn=str(identity["Arn"]))
