"""Entity models of the Tattoo Directory (seed 004). Field names follow the seed (camelCase)."""
# ruff: noqa: N815

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

UK_POSTCODE = r"^[A-Z]{1,2}\d[A-Z\d]? ?\d[A-Z]{2}$"
GEOHASH = r"^[0-9b-hjkmnp-z]{5,12}$"


class Pricing(BaseModel):
    hourlyRate: int = Field(ge=0)
    minimumCharge: int = Field(ge=0)
    currency: Literal["GBP"] = "GBP"


class PortfolioImage(BaseModel):
    """Schema 1.3.0 turned bare image URLs into objects carrying their metadata."""

    url: str = Field(pattern=r"^https://")
    style: str
    caption: str = ""


class SocialMedia(BaseModel):
    """Schema 1.4.0 added social links; the Instagram link is derived from the handle."""

    instagram: str = Field(pattern=r"^https://(www\.)?instagram\.com/")
    website: str | None = None
    tiktok: str | None = None


ARTIST_SCHEMA_VERSION = "1.4.0"


class Artist(BaseModel):
    """An artist at the latest schema (1.4.0). Migrations 1.1.0-1.4.0 carry older items to this shape:
    1.1.0 adds bookingOpen/reviewCount/portfolioImages defaults, 1.2.0 normalises locationDisplay to
    "Area, City", 1.3.0 makes portfolioImages objects, 1.4.0 adds socialMedia. `schemaVersion` records it.
    """

    model_config = ConfigDict(extra="allow")

    artistId: str
    artistName: str
    instagramHandle: str = Field(pattern=r"^@?[A-Za-z0-9_.]{1,30}$")
    styles: list[str] = Field(min_length=1)
    primaryStyle: str
    locationDisplay: str
    geohash: str = Field(pattern=GEOHASH)
    latitude: float = Field(ge=-90, le=90)
    longitude: float = Field(ge=-180, le=180)
    studioId: str
    rating: float = Field(ge=0, le=5)
    reviewCount: int = Field(ge=0)
    portfolioImages: list[PortfolioImage] = []
    bookingOpen: bool = False
    pricing: Pricing | None = None
    socialMedia: SocialMedia | None = None
    schemaVersion: str = ARTIST_SCHEMA_VERSION
    createdAt: datetime
    updatedAt: datetime


class Studio(BaseModel):
    model_config = ConfigDict(extra="allow")

    studioId: str
    studioName: str
    address: str
    postcode: str = Field(pattern=UK_POSTCODE)
    geohash: str = Field(pattern=GEOHASH)
    latitude: float = Field(ge=-90, le=90)
    longitude: float = Field(ge=-180, le=180)
    specialties: list[str] = []
    createdAt: datetime
    updatedAt: datetime


class Style(BaseModel):
    model_config = ConfigDict(extra="allow")

    styleId: str
    styleName: str
    description: str
    difficulty: Literal["beginner", "intermediate", "advanced"]
    popularity: int = Field(ge=0, le=100)
    createdAt: datetime
    updatedAt: datetime
