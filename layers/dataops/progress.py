"""Progress of long operations, reported to whoever listens (the CLI's live bar); silent when nobody does.

A context variable rather than a parameter, so the operation contract (request in, result out) stays the same
for the Lambda handler, workflows and the CLI.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

# (task, done so far, total or None)
ProgressListener = Callable[[str, int, int | None], None]

_listener: ContextVar[ProgressListener | None] = ContextVar("dataops_progress", default=None)


def report(task: str, done: int, total: int | None = None) -> None:
    listener = _listener.get()
    if listener is not None:
        listener(task, done, total)


@contextmanager
def listening(listener: ProgressListener) -> Iterator[None]:
    token = _listener.set(listener)
    try:
        yield
    finally:
        _listener.reset(token)
