"""Lambda door to the `status` operation."""

from dataops.runtime import lambda_handler_for

lambda_handler = lambda_handler_for("status")
