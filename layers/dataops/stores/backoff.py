"""The one retry pause for work DynamoDB hands back unprocessed (batch writes and reads): botocore retries a
throttled call, but a call that succeeds with unprocessed items is ours to repeat."""

from __future__ import annotations

import random
import time

MAX_BATCH_ATTEMPTS = 10


def pause_before_retry(attempt: int, base: float = 0.05) -> None:
    """Sleep `base * 2**attempt`, jittered by +-50% so parallel writers do not retry in step."""
    time.sleep(base * (2**attempt) * (0.5 + random.random()))  # noqa: S311 - jitter, not crypto
