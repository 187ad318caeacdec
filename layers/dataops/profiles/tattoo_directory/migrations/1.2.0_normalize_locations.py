"""Seed 004's `normalize-locations`: free-form locations ("shoreditch - LONDON, uk") become "Area, City"."""

import re
from typing import Any

from dataops.migrations import MigrationContext

version = "1.2.0"
name = "normalize-locations"
description = "Normalize location display formats"

# Kept on items whose text changed, so `down` can give back exactly what was there.
ORIGINAL_FIELD = "locationDisplayOriginal"
COUNTRY_NAMES = {"uk", "u.k.", "united kingdom", "england", "scotland", "wales", "gb"}
SEPARATORS = re.compile(r"\s*[,/|;]\s*|\s+-\s+")


def _title(text: str) -> str:
    return " ".join(word[:1].upper() + word[1:].lower() for word in text.split())


def normalize_location(text: str) -> str:
    parts = [part for part in (p.strip() for p in SEPARATORS.split(text)) if part]
    parts = [part for part in parts if part.lower() not in COUNTRY_NAMES]
    if len(parts) == 1 and len(parts[0].split()) > 1:
        *area, city = parts[0].split()
        parts = [" ".join(area), city]
    if not parts:
        return text.strip()
    if len(parts) == 1:
        return _title(parts[0])
    return f"{_title(parts[0])}, {_title(parts[-1])}"


def normalize(artist: dict[str, Any]) -> dict[str, Any]:
    original = str(artist.get("locationDisplay", ""))
    normalized = normalize_location(original)
    if normalized != original:
        artist[ORIGINAL_FIELD] = original
        artist["locationDisplay"] = normalized
    return artist


def restore(artist: dict[str, Any]) -> dict[str, Any]:
    if ORIGINAL_FIELD in artist:
        artist["locationDisplay"] = artist.pop(ORIGINAL_FIELD)
    return artist


def up(ctx: MigrationContext) -> None:
    ctx.migrate_items("artist", from_version="1.1.0", to_version=version, transform=normalize)


def down(ctx: MigrationContext) -> None:
    ctx.migrate_items("artist", from_version=version, to_version="1.1.0", transform=restore)


def validate(ctx: MigrationContext) -> bool:
    return ctx.items_at("artist", "1.1.0") == 0
