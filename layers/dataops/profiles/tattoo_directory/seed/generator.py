"""Deterministic directory generator: styles, then each studio followed by the artists who work there.

Every record draws from its own RNG, seeded by (seed value, scenario key, record number), and reads time only
from the context's fixed clock, so any record can be regenerated alone and two runs yield identical data.
Records are yielded one at a time; nothing holds the data set in memory.
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta

from dataops.geo import encode_geohash
from dataops.profiles.model import SeedContext, SeedRecords
from dataops.profiles.tattoo_directory.entities import Artist, PortfolioImage, Pricing, SocialMedia, Studio, Style
from dataops.profiles.tattoo_directory.seed.places import INWARD_LETTERS, NEIGHBOURHOODS, Neighbourhood
from dataops.profiles.tattoo_directory.seed.vocabulary import (
    FIRST_NAMES,
    LAST_NAMES,
    STUDIO_SUFFIXES,
    STUDIO_WORDS,
    STYLE_IDS,
    STYLES,
    SUBJECTS,
)

GEOHASH_PRECISION = 9
# About 300 m around the neighbourhood centre: studios spread along its streets, not stacked on one point.
JITTER_DEGREES = 0.003
# Pricing-range bands (hourly rate, GBP): a scenario that spreads pricing puts artists in each band in turn.
PRICE_BANDS = ((50, 80), (80, 110), (110, 150), (150, 200), (200, 300))
ESTABLISHED_MIN_DAYS = 60
ESTABLISHED_MAX_DAYS = 4 * 365


@dataclass(frozen=True)
class DirectoryShape:
    """What one scenario's directory looks like; the defaults describe the full, varied data set."""

    key: str
    artists: int
    artists_per_studio: int = 8
    places: tuple[Neighbourhood, ...] = NEIGHBOURHOODS
    primary_style: str | None = None
    min_styles: int = 1
    max_styles: int = 3
    min_rating: float | None = None
    recent_days: int | None = None
    booking_open: bool | None = None
    min_images: int = 3
    max_images: int = 12
    spread_pricing: bool = False

    @property
    def studios(self) -> int:
        return math.ceil(self.artists / self.artists_per_studio)

    def counts(self, context: SeedContext) -> dict[str, int]:
        return {
            "style": len(STYLE_IDS),
            "studio": self.studios * context.copies,
            "artist": self.artists * context.copies,
        }

    def generate(self, context: SeedContext) -> SeedRecords:
        yield from (("style", style) for style in styles(context))
        for copy in range(context.copies):
            for studio_number in range(self.studios):
                studio, place = self._studio(context, copy, studio_number)
                yield "studio", studio
                first = studio_number * self.artists_per_studio
                for number in range(first, min(first + self.artists_per_studio, self.artists)):
                    yield "artist", self._artist(context, copy, number, studio, place)

    def _id(self, kind: str, copy: int, number: int) -> str:
        # Copies (performance-test) repeat the same records under unique keys.
        parts = [kind, self.key, f"x{copy + 1}" if copy else "", f"{number + 1:06d}"]
        return "-".join(part for part in parts if part)

    def _rng(self, context: SeedContext, kind: str, number: int) -> random.Random:
        return random.Random(f"{context.seed}/{self.key}/{kind}/{number}")  # noqa: S311 - test data, not secrets

    def _studio(self, context: SeedContext, copy: int, number: int) -> tuple[Studio, Neighbourhood]:
        rng = self._rng(context, "studio", number)
        place = rng.choice(self.places)
        latitude = round(place.latitude + rng.uniform(-JITTER_DEGREES, JITTER_DEGREES), 6)
        longitude = round(place.longitude + rng.uniform(-JITTER_DEGREES, JITTER_DEGREES), 6)
        specialties = rng.sample(STYLE_IDS, 3)
        if self.primary_style and self.primary_style not in specialties:
            specialties[0] = self.primary_style
        created = _days_before(context.clock, rng.randint(ESTABLISHED_MAX_DAYS, 2 * ESTABLISHED_MAX_DAYS), rng)
        inward = f"{rng.randint(1, 9)}{rng.choice(INWARD_LETTERS)}{rng.choice(INWARD_LETTERS)}"
        studio = Studio(
            studioId=self._id("studio", copy, number),
            studioName=f"{rng.choice(STUDIO_WORDS)} {rng.choice(STUDIO_SUFFIXES)}",
            address=f"{rng.randint(1, 240)} {rng.choice(place.streets)}, {place.area}, {place.city}",
            postcode=f"{place.postcode_district} {inward}",
            geohash=encode_geohash(latitude, longitude, GEOHASH_PRECISION),
            latitude=latitude,
            longitude=longitude,
            specialties=specialties,
            createdAt=created,
            updatedAt=_updated_after(created, context.clock, rng),
        )
        return studio, place

    def _artist(self, context: SeedContext, copy: int, number: int, studio: Studio, place: Neighbourhood) -> Artist:
        rng = self._rng(context, "artist", number)
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        handle = f"{first}.{last}.ink{number + 1}".lower().replace("'", "")
        artist_styles = self._styles(rng)
        rating, reviews = self._rating(rng)
        if self.recent_days:
            created = context.clock - timedelta(seconds=rng.randint(3600, self.recent_days * 86400))
        else:
            created = _days_before(context.clock, rng.randint(ESTABLISHED_MIN_DAYS, ESTABLISHED_MAX_DAYS), rng)
        artist_id = self._id("artist", copy, number)
        return Artist(
            artistId=artist_id,
            artistName=f"{first} {last}",
            instagramHandle=handle,
            styles=artist_styles,
            primaryStyle=artist_styles[0],
            locationDisplay=place.display,
            geohash=studio.geohash,
            latitude=studio.latitude,
            longitude=studio.longitude,
            studioId=studio.studioId,
            rating=rating,
            reviewCount=reviews,
            portfolioImages=self._portfolio(rng, artist_id, artist_styles),
            bookingOpen=self.booking_open if self.booking_open is not None else rng.random() < 0.45,
            pricing=self._pricing(rng, number),
            socialMedia=SocialMedia(
                instagram=f"https://www.instagram.com/{handle}",
                website=f"https://{first}{last}tattoo.co.uk".lower().replace("'", "") if rng.random() < 0.5 else None,
                tiktok=f"https://www.tiktok.com/@{handle}" if rng.random() < 0.3 else None,
            ),
            createdAt=created,
            updatedAt=_updated_after(created, context.clock, rng),
        )

    def _styles(self, rng: random.Random) -> list[str]:
        primary = self.primary_style or rng.choice(STYLE_IDS)
        others = [style for style in STYLE_IDS if style != primary]
        return [primary, *rng.sample(others, rng.randint(self.min_styles, self.max_styles) - 1)]

    def _rating(self, rng: random.Random) -> tuple[float, int]:
        """A rating needs reviews: no reviews means a 0.0 rating, and a rating comes with at least one review."""
        if self.min_rating is not None:
            return round(rng.uniform(self.min_rating, 5.0), 1), rng.randint(12, 400)
        if rng.random() < 0.08:
            return 0.0, 0
        return round(rng.uniform(3.2, 5.0), 1), rng.randint(1, 400)

    def _portfolio(self, rng: random.Random, artist_id: str, artist_styles: list[str]) -> list[PortfolioImage]:
        count = rng.randint(self.min_images, self.max_images)
        images = []
        for index in range(count):
            style = artist_styles[index % len(artist_styles)]
            images.append(
                PortfolioImage(
                    url=f"https://images.tattoo-directory.co.uk/artists/{artist_id}/{index + 1:02d}.jpg",
                    style=style,
                    caption=f"{STYLES[style][0]} {rng.choice(SUBJECTS)}",
                )
            )
        return images

    def _pricing(self, rng: random.Random, number: int) -> Pricing:
        low, high = PRICE_BANDS[number % len(PRICE_BANDS)] if self.spread_pricing else (60, 180)
        hourly = rng.randrange(low, high, 5)
        return Pricing(hourlyRate=hourly, minimumCharge=max(40, round(hourly * rng.uniform(0.5, 1.0) / 10) * 10))


def styles(context: SeedContext) -> Iterator[Style]:
    for style_id, (name, description, difficulty, popularity) in STYLES.items():
        yield Style(
            styleId=style_id,
            styleName=name,
            description=description,
            difficulty=difficulty,
            popularity=popularity,
            createdAt=context.clock - timedelta(days=3 * 365),
            updatedAt=context.clock - timedelta(days=30),
        )


def _days_before(clock: datetime, days: int, rng: random.Random) -> datetime:
    return clock - timedelta(days=days, seconds=rng.randint(0, 86_399))


def _updated_after(created: datetime, clock: datetime, rng: random.Random) -> datetime:
    room = int((clock - created).total_seconds())
    return created + timedelta(seconds=rng.randint(0, max(0, room)))
