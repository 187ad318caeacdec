"""The backup object format: round trips, and every kind of tampering is detected."""

from __future__ import annotations

import hashlib
import io
import os

import pytest

from dataops.backup.codec import FRAME_RAW_BYTES, CodecSettings, CorruptObject, FrameDecoder, FrameEncoder

KEY = bytes(range(32))


def encode(data: bytes, settings: CodecSettings, backup_id: str = "b1", key: str = "k1") -> tuple[bytes, FrameEncoder]:
    encoder = FrameEncoder(settings, backup_id, key)
    parts = [encoder.start()]
    for start in range(0, len(data), 70_000):
        parts.extend(encoder.write(data[start : start + 70_000]))
    parts.append(encoder.finish())
    return b"".join(parts), encoder


def decode(stored: bytes, data_key: bytes | None = KEY, backup_id: str = "b1", key: str = "k1") -> bytes:
    return b"".join(FrameDecoder(io.BytesIO(stored), backup_id, key, data_key).chunks())


@pytest.mark.parametrize(
    "settings",
    [
        CodecSettings(compress=True, level=3, data_key=KEY),
        CodecSettings(compress=False, level=3, data_key=KEY),
        CodecSettings(compress=True, level=3, data_key=None),
        CodecSettings(compress=False, level=3, data_key=None),
    ],
)
def test_round_trip_over_several_frames(settings):
    data = b"".join(f'{{"row": {i}, "pad": "{"x" * (i % 50)}"}}\n'.encode() for i in range(60_000))
    assert len(data) > 2 * FRAME_RAW_BYTES
    stored, encoder = encode(data, settings)
    assert decode(stored, settings.data_key) == data
    assert encoder.raw_bytes == len(data)
    assert encoder.stored_bytes == len(stored)
    assert encoder.sha256.hexdigest() == hashlib.sha256(stored).hexdigest()
    assert encoder.frames == len(data) // FRAME_RAW_BYTES + 1


def test_empty_object_is_one_final_frame():
    stored, encoder = encode(b"", CodecSettings(True, 3, KEY))
    assert decode(stored) == b""
    assert encoder.frames == 1


def test_every_flipped_byte_is_detected():
    stored, _ = encode(os.urandom(5000) + b"\n" * 10, CodecSettings(True, 3, KEY))
    positions = [*range(40), *range(40, len(stored), max(1, len(stored) // 97))]
    for position in positions:
        tampered = bytearray(stored)
        tampered[position] ^= 0x01
        with pytest.raises(CorruptObject):
            decode(bytes(tampered))


def test_truncation_at_a_frame_boundary_is_detected():
    data = os.urandom(FRAME_RAW_BYTES * 2)
    stored, _ = encode(data, CodecSettings(False, 3, KEY))
    first_frame_end = 8 + 5 + 12 + FRAME_RAW_BYTES + 16
    with pytest.raises(CorruptObject, match="truncated"):
        decode(stored[:first_frame_end])


def test_frames_are_bound_to_their_backup_and_object():
    stored, _ = encode(b"payload\n", CodecSettings(True, 3, KEY), backup_id="b1", key="k1")
    with pytest.raises(CorruptObject, match="authentication"):
        decode(stored, backup_id="b2")
    with pytest.raises(CorruptObject, match="authentication"):
        decode(stored, key="k2")


def test_wrong_data_key_is_refused():
    stored, _ = encode(b"payload\n", CodecSettings(True, 3, KEY))
    with pytest.raises(CorruptObject, match="authentication"):
        decode(stored, data_key=bytes(32))


def test_trailing_bytes_after_final_frame_are_refused():
    stored, _ = encode(b"payload\n", CodecSettings(True, 3, None))
    with pytest.raises(CorruptObject, match="after the final frame"):
        decode(stored + b"x", data_key=None)
