"""Lambda door to the `seed` operation."""

from dataops.runtime import lambda_handler_for

lambda_handler = lambda_handler_for("seed")
