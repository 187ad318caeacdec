"""`reset`: named states of the stores, clearing, snapshots, and checking the stores still match the state."""

from dataops.operations.reset.operation import RESET, ResetRequest, ResetResult

__all__ = ["RESET", "ResetRequest", "ResetResult"]
