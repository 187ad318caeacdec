"""Artifact template bodies: what the agents start from when they generate infrastructure, code and API specs."""

from __future__ import annotations

CLOUDFORMATION_ENCRYPTED_BUCKET = """\
AWSTemplateFormatVersion: "2010-09-09"
Description: Private, encrypted S3 bucket for ${ServiceName} with access logging.
Parameters:
  ServiceName:
    Type: String
  LogBucketName:
    Type: String
Resources:
  Bucket:
    Type: AWS::S3::Bucket
    Properties:
      BucketName: !Sub "${ServiceName}-${AWS::AccountId}-${AWS::Region}"
      BucketEncryption:
        ServerSideEncryptionConfiguration:
          - ServerSideEncryptionByDefault:
              SSEAlgorithm: aws:kms
      PublicAccessBlockConfiguration:
        BlockPublicAcls: true
        BlockPublicPolicy: true
        IgnorePublicAcls: true
        RestrictPublicBuckets: true
      VersioningConfiguration:
        Status: Enabled
      LoggingConfiguration:
        DestinationBucketName: !Ref LogBucketName
        LogFilePrefix: !Sub "${ServiceName}/"
  BucketPolicy:
    Type: AWS::S3::BucketPolicy
    Properties:
      Bucket: !Ref Bucket
      PolicyDocument:
        Statement:
          - Sid: DenyInsecureTransport
            Effect: Deny
            Principal: "*"
            Action: "s3:*"
            Resource:
              - !GetAtt Bucket.Arn
              - !Sub "${Bucket.Arn}/*"
            Condition:
              Bool:
                aws:SecureTransport: "false"
Outputs:
  BucketArn:
    Value: !GetAtt Bucket.Arn
"""

CLOUDFORMATION_DYNAMODB_TABLE = """\
AWSTemplateFormatVersion: "2010-09-09"
Description: DynamoDB table for ${ServiceName} with point-in-time recovery and KMS encryption.
Parameters:
  ServiceName:
    Type: String
Resources:
  Table:
    Type: AWS::DynamoDB::Table
    Properties:
      TableName: !Sub "${ServiceName}-table"
      BillingMode: PAY_PER_REQUEST
      AttributeDefinitions:
        - AttributeName: PK
          AttributeType: S
        - AttributeName: SK
          AttributeType: S
      KeySchema:
        - AttributeName: PK
          KeyType: HASH
        - AttributeName: SK
          KeyType: RANGE
      PointInTimeRecoverySpecification:
        PointInTimeRecoveryEnabled: true
      SSESpecification:
        SSEEnabled: true
        SSEType: KMS
"""

TYPESCRIPT_LAMBDA_HANDLER = """\
import { Logger } from "@aws-lambda-powertools/logger";
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from "aws-lambda";

const logger = new Logger({ serviceName: "${serviceName}" });

export const handler = async (event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> => {
  logger.info("request received", { path: event.path, method: event.httpMethod });
  if (!event.body) {
    return { statusCode: 400, body: JSON.stringify({ message: "request body is required" }) };
  }
  const request = JSON.parse(event.body) as ${requestType};
  const result = await ${operationName}(request);
  return { statusCode: 200, body: JSON.stringify(result) };
};
"""

TYPESCRIPT_REPOSITORY = """\
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient, GetCommand, PutCommand } from "@aws-sdk/lib-dynamodb";

const client = DynamoDBDocumentClient.from(new DynamoDBClient({}));
const tableName = process.env.TABLE_NAME ?? "";

export interface ${entityName} {
  id: string;
  updatedAt: string;
}

export async function get${entityName}(id: string): Promise<${entityName} | undefined> {
  const key = { PK: `${entityPrefix}#${id}`, SK: "PROFILE" };
  const { Item } = await client.send(new GetCommand({ TableName: tableName, Key: key }));
  return Item as ${entityName} | undefined;
}

export async function put${entityName}(entity: ${entityName}): Promise<void> {
  const item = { PK: `${entityPrefix}#${entity.id}`, SK: "PROFILE", ...entity };
  await client.send(new PutCommand({ TableName: tableName, Item: item }));
}
"""

OPENAPI_SERVICE = """\
openapi: 3.0.3
info:
  title: ${serviceTitle}
  version: ${apiVersion}
paths:
  /${resourcePath}:
    get:
      summary: List ${resourcePath}
      parameters:
        - name: limit
          in: query
          schema: { type: integer, minimum: 1, maximum: 100, default: 20 }
        - name: nextToken
          in: query
          schema: { type: string }
      responses:
        "200":
          description: A page of ${resourcePath}
          content:
            application/json:
              schema:
                type: object
                properties:
                  items: { type: array, items: { $ref: "#/components/schemas/${schemaName}" } }
                  nextToken: { type: string }
        "401": { $ref: "#/components/responses/Unauthorized" }
components:
  securitySchemes:
    cognito:
      type: http
      scheme: bearer
      bearerFormat: JWT
  responses:
    Unauthorized:
      description: Missing or invalid token
  schemas:
    ${schemaName}:
      type: object
      required: [id]
      properties:
        id: { type: string }
security:
  - cognito: []
"""
