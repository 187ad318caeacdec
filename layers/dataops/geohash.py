"""Geohash encoding (Niemeyer's base-32 interleaved bits), so a record's geohash always matches its coordinates."""

from __future__ import annotations

BASE32 = "0123456789bcdefghjkmnpqrstuvwxyz"


def encode(latitude: float, longitude: float, precision: int = 9) -> str:
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        raise ValueError(f"coordinates out of range: {latitude}, {longitude}")
    lat_range, lon_range = [-90.0, 90.0], [-180.0, 180.0]
    chars: list[str] = []
    bits, bit_count, even = 0, 0, True
    while len(chars) < precision:
        # Even bits refine longitude, odd bits latitude.
        value, bounds = (longitude, lon_range) if even else (latitude, lat_range)
        middle = (bounds[0] + bounds[1]) / 2
        bits <<= 1
        if value >= middle:
            bits |= 1
            bounds[0] = middle
        else:
            bounds[1] = middle
        even = not even
        bit_count += 1
        if bit_count == 5:
            chars.append(BASE32[bits])
            bits, bit_count = 0, 0
    return "".join(chars)


def decode_bounds(geohash: str) -> tuple[float, float, float, float]:
    """(south, west, north, east) of the cell; a point is inside its own geohash's cell."""
    lat_range, lon_range = [-90.0, 90.0], [-180.0, 180.0]
    even = True
    for char in geohash:
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
