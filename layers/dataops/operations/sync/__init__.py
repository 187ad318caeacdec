"""The `sync` operation and the continuous stream sync between DynamoDB and OpenSearch."""

from dataops.operations.sync.operation import SYNC, SyncOutput, SyncRequest, SyncResult

__all__ = ["SYNC", "SyncOutput", "SyncRequest", "SyncResult"]
