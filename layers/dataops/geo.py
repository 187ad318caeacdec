"""Geohash encoding, shared by seeding (to place records) and validation (to check a geohash matches its point)."""

from __future__ import annotations

import re

BASE32 = "0123456789bcdefghjkmnpqrstuvwxyz"
_VALID = re.compile(r"[0-9b-hjkmnp-z]{1,12}", re.IGNORECASE)
# Geohash digits -> Python's base-32 digits, so int(..., 32) decodes a whole hash in C.
_AS_INT_DIGITS = str.maketrans(BASE32, "0123456789abcdefghijklmnopqrstuv")
# A scaled coordinate this close to a cell edge is checked by the exact encoder, so both paths always agree.
_EDGE = 1e-9


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


# Per bit count: how many cells one degree spans.
_LON_SCALE = tuple((1 << bits) / 360.0 for bits in range(31))
_LAT_SCALE = tuple((1 << bits) / 180.0 for bits in range(31))


def geohash_matches(geohash: str, latitude: float, longitude: float) -> bool:
    """True when the geohash (any precision) is the cell that contains the point.

    Validation asks this of every located record, so it decodes the hash's cell numbers with integer operations
    and compares them with the point's, instead of re-encoding the point character by character.
    """
    if not _VALID.fullmatch(geohash) or not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        return False
    bits = 5 * len(geohash)
    lon_bits, lat_bits = (bits + 1) >> 1, bits >> 1
    lon_scaled = (longitude + 180.0) * _LON_SCALE[lon_bits]
    lat_scaled = (latitude + 90.0) * _LAT_SCALE[lat_bits]
    lon_cell, lat_cell = int(lon_scaled), int(lat_scaled)
    near_edge = min(lon_scaled - lon_cell, lon_cell + 1 - lon_scaled, lat_scaled - lat_cell, lat_cell + 1 - lat_scaled)
    if near_edge < _EDGE or lon_cell >> lon_bits or lat_cell >> lat_bits:
        return encode_geohash(latitude, longitude, len(geohash)) == geohash.lower()
    value = int(geohash.lower().translate(_AS_INT_DIGITS), 32)
    # The first bit is longitude's: with an odd bit count it sits on the even positions from the right.
    lon_part, lat_part = (value, value >> 1) if bits & 1 else (value >> 1, value)
    return _compact(lon_part) == lon_cell and _compact(lat_part) == lat_cell
