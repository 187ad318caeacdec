"""Lambda door to the `validate` operation."""

from dataops.runtime import lambda_handler_for

lambda_handler = lambda_handler_for("validate")
