"""Lambda door to the `maintenance` operation."""

from dataops.runtime import lambda_handler_for

lambda_handler = lambda_handler_for("maintenance")
