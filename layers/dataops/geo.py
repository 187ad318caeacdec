"""Geohash encoding, shared by seeding (to place records) and validation (to check a geohash matches its point)."""

from __future__ import annotations

import math
import re

BASE32 = "0123456789bcdefghjkmnpqrstuvwxyz"
_VALID = re.compile(r"[0-9b-hjkmnp-z]{1,12}", re.IGNORECASE)


def encode_geohash(latitude: float, longitude: float, precision: int = 9) -> str:
    """The standard geohash of a point: bits alternate longitude/latitude, 5 bits per base-32 character."""
    if not -90 <= latitude <= 90 or not -180 <= longitude <= 180:
        raise ValueError(f"coordinates out of range: ({latitude}, {longitude})")
    lat_low, lat_high = -90.0, 90.0
    lon_low, lon_high = -180.0, 180.0
    characters: list[str] = []
    bits, value, even = 0, 0, True
    while len(characters) < precision:
        if even:
            middle = (lon_low + lon_high) / 2
            if longitude >= middle:
                value, lon_low = (value << 1) | 1, middle
            else:
                value, lon_high = value << 1, middle
        else:
            middle = (lat_low + lat_high) / 2
            if latitude >= middle:
                value, lat_low = (value << 1) | 1, middle
            else:
                value, lat_high = value << 1, middle
        even = not even
        bits += 1
        if bits == 5:
            characters.append(BASE32[value])
            bits, value = 0, 0
    return "".join(characters)


def decode_bounds(geohash: str) -> tuple[float, float, float, float]:
    """(south, west, north, east) of the cell; a point is inside its own geohash's cell."""
    lat_range, lon_range = [-90.0, 90.0], [-180.0, 180.0]
    even = True
    for char in geohash.lower():
        index = BASE32.index(char)
        for shift in range(4, -1, -1):
            bounds = lon_range if even else lat_range
            middle = (bounds[0] + bounds[1]) / 2
            if (index >> shift) & 1:
                bounds[0] = middle
            else:
                bounds[1] = middle
            even = not even
    return lat_range[0], lon_range[0], lat_range[1], lon_range[1]


def _compact(value: int) -> int:
    """The even bits of `value`, packed: the inverse of interleaving, in six mask steps rather than a loop."""
    value &= 0x5555555555555555
    value = (value | (value >> 1)) & 0x3333333333333333
    value = (value | (value >> 2)) & 0x0F0F0F0F0F0F0F0F
    value = (value | (value >> 4)) & 0x00FF00FF00FF00FF
    value = (value | (value >> 8)) & 0x0000FFFF0000FFFF
    return (value | (value >> 16)) & 0xFFFFFFFF


# Geohash digits in either case -> Python's base-32 digits, so int(..., 32) decodes a whole hash in C.
_AS_INT_DIGITS = str.maketrans(BASE32 + BASE32.upper(), "0123456789abcdefghijklmnopqrstuv" * 2)
# Cells of recently seen geohashes. Artists share their studio's geohash and one area's records share cells, so a
# repeated hash costs one dict look-up; cleared when full so a scan of millions of distinct hashes stays bounded.
_CELLS: dict[str, tuple[float, float, float, float]] = {}
_CELLS_LIMIT = 65_536
# Matches no point: the cell of a string that is not a geohash.
_NO_CELL = (1.0, 1.0, 0.0, 0.0)


def _cell(geohash: str) -> tuple[float, float, float, float]:
    """(south, west, north, east) with the upper edges exclusive, as the encoder assigns points.

    The edges are the encoder's own midpoints (multiples of 360 / 2**bits, exact in a double for up to 12
    characters), so "south <= lat < north" agrees with re-encoding the point bit for bit. The top cell of each axis
    also holds 90 / 180, so its upper edge is open (infinite) and the range check bounds the point instead.
    """
    if not _VALID.fullmatch(geohash):
        return _NO_CELL
    bits = 5 * len(geohash)
    lon_bits, lat_bits = (bits + 1) >> 1, bits >> 1
    value = int(geohash.translate(_AS_INT_DIGITS), 32)
    # The first bit is longitude's: with an odd bit count it sits on the even positions from the right.
    lon_part, lat_part = (value, value >> 1) if bits & 1 else (value >> 1, value)
    lon_step, lat_step = 360.0 / (1 << lon_bits), 180.0 / (1 << lat_bits)
    west, south = _compact(lon_part) * lon_step - 180.0, _compact(lat_part) * lat_step - 90.0
    east, north = west + lon_step, south + lat_step
    return south, west, north if north < 90.0 else math.inf, east if east < 180.0 else math.inf


def geohash_matches(geohash: str, latitude: float, longitude: float) -> bool:
    """True when the geohash (any precision, either case) is the cell that contains the point.

    Validation asks this of every located record: the hash's cell is decoded once (integer operations, cached per
    distinct hash) and the point compared with its edges, instead of re-encoding the point character by character.
    """
    cell = _CELLS.get(geohash)
    if cell is None:
        if len(_CELLS) >= _CELLS_LIMIT:
            _CELLS.clear()
        cell = _CELLS[geohash] = _cell(geohash)
    return cell[0] <= latitude < cell[2] and cell[1] <= longitude < cell[3] and latitude <= 90.0 and longitude <= 180.0
