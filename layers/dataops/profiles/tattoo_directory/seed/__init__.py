"""The Tattoo Directory's seed data: the full directory, seed 004's ten scenarios, and its reset states."""

from __future__ import annotations

from dataops.profiles.model import ResetState, Scenario, SeedingCatalog
from dataops.profiles.tattoo_directory.seed.generator import DirectoryShape
from dataops.profiles.tattoo_directory.seed.places import LONDON

FULL_ARTISTS = 10_000

SHAPES: dict[str, tuple[str, DirectoryShape]] = {
    "full": ("The full directory: 10,000 varied artists across the UK with their studios and styles.",
             DirectoryShape(key="", artists=FULL_ARTISTS)),
    "search-basic": ("Basic search testing: a small varied set across cities, styles and ratings.",
                     DirectoryShape(key="search", artists=60, artists_per_studio=3)),
    "location-london": ("London-based artists, for location filtering tests.",
                        DirectoryShape(key="london", artists=120, artists_per_studio=4, places=LONDON)),
    "style-traditional": ("Traditional style artists, for style filtering tests.",
                          DirectoryShape(key="traditional", artists=100, artists_per_studio=4,
                                         primary_style="traditional")),
    "high-rating": ("High-rated artists (4.5 and above, with reviews), for rating and quality tests.",
                    DirectoryShape(key="toprated", artists=100, artists_per_studio=4, min_rating=4.5)),
    "new-artists": ("Artists who joined in the 30 days before the data set's clock, for timeline tests.",
                    DirectoryShape(key="new", artists=100, artists_per_studio=4, recent_days=30)),
    "booking-available": ("Artists with open booking, for availability tests.",
                          DirectoryShape(key="booking", artists=100, artists_per_studio=4, booking_open=True)),
    "portfolio-rich": ("Artists with extensive portfolios (20-30 images), for image and portfolio tests.",
                       DirectoryShape(key="portfolio", artists=60, artists_per_studio=4, min_images=20,
                                      max_images=30)),
    "multi-style": ("Artists with three to five styles, for complex filtering tests.",
                    DirectoryShape(key="multistyle", artists=100, artists_per_studio=4, min_styles=3,
                                   max_styles=5)),
    "pricing-range": ("Artists spread evenly over five hourly-rate bands from 50 to 300 GBP, for price filters.",
                      DirectoryShape(key="pricing", artists=100, artists_per_studio=4, spread_pricing=True)),
    "minimal": ("A minimal data set (10 artists, 3 studios, every style) for quick tests.",
                DirectoryShape(key="minimal", artists=10, artists_per_studio=4)),
}  # fmt: skip

SEEDING = SeedingCatalog(
    default_scenario="full",
    scenarios=tuple(
        Scenario(name=name, description=description, generate=shape.generate, counts=shape.counts)
        for name, (description, shape) in SHAPES.items()
    ),
    states=(
        ResetState(name="clean", description="Complete clean state: no data in any store."),
        ResetState(name="fresh", description="Fresh start with the full test data set.", scenario="full"),
        ResetState(name="minimal", description="Minimal data set for quick testing.", scenario="minimal"),
        ResetState(name="search-ready", description="Data set for search testing.", scenario="search-basic"),
        ResetState(name="location-test", description="London-focused data set.", scenario="location-london"),
        ResetState(name="style-test", description="Traditional-style data set.", scenario="style-traditional"),
        ResetState(
            name="performance-test",
            description="The full data set duplicated 5x under unique keys (50,000 artists), for load testing.",
            scenario="full",
            copies=5,
        ),
        ResetState(
            name="backup-restore",
            description="Back to the latest backup: clear, then restore the newest full backup.",
            restore_latest_backup=True,
        ),
    ),
)
