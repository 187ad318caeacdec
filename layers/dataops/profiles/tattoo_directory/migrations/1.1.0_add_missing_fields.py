"""Seed 004's `add-missing-fields`: artists from before 1.1.0 lack booking, review and portfolio fields."""

from typing import Any

from dataops.migrations import MigrationContext

version = "1.1.0"
name = "add-missing-fields"
description = "Add missing fields to existing artist records"

DEFAULTS: dict[str, Any] = {"bookingOpen": False, "reviewCount": 0, "portfolioImages": []}


def add_missing_fields(artist: dict[str, Any]) -> dict[str, Any]:
    for field, default in DEFAULTS.items():
        if field not in artist:
            artist[field] = list(default) if isinstance(default, list) else default
    return artist


def remove_added_fields(artist: dict[str, Any]) -> dict[str, Any]:
    # 1.0.0 had no booking or review fields at all; an empty portfolio was simply absent.
    artist.pop("bookingOpen", None)
    artist.pop("reviewCount", None)
    if artist.get("portfolioImages") == []:
        artist.pop("portfolioImages")
    return artist


def up(ctx: MigrationContext) -> None:
    ctx.ensure_search_mapping("artist")
    ctx.migrate_items("artist", from_version="1.0.0", to_version=version, transform=add_missing_fields)


def down(ctx: MigrationContext) -> None:
    ctx.migrate_items("artist", from_version=version, to_version="1.0.0", transform=remove_added_fields)


def validate(ctx: MigrationContext) -> bool:
    return ctx.items_at("artist", "1.0.0") == 0
