"""Seed 004's `add-social-media`: a socialMedia structure, its Instagram link derived from the handle."""

from typing import Any

from dataops.migrations import MigrationContext

version = "1.4.0"
name = "add-social-media"
description = "Add social media links structure"


def add_social_media(artist: dict[str, Any]) -> dict[str, Any]:
    if "socialMedia" not in artist:
        handle = str(artist.get("instagramHandle", "")).lstrip("@")
        artist["socialMedia"] = {"instagram": f"https://instagram.com/{handle}"}
    return artist


def remove_social_media(artist: dict[str, Any]) -> dict[str, Any]:
    artist.pop("socialMedia", None)
    return artist


def up(ctx: MigrationContext) -> None:
    ctx.ensure_search_mapping("artist")
    ctx.migrate_items("artist", from_version="1.3.0", to_version=version, transform=add_social_media)


def down(ctx: MigrationContext) -> None:
    ctx.migrate_items("artist", from_version=version, to_version="1.3.0", transform=remove_social_media)


def validate(ctx: MigrationContext) -> bool:
    return ctx.items_at("artist", "1.3.0") == 0
