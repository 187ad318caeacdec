"""An order-independent fingerprint of a set of record keys: how many, and the XOR of their hashes.

Seeding computes it while it writes; reset's `validate` computes it again by reading the stores. Equal
fingerprints mean the same keys are there, without holding either set in memory.
"""

from __future__ import annotations

import hashlib

from pydantic import BaseModel


class KeyFingerprint(BaseModel):
    count: int = 0
    digest: str = "0" * 16

    def add(self, key: str) -> None:
        value = int(self.digest, 16) ^ int.from_bytes(hashlib.sha256(key.encode()).digest()[:8], "big")
        self.count += 1
        self.digest = f"{value:016x}"

    def merge(self, other: KeyFingerprint) -> None:
        self.count += other.count
        self.digest = f"{int(self.digest, 16) ^ int(other.digest, 16):016x}"


def dynamodb_key(partition: object, sort: object | None) -> str:
    return f"{partition}|{sort}" if sort is not None else str(partition)
