"""Store adapters: DynamoDB, PostgreSQL, S3, OpenSearch, Secrets Manager and KMS. No business logic lives here."""
