"""The application's single DynamoDB table, laid out as the profile describes it (or an existing one, imported)."""

from __future__ import annotations

from aws_cdk import RemovalPolicy
from aws_cdk import aws_dynamodb as dynamodb
from constructs import Construct

from dataops import naming
from dataops.profiles.model import AttributeType, KeyAttribute, TableDesign

_ATTRIBUTE_TYPES: dict[AttributeType, dynamodb.AttributeType] = {
    "S": dynamodb.AttributeType.STRING,
    "N": dynamodb.AttributeType.NUMBER,
    "B": dynamodb.AttributeType.BINARY,
}


def _attribute(key: KeyAttribute) -> dynamodb.Attribute:
    return dynamodb.Attribute(name=key.name, type=_ATTRIBUTE_TYPES[key.type])


class DataTable(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        design: TableDesign,
        stage: str,
        removal_policy: RemovalPolicy,
        existing_table_name: str | None = None,
        existing_stream_arn: str | None = None,
    ) -> None:
        super().__init__(scope, construct_id)
        if existing_table_name:
            # Naming the indexes lets grants cover their ARNs, as they would for a table created here.
            self.table: dynamodb.ITable = dynamodb.Table.from_table_attributes(
                self,
                "Imported",
                table_name=existing_table_name,
                table_stream_arn=existing_stream_arn,
                global_indexes=[index.name for index in design.indexes],
            )
            return
        table = dynamodb.Table(
            self,
            "Table",
            table_name=naming.data_table_name(design.base_name, stage),
            partition_key=_attribute(design.partition_key),
            sort_key=_attribute(design.sort_key) if design.sort_key else None,
            billing_mode=dynamodb.BillingMode.PAY_PER_REQUEST,
            # Stream images feed sync (DynamoDB -> OpenSearch) and change audits.
            stream=dynamodb.StreamViewType.NEW_AND_OLD_IMAGES,
            point_in_time_recovery_specification=dynamodb.PointInTimeRecoverySpecification(
                point_in_time_recovery_enabled=True
            ),
            encryption=dynamodb.TableEncryption.AWS_MANAGED,
            removal_policy=removal_policy,
        )
        for index in design.indexes:
            table.add_global_secondary_index(
                index_name=index.name,
                partition_key=_attribute(index.partition_key),
                sort_key=_attribute(index.sort_key) if index.sort_key else None,
                projection_type=dynamodb.ProjectionType.ALL,
            )
        self.table = table
