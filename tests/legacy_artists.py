"""Artists as they were before schema 1.1.0 (seed 004's legacy data): no booking or review fields, bare
portfolio URLs, free-form locations, no social links, and `schemaVersion` absent or "1.0.0".
"""

from __future__ import annotations

import random
from typing import Any

PLACES = [
    ("shoreditch", "london"),
    ("camden town", "london"),
    ("northern quarter", "manchester"),
    ("digbeth", "birmingham"),
    ("stokes croft", "bristol"),
    ("leith", "edinburgh"),
]
FORMATS = ["{a} {c}", "{A} - {C}", "{a}, {c}, UK", "{A},{C}", "{Ta}, {Tc}", "{a} / {c}"]
STYLES = ["traditional", "realism", "blackwork", "watercolour", "japanese"]
GEOHASH_CHARS = "0123456789bcdefghjkmnpqrstuvwxyz"


def legacy_artist(number: int, *, with_version: bool | None = None) -> dict[str, Any]:
    rng = random.Random(number)  # noqa: S311 - deterministic test data, not crypto
    area, city = rng.choice(PLACES)
    location = rng.choice(FORMATS).format(
        a=area, c=city, A=area.upper(), C=city.upper(), Ta=area.title(), Tc=city.title()
    )
    styles = rng.sample(STYLES, k=rng.randint(1, 3))
    artist: dict[str, Any] = {
        "artistId": f"legacy-{number:05d}",
        "artistName": f"Legacy Artist {number}",
        "instagramHandle": f"@legacy_{number}",
        "styles": styles,
        "primaryStyle": styles[0],
        "locationDisplay": location,
        "geohash": "gcpv" + "".join(rng.choice(GEOHASH_CHARS) for _ in range(3)),
        "latitude": round(51.5 + rng.random() / 10, 5),
        "longitude": round(-0.1 + rng.random() / 10, 5),
        "studioId": f"studio-{number % 7:03d}",
        "rating": round(rng.uniform(3, 5), 1),
        "createdAt": "2023-01-01T00:00:00Z",
        "updatedAt": "2023-06-01T00:00:00Z",
    }
    if rng.random() < 0.8:
        artist["portfolioImages"] = [f"https://images.example/{number}/{i}.jpg" for i in range(rng.randint(1, 4))]
    if with_version if with_version is not None else rng.random() < 0.5:
        artist["schemaVersion"] = "1.0.0"
    return artist
