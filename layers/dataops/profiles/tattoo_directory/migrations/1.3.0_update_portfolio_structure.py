"""Seed 004's `update-portfolio-structure`: bare image URLs become objects with their style and caption."""

from typing import Any

from dataops.migrations import MigrationContext

version = "1.3.0"
name = "update-portfolio-structure"
description = "Update portfolio image structure with metadata"


def to_objects(artist: dict[str, Any]) -> dict[str, Any]:
    style = artist.get("primaryStyle", "")
    artist["portfolioImages"] = [
        {"url": image, "style": style, "caption": ""} if isinstance(image, str) else image
        for image in artist.get("portfolioImages", [])
    ]
    return artist


def to_urls(artist: dict[str, Any]) -> dict[str, Any]:
    artist["portfolioImages"] = [
        image["url"] if isinstance(image, dict) else image for image in artist.get("portfolioImages", [])
    ]
    return artist


def up(ctx: MigrationContext) -> None:
    ctx.ensure_search_mapping("artist")
    ctx.migrate_items("artist", from_version="1.2.0", to_version=version, transform=to_objects)


def down(ctx: MigrationContext) -> None:
    ctx.migrate_items("artist", from_version=version, to_version="1.2.0", transform=to_urls)


def validate(ctx: MigrationContext) -> bool:
    return ctx.items_at("artist", "1.2.0") == 0
