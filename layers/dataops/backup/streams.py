"""Streaming a backup object to and from S3 with flat memory.

Writing: the producer (a scan, a COPY) writes raw bytes; frames go over a small bounded queue to a thread that
feeds them to the transfer manager's multipart upload. Reading: a file-like object that decodes frames from the
S3 body as the consumer (COPY FROM, a line reader) asks for bytes.
"""

from __future__ import annotations

import contextlib
import io
import queue
import threading
from collections.abc import Iterator
from types import TracebackType
from typing import IO, Self

from dataops.backup.codec import CodecSettings, FrameDecoder, FrameEncoder
from dataops.stores.s3 import ObjectStore

_QUEUE_FRAMES = 8
_BLOCK_BYTES = 1024 * 1024
_DONE = b""


class _Aborted(Exception):
    """The producer failed; the upload stops and the multipart upload is aborted by the transfer manager."""


class _QueueReader(io.RawIOBase):
    """A read-only stream over frames handed across a bounded queue."""

    def __init__(self, frames: queue.Queue[bytes | BaseException]) -> None:
        self._frames = frames
        self._pending = b""
        self._done = False

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        while not self._pending and not self._done:
            item = self._frames.get()
            if isinstance(item, BaseException):
                raise item
            if item == _DONE:
                self._done = True
            self._pending = item
        size = min(len(buffer), len(self._pending))
        buffer[:size] = self._pending[:size]
        self._pending = self._pending[size:]
        return size


class StreamingUpload:
    """`with StreamingUpload(...) as out: out.write(data)`; on a clean exit the object is complete in S3.

    Writes are gathered into blocks of about 1 MiB and handed to the uploading thread over a bounded queue, so a
    producer of any size holds only a few blocks. An exception inside the block aborts the multipart upload.
    """

    def __init__(self, store: ObjectStore, key: str, *, content_type: str) -> None:
        self.store = store
        self.key = key
        self._content_type = content_type
        self._frames: queue.Queue[bytes | BaseException] = queue.Queue(maxsize=_QUEUE_FRAMES)
        self._upload_error: BaseException | None = None
        self._thread = threading.Thread(target=self._upload, name=f"upload-{key}", daemon=True)
        self._block = bytearray()

    def _upload(self) -> None:
        try:
            self.store.upload_stream(
                self.key, io.BufferedReader(_QueueReader(self._frames)), extra={"ContentType": self._content_type}
            )
        except BaseException as exc:  # noqa: BLE001 - reported to the producer thread, which re-raises it
            self._upload_error = exc

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def _put(self, stored: bytes | BaseException) -> None:
        while True:
            if self._upload_error is not None:
                raise self._upload_error
            try:
                self._frames.put(stored, timeout=0.5)
                return
            except queue.Full:
                continue

    def _send(self, data: bytes) -> None:
        self._block += data
        if len(self._block) >= _BLOCK_BYTES:
            self._put(bytes(self._block))
            self._block.clear()

    def write(self, data: bytes) -> int:
        self._send(data)
        return len(data)

    def _finish(self) -> None:
        """Hook for subclasses: the last bytes of the object."""

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        if error is not None:
            if self._thread.is_alive():
                with contextlib.suppress(queue.Full):
                    self._frames.put(_Aborted(str(error)), timeout=5)
                self._thread.join(timeout=30)
            return
        self._finish()
        if self._block:
            self._put(bytes(self._block))
            self._block.clear()
        self._put(_DONE)
        self._thread.join()
        if self._upload_error is not None:
            raise self._upload_error


class ObjectWriter(StreamingUpload):
    """A backup object: raw bytes in, framed (compressed, encrypted) bytes uploaded."""

    def __init__(
        self, store: ObjectStore, key: str, settings: CodecSettings, backup_id: str, *, content_type: str
    ) -> None:
        super().__init__(store, key, content_type=content_type)
        self.encoder = FrameEncoder(settings, backup_id, key)
        # Set by the producer, who knows its rows (lines, COPY's row count); validation recounts them from lines.
        self.rows = 0

    def __enter__(self) -> Self:
        super().__enter__()
        self._send(self.encoder.start())
        return self

    def write(self, data: bytes) -> int:
        for stored in self.encoder.write(data):
            self._send(stored)
        return len(data)

    def _finish(self) -> None:
        self._send(self.encoder.finish())


class DecodedReader(io.RawIOBase):
    """Raw bytes of one stored object, decoded frame by frame as they are read."""

    def __init__(self, source: IO[bytes], backup_id: str, key: str, data_key: bytes | None) -> None:
        self.decoder = FrameDecoder(source, backup_id, key, data_key)
        self._chunks = self.decoder.chunks()
        self._pending = b""

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        while not self._pending:
            next_chunk = next(self._chunks, None)
            if next_chunk is None:
                return 0
            self._pending = next_chunk
        size = min(len(buffer), len(self._pending))
        buffer[:size] = self._pending[:size]
        self._pending = self._pending[size:]
        return size


def read_lines(reader: DecodedReader) -> Iterator[bytes]:
    """Lines of a decoded object, without holding more than one frame."""
    yield from io.BufferedReader(reader, buffer_size=256 * 1024)
