"""Lambda door to the `health` operation."""

from dataops.runtime import lambda_handler_for

lambda_handler = lambda_handler_for("health")
