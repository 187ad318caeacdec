"""The one error the local-stack manager raises on purpose."""

from __future__ import annotations

from dataops.errors import DataOpsError


class LocalStackError(DataOpsError):
    """A local service could not be started, reached or stopped; the message says which and what to do."""

    code = "LocalStackError"
