"""Real stores on the local target: every resource a test creates has a unique name and is removed after."""

from __future__ import annotations

import json
import shutil
import uuid
from collections.abc import Iterator

import psycopg2
import pytest
from psycopg2 import sql

from dataops.config import Settings, load_settings
from dataops.operations.provision import PROVISION, ProvisionRequest
from dataops.profiles import load_profile
from dataops.stores import aws
from dataops.stores.data_stores import DataStores

pytestmark = pytest.mark.integration


@pytest.fixture(scope="session")
def local_settings(local_endpoints) -> Settings:
    return load_settings(target="local", endpoint_url=local_endpoints.aws_endpoint)


@pytest.fixture(scope="session")
def dynamodb(local_settings):
    return aws.client(local_settings, "dynamodb")


@pytest.fixture(scope="session")
def s3(local_settings):
    return aws.client(local_settings, "s3")


@pytest.fixture(scope="session")
def kms(local_settings):
    return aws.client(local_settings, "kms")


@pytest.fixture(scope="session")
def secretsmanager(local_settings):
    return aws.client(local_settings, "secretsmanager")


@pytest.fixture(scope="session")
def postgres_params(local_endpoints) -> dict:
    pg = local_endpoints.postgres
    return {
        "host": pg.host,
        "port": pg.port,
        "dbname": pg.dbname,
        "user": pg.username,
        "password": pg.password,
        "connect_timeout": 3,
    }


@pytest.fixture
def pg_connection(postgres_params):
    connection = psycopg2.connect(**postgres_params)
    yield connection
    connection.close()


def create_table(dynamodb, name: str, design=None) -> None:
    """A table shaped like the CDK app makes it: the profile's keys and GSIs, with a stream."""
    attributes = {"PK": "S", "SK": "S"}
    indexes = []
    for index in design.indexes if design else ():
        attributes[index.partition_key.name] = index.partition_key.type
        schema = [{"AttributeName": index.partition_key.name, "KeyType": "HASH"}]
        if index.sort_key:
            attributes[index.sort_key.name] = index.sort_key.type
            schema.append({"AttributeName": index.sort_key.name, "KeyType": "RANGE"})
        indexes.append({"IndexName": index.name, "KeySchema": schema, "Projection": {"ProjectionType": "ALL"}})
    request = {
        "TableName": name,
        "BillingMode": "PAY_PER_REQUEST",
        "AttributeDefinitions": [{"AttributeName": key, "AttributeType": kind} for key, kind in attributes.items()],
        "KeySchema": [{"AttributeName": "PK", "KeyType": "HASH"}, {"AttributeName": "SK", "KeyType": "RANGE"}],
        "StreamSpecification": {"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
    }
    if indexes:
        request["GlobalSecondaryIndexes"] = indexes
    dynamodb.create_table(**request)
    dynamodb.get_waiter("table_exists").wait(TableName=name, WaiterConfig={"Delay": 0.2, "MaxAttempts": 50})


def empty_bucket(s3, bucket: str) -> None:
    for page in s3.get_paginator("list_object_versions").paginate(Bucket=bucket):
        objects = [{"Key": v["Key"], "VersionId": v["VersionId"]} for v in page.get("Versions", [])]
        objects += [{"Key": m["Key"], "VersionId": m["VersionId"]} for m in page.get("DeleteMarkers", [])]
        if objects:
            s3.delete_objects(Bucket=bucket, Delete={"Objects": objects, "Quiet": True})


@pytest.fixture
def scratch_table(dynamodb) -> Iterator[str]:
    name = f"it-{uuid.uuid4().hex[:10]}"
    create_table(dynamodb, name)
    yield name
    dynamodb.delete_table(TableName=name)


@pytest.fixture
def scratch_bucket(s3) -> Iterator[str]:
    name = f"it-{uuid.uuid4().hex[:10]}"
    s3.create_bucket(Bucket=name)
    yield name
    empty_bucket(s3, name)
    s3.delete_bucket(Bucket=name)


def drop_database(admin, name: str) -> None:
    # FORCE ends the connections the stores still hold to it.
    with admin.cursor() as cursor:
        cursor.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
    admin.close()


@pytest.fixture(scope="module")
def provisioned(local_endpoints, dynamodb, s3, kms, secretsmanager):
    """Build the stores a deployed profile has (as the CDK app would) under a unique stage; yield a factory."""
    cleanups: list = []

    def provision(profile_name: str, *, postgres_port: int | None = None) -> DataStores:
        stage = f"it{uuid.uuid4().hex[:8]}"
        profile = load_profile(profile_name)
        settings = load_settings(
            profile=profile_name, stage=stage, target="local", endpoint_url=local_endpoints.aws_endpoint
        )
        stores = DataStores(settings, profile)
        for table, design in ((stores.table.name, profile.table), (stores.control.name, None)):
            create_table(dynamodb, table, design)
            cleanups.append(lambda table=table: dynamodb.delete_table(TableName=table))
        s3.create_bucket(Bucket=stores.backups.bucket)
        cleanups.append(
            lambda: (empty_bucket(s3, stores.backups.bucket), s3.delete_bucket(Bucket=stores.backups.bucket))
        )
        key_id = kms.create_key(Description=f"{stage} backups")["KeyMetadata"]["KeyId"]
        kms.create_alias(AliasName=stores.backup_key.key_id, TargetKeyId=key_id)
        if profile.uses_postgres:
            pg = local_endpoints.postgres
            # A database per provisioned stage, so tests never see each other's tables.
            admin = psycopg2.connect(pg.dsn)
            admin.autocommit = True
            with admin.cursor() as cursor:
                cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(stage)))
            cleanups.append(lambda: drop_database(admin, stage))
            secret = {
                "host": pg.host,
                "port": postgres_port or pg.port,
                "dbname": stage,
                "username": pg.username,
                "password": pg.password,
            }
            secret_id = stores.postgres_secret_id
            secretsmanager.create_secret(Name=secret_id, SecretString=json.dumps(secret))
            cleanups.append(lambda: secretsmanager.delete_secret(SecretId=secret_id, ForceDeleteWithoutRecovery=True))
        if profile.uses_opensearch:
            PROVISION.run(ProvisionRequest(), stores)
            for index in stores.search_indexes().values():
                cleanups.append(lambda index=index: stores.search.client.indices.delete(index=index))
        return stores

    yield provision

    for cleanup in reversed(cleanups):
        cleanup()


def with_migrations_path(stores: DataStores, folder) -> DataStores:
    return DataStores(stores.settings.model_copy(update={"migrations_path": str(folder)}), stores.profile)


@pytest.fixture
def agent_stores(provisioned):
    return provisioned("agent_system")


@pytest.fixture
def own_migrations(agent_stores, tmp_path):
    """The shipped migrations copied to a folder the test may edit, used through MIGRATIONS_PATH."""
    folder = tmp_path / "migrations"
    shutil.copytree(load_profile("agent_system").migrations_dir, folder, ignore=shutil.ignore_patterns("__pycache__"))
    return with_migrations_path(agent_stores, folder), folder
