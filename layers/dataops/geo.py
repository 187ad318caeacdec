"""Geohash encoding, shared by seeding (to place records) and validation (to check a geohash matches its point)."""

from __future__ import annotations

BASE32 = "0123456789bcdefghjkmnpqrstuvwxyz"


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


def geohash_matches(geohash: str, latitude: float, longitude: float) -> bool:
    """True when the geohash (any precision) is the cell that contains the point."""
    if not geohash:
        return False
    return encode_geohash(latitude, longitude, len(geohash)) == geohash.lower()
