"""The backup object format: a header, then a sequence of frames, each zstd-compressed then AES-256-GCM sealed.

Layout of one stored object:
    header  = b"DOPSBK" + version (1 byte) + flags (1 byte: 1 = compressed, 2 = encrypted)
    frame   = length (4 bytes, big endian) + marker (1 byte: 0 = more frames follow, 1 = final) + body
    body    = nonce (12 bytes) + AES-GCM(ciphertext + tag) when encrypted, else the (compressed) bytes

The AAD binds backup id, object key, header flags, frame index and the final marker, so frames cannot be reordered,
moved between objects or backups, and a truncated object (no final frame) is detected. Every object ends with a final
frame, possibly empty. The SHA-256 of the stored bytes is computed while the bytes stream past.
"""

from __future__ import annotations

import hashlib
import os
import struct
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO

import zstandard
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

MAGIC = b"DOPSBK"
FORMAT_VERSION = 1
FLAG_COMPRESSED = 1
FLAG_ENCRYPTED = 2
HEADER = struct.Struct(">6sBB")
FRAME_HEAD = struct.Struct(">IB")
NONCE_BYTES = 12
FRAME_RAW_BYTES = 1024 * 1024
# A frame's stored body can never legitimately exceed this; a larger length means corruption, not data.
MAX_FRAME_BODY = 2 * FRAME_RAW_BYTES + 1024


class CorruptObject(Exception):
    """The stored bytes are not a valid, complete object for this backup; the message says where and why."""


@dataclass(frozen=True)
class CodecSettings:
    compress: bool
    level: int
    data_key: bytes | None

    @property
    def flags(self) -> int:
        return (FLAG_COMPRESSED if self.compress else 0) | (FLAG_ENCRYPTED if self.data_key else 0)


def frame_aad(backup_id: str, object_key: str, flags: int, index: int, final: bool) -> bytes:
    return f"dataops-backup\x00{backup_id}\x00{object_key}\x00{flags}\x00{index}\x00{int(final)}".encode()


class FrameEncoder:
    """Turns raw bytes, written in any sizes, into stored bytes (header + frames) with running totals."""

    def __init__(self, settings: CodecSettings, backup_id: str, object_key: str) -> None:
        self.settings = settings
        self.backup_id = backup_id
        self.object_key = object_key
        self._buffer = bytearray()
        self._index = 0
        self._compressor = zstandard.ZstdCompressor(level=settings.level) if settings.compress else None
        self._cipher = AESGCM(settings.data_key) if settings.data_key else None
        self.sha256 = hashlib.sha256()
        self.raw_bytes = 0
        self.stored_bytes = 0

    def start(self) -> bytes:
        return self._count(HEADER.pack(MAGIC, FORMAT_VERSION, self.settings.flags))

    def write(self, data: bytes | bytearray | memoryview) -> Iterator[bytes]:
        """Stored bytes for every full frame the new data completes. Whole frames are cut from the caller's
        buffer without copying; only a partial frame is held back."""
        self.raw_bytes += len(data)
        if len(self._buffer) + len(data) < FRAME_RAW_BYTES:
            # The common case: COPY and line writers hand over one row at a time.
            self._buffer += data
            return
        view = memoryview(data)
        if self._buffer:
            taken = FRAME_RAW_BYTES - len(self._buffer)
            self._buffer += view[:taken]
            view = view[taken:]
            if len(self._buffer) < FRAME_RAW_BYTES:
                return
            yield self._frame(bytes(self._buffer), final=False)
            self._buffer.clear()
        while len(view) >= FRAME_RAW_BYTES:
            yield self._frame(view[:FRAME_RAW_BYTES], final=False)
            view = view[FRAME_RAW_BYTES:]
        self._buffer += view

    def finish(self) -> bytes:
        """The final frame, holding whatever is buffered (possibly nothing)."""
        chunk = bytes(self._buffer)
        self._buffer.clear()
        return self._frame(chunk, final=True)

    def _frame(self, chunk: bytes | memoryview, *, final: bool) -> bytes:
        body = self._compressor.compress(chunk) if self._compressor else bytes(chunk)
        if self._cipher:
            nonce = os.urandom(NONCE_BYTES)
            aad = frame_aad(self.backup_id, self.object_key, self.settings.flags, self._index, final)
            body = nonce + self._cipher.encrypt(nonce, body, aad)
        self._index += 1
        return self._count(FRAME_HEAD.pack(len(body), int(final)) + body)

    def _count(self, stored: bytes) -> bytes:
        self.sha256.update(stored)
        self.stored_bytes += len(stored)
        return stored

    @property
    def frames(self) -> int:
        return self._index


class FrameDecoder:
    """Reads stored bytes from a stream and yields raw chunks, verifying every frame and the final marker."""

    def __init__(self, source: IO[bytes], backup_id: str, object_key: str, data_key: bytes | None) -> None:
        self.source = source
        self.backup_id = backup_id
        self.object_key = object_key
        self.data_key = data_key
        self.sha256 = hashlib.sha256()
        self.stored_bytes = 0
        self.raw_bytes = 0
        self.newlines = 0
        self.frames = 0

    def _read_exact(self, size: int, what: str) -> bytes:
        parts: list[bytes] = []
        remaining = size
        while remaining:
            block = self.source.read(remaining)
            if not block:
                raise CorruptObject(f"{self.object_key}: truncated in {what} at byte {self.stored_bytes}")
            parts.append(block)
            remaining -= len(block)
        data = b"".join(parts)
        self.sha256.update(data)
        self.stored_bytes += len(data)
        return data

    def chunks(self) -> Iterator[bytes]:
        magic, version, flags = HEADER.unpack(self._read_exact(HEADER.size, "header"))
        if magic != MAGIC or version != FORMAT_VERSION:
            raise CorruptObject(f"{self.object_key}: not a dataops backup object (bad header)")
        encrypted = bool(flags & FLAG_ENCRYPTED)
        if encrypted and not self.data_key:
            raise CorruptObject(f"{self.object_key}: object is encrypted but the manifest has no data key")
        cipher = AESGCM(self.data_key) if encrypted and self.data_key else None
        decompressor = zstandard.ZstdDecompressor() if flags & FLAG_COMPRESSED else None
        while True:
            length, marker = FRAME_HEAD.unpack(self._read_exact(FRAME_HEAD.size, f"frame {self.frames} header"))
            if length > MAX_FRAME_BODY or marker not in (0, 1):
                raise CorruptObject(f"{self.object_key}: frame {self.frames} has a corrupt header")
            body = self._read_exact(length, f"frame {self.frames}")
            final = marker == 1
            if cipher:
                aad = frame_aad(self.backup_id, self.object_key, flags, self.frames, final)
                try:
                    body = cipher.decrypt(body[:NONCE_BYTES], body[NONCE_BYTES:], aad)
                except InvalidTag:
                    raise CorruptObject(
                        f"{self.object_key}: frame {self.frames} failed authentication (altered, moved or wrong key)"
                    ) from None
            if decompressor:
                try:
                    body = decompressor.decompress(body, max_output_size=FRAME_RAW_BYTES)
                except zstandard.ZstdError as exc:
                    raise CorruptObject(f"{self.object_key}: frame {self.frames} does not decompress: {exc}") from None
            self.frames += 1
            self.raw_bytes += len(body)
            self.newlines += body.count(b"\n")
            if body:
                yield body
            if final:
                break
        if self.source.read(1):
            raise CorruptObject(f"{self.object_key}: bytes after the final frame")
