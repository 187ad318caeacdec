"""Lambda door to the `reset` operation."""

from dataops.runtime import lambda_handler_for

lambda_handler = lambda_handler_for("reset")
