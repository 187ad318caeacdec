"""Secrets Manager and KMS adapters against MiniStack."""

import json
import uuid

import pytest

from dataops.errors import ConfigurationError, StoreUnavailable
from dataops.stores.kms import KeyService
from dataops.stores.secrets import SecretStore

pytestmark = pytest.mark.integration


@pytest.fixture
def secret_name(secretsmanager):
    name = f"it/{uuid.uuid4().hex[:10]}"
    yield name
    secretsmanager.delete_secret(SecretId=name, ForceDeleteWithoutRecovery=True)


def test_secret_json_is_read_and_cached(secretsmanager, secret_name):
    secretsmanager.create_secret(Name=secret_name, SecretString=json.dumps({"host": "db", "port": 5432}))
    store = SecretStore(secretsmanager)
    assert store.get_json(secret_name) == {"host": "db", "port": 5432}
    secretsmanager.put_secret_value(SecretId=secret_name, SecretString=json.dumps({"host": "other"}))
    assert store.get_json(secret_name)["host"] == "db", "values are cached for the container's life (max_age)"


def test_non_json_secret_is_a_configuration_error(secretsmanager, secret_name):
    secretsmanager.create_secret(Name=secret_name, SecretString="not json")
    with pytest.raises(ConfigurationError, match="not a JSON object"):
        SecretStore(secretsmanager).get_json(secret_name)


def test_missing_secret_is_named(secretsmanager):
    with pytest.raises(StoreUnavailable, match="it/does-not-exist"):
        SecretStore(secretsmanager).get_json("it/does-not-exist")


def test_data_key_round_trip(kms):
    key_id = kms.create_key(Description="it")["KeyMetadata"]["KeyId"]
    service = KeyService(kms, key_id)
    context = {"backup_id": "b-1"}
    plaintext, encrypted, key_arn = service.generate_data_key(context)
    assert len(plaintext) == 32 and encrypted != plaintext and key_arn.endswith(key_id)
    assert service.decrypt_data_key(encrypted, context) == plaintext
    # Wrapped again under the same key (as a cross-region copy does), it still opens to the same key.
    rewrapped_arn, rewrapped = service.wrap(plaintext, context)
    assert rewrapped_arn == key_arn and rewrapped != encrypted
    assert service.decrypt_data_key(rewrapped, context, key_id=rewrapped_arn) == plaintext
    assert service.describe()["Enabled"] is True
