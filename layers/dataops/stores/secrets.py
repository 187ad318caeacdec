"""Secrets Manager through Powertools' parameters utility, which caches values across invocations."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.parameters import SecretsProvider
from aws_lambda_powertools.utilities.parameters.exceptions import GetParameterError, TransformParameterError

from dataops.errors import ConfigurationError, StoreUnavailable

SECRET_CACHE_SECONDS = 300


class SecretStore:
    def __init__(self, client: Any) -> None:
        self.client = client
        self._provider = SecretsProvider(boto3_client=client)

    def get_json(self, secret_id: str) -> dict[str, Any]:
        try:
            value = self._provider.get(secret_id, transform="json", max_age=SECRET_CACHE_SECONDS)
        except TransformParameterError as exc:
            raise ConfigurationError(f"secret {secret_id!r} is not a JSON object") from exc
        except GetParameterError as exc:
            raise StoreUnavailable(f"secret {secret_id!r} could not be read: {exc}") from exc
        if not isinstance(value, dict):
            raise ConfigurationError(f"secret {secret_id!r} is not a JSON object")
        return value

    def describe(self, secret_id: str) -> dict[str, Any]:
        return dict(self.client.describe_secret(SecretId=secret_id))
