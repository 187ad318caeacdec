"""The Secrets Manager secret through which functions reach PostgreSQL (RDS secret layout)."""

from __future__ import annotations

import json
import re

from aws_cdk import RemovalPolicy, SecretValue
from aws_cdk import aws_secretsmanager as secretsmanager
from constructs import Construct

from infra.constructs.acknowledge import acknowledge
from infra.local_postgres import PostgresConnection, PostgresEndpoint

# A complete secret ARN ends in the six random characters Secrets Manager appends to the name.
_COMPLETE_ARN = re.compile(r"-[A-Za-z0-9]{6}$")

ROTATION_REASON = (
    "The password belongs to a database dataops does not own (a local server, or an RDS instance whose rotation "
    "is configured with it); rotating it here would break the database's other clients."
)


class PostgresSecret(Construct):
    """Imported by ARN, written from the local server's endpoint, or generated for a database on AWS."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        secret_name: str,
        removal_policy: RemovalPolicy,
        existing_secret_arn: str | None = None,
        local_connection: PostgresConnection | None = None,
        generated_for: PostgresEndpoint | None = None,
    ) -> None:
        super().__init__(scope, construct_id)
        if existing_secret_arn:
            self.secret: secretsmanager.ISecret = (
                secretsmanager.Secret.from_secret_complete_arn(self, "Imported", existing_secret_arn)
                if _COMPLETE_ARN.search(existing_secret_arn)
                else secretsmanager.Secret.from_secret_partial_arn(self, "Imported", existing_secret_arn)
            )
            return
        if local_connection is not None:
            # The local server's password is a fixed development value, so it may sit in the template.
            secret = secretsmanager.Secret(
                self,
                "Secret",
                secret_name=secret_name,
                description="dataops: local PostgreSQL connection",
                secret_string_value=SecretValue.unsafe_plain_text(json.dumps(local_connection.secret_fields())),
                removal_policy=removal_policy,
            )
        elif generated_for is not None:
            secret = secretsmanager.Secret(
                self,
                "Secret",
                secret_name=secret_name,
                description="dataops: PostgreSQL connection; set the same password on the database user",
                generate_secret_string=secretsmanager.SecretStringGenerator(
                    secret_string_template=json.dumps(generated_for.secret_fields()),
                    generate_string_key="password",
                    exclude_punctuation=True,
                    password_length=32,
                ),
                removal_policy=removal_policy,
            )
        else:
            raise ValueError("PostgresSecret needs an existing ARN, a local connection or an endpoint to generate for")
        acknowledge(secret, "AwsSolutions-SMG4", ROTATION_REASON)
        self.secret = secret
