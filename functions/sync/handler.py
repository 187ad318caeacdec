"""Lambda door to the `sync` operation."""

from dataops.runtime import lambda_handler_for

lambda_handler = lambda_handler_for("sync")
