"""Seed 004's validation rules for artists, studios and styles, beyond what the entity schemas enforce."""

from __future__ import annotations

from dataops.profiles.rules import (
    Record,
    RecordRule,
    UniqueKey,
    custom,
    geohash_of_coordinates,
    number_range,
    timestamp_order,
)
from dataops.profiles.rules import uk_postcode as uk_postcode_rule

# Ratings above this need at least MIN_REVIEWS_FOR_HIGH_RATING reviews to be believable.
HIGH_RATING = 4.5
MIN_REVIEWS_FOR_HIGH_RATING = 3
HOURLY_RATE_RANGE = (20, 500)


def _rating_matches_reviews(record: Record) -> str | None:
    rating, reviews = record.get("rating"), record.get("reviewCount")
    if not isinstance(rating, int | float) or not isinstance(reviews, int):
        return None
    if reviews == 0 and rating > 0:
        return f"rating {rating} with no reviews"
    if rating >= HIGH_RATING and reviews < MIN_REVIEWS_FOR_HIGH_RATING:
        return f"rating {rating} rests on only {reviews} review(s); needs {MIN_REVIEWS_FOR_HIGH_RATING}"
    return None


def _primary_style_listed(record: Record) -> str | None:
    styles, primary = record.get("styles"), record.get("primaryStyle")
    if isinstance(styles, list) and primary is not None and primary not in styles:
        return f"primaryStyle {primary!r} is not one of its styles {styles}"
    return None


def _portfolio_styles_listed(record: Record) -> str | None:
    styles = record.get("styles") or []
    images = record.get("portfolioImages") or []
    shown = {str(image["style"]) for image in images if isinstance(image, dict) and image.get("style")}
    stray = sorted(shown - set(styles))
    return f"portfolio images show styles the artist does not list: {stray}" if stray else None


def _hourly_rate_in_range(record: Record) -> str | None:
    pricing = record.get("pricing")
    rate = pricing.get("hourlyRate") if isinstance(pricing, dict) else None
    if isinstance(rate, int | float) and not HOURLY_RATE_RANGE[0] <= rate <= HOURLY_RATE_RANGE[1]:
        return f"hourly rate {rate} is outside {HOURLY_RATE_RANGE[0]}..{HOURLY_RATE_RANGE[1]} GBP"
    return None


def _address_names_a_place(record: Record) -> str | None:
    address = str(record.get("address", ""))
    return None if "," in address and len(address) >= 8 else f"address {address!r} lacks 'street, town'"


def _advanced_styles_are_niche(record: Record) -> str | None:
    if (
        record.get("difficulty") == "advanced"
        and isinstance(record.get("popularity"), int)
        and record["popularity"] > 90
    ):
        return f"advanced style with popularity {record['popularity']} > 90; check the difficulty level"
    return None


RULES: tuple[RecordRule, ...] = (
    geohash_of_coordinates("artist"),
    geohash_of_coordinates("studio"),
    uk_postcode_rule("studio", "postcode"),
    custom("rating-matches-reviews", "artist", "a rating is backed by enough reviews", _rating_matches_reviews),
    custom("primary-style-listed", "artist", "primaryStyle is one of styles", _primary_style_listed, severity="error"),
    custom("portfolio-styles-listed", "artist", "portfolio images show listed styles", _portfolio_styles_listed),
    custom("pricing-range", "artist", f"hourly rate within {HOURLY_RATE_RANGE}", _hourly_rate_in_range),
    custom("address-format", "studio", "an address names a street and a town", _address_names_a_place),
    number_range("style", "popularity", 1, 100, severity="info"),
    custom("difficulty-level", "style", "advanced styles are not mass-market", _advanced_styles_are_niche),
    timestamp_order("artist", "createdAt", "updatedAt"),
    timestamp_order("studio", "createdAt", "updatedAt"),
    timestamp_order("style", "createdAt", "updatedAt"),
)

UNIQUE_KEYS: tuple[UniqueKey, ...] = (
    UniqueKey(entity="artist", fields=("instagramHandle",)),
    UniqueKey(entity="studio", fields=("studioName", "postcode")),
    UniqueKey(entity="style", fields=("styleName",)),
)
