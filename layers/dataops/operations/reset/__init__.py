"""`reset`: named states of the stores, clearing, snapshots, and checking the stores still match the state."""

from dataops.operations.reset.models import ResetOutput, ResetRequest, ResetResult
from dataops.operations.reset.operation import RESET

__all__ = ["RESET", "ResetOutput", "ResetRequest", "ResetResult"]
