"""The words the generator draws from: tattoo styles, names, studio names and portfolio subjects."""

from __future__ import annotations

from typing import Literal

Difficulty = Literal["beginner", "intermediate", "advanced"]

# styleId -> (name, description, difficulty, popularity 0-100)
STYLES: dict[str, tuple[str, str, Difficulty, int]] = {
    "traditional": (
        "Traditional",
        "American traditional: bold black outlines, a limited palette of red, green and yellow, classic flash motifs.",
        "intermediate",
        92,
    ),
    "neo-traditional": (
        "Neo-Traditional",
        "Traditional's bold lines with a wider palette, more depth and illustrative detail.",
        "advanced",
        81,
    ),
    "realism": (
        "Realism",
        "Photographic portraits and nature pieces built from smooth shading and fine tonal control.",
        "advanced",
        85,
    ),
    "black-and-grey": (
        "Black and Grey",
        "Soft grey washes and black ink only; popular for portraits, religious pieces and lettering.",
        "intermediate",
        78,
    ),
    "blackwork": (
        "Blackwork",
        "Solid black fills, patterns and bold graphic shapes without colour.",
        "intermediate",
        74,
    ),
    "fineline": (
        "Fine Line",
        "Single-needle or small-grouping linework: delicate botanicals, script and micro designs.",
        "advanced",
        88,
    ),
    "japanese": (
        "Japanese (Irezumi)",
        "Large-scale compositions of koi, dragons, peonies and waves with wind bars, rooted in ukiyo-e.",
        "advanced",
        70,
    ),
    "watercolour": (
        "Watercolour",
        "Soft colour blends and splashes that imitate watercolour paint, often without outlines.",
        "advanced",
        55,
    ),
    "geometric": (
        "Geometric",
        "Sacred geometry, mandalas and precise linework built from repeating shapes.",
        "intermediate",
        64,
    ),
    "dotwork": (
        "Dotwork",
        "Shading and patterns built entirely from stippled dots; often paired with geometric work.",
        "advanced",
        58,
    ),
    "new-school": (
        "New School",
        "Cartoon-like exaggeration, vivid colour and thick outlines.",
        "intermediate",
        47,
    ),
    "lettering": (
        "Lettering",
        "Script, blackletter and custom type; names, dates and quotes.",
        "beginner",
        66,
    ),
    "minimalist": (
        "Minimalist",
        "Small, simple designs with clean lines and lots of negative space.",
        "beginner",
        83,
    ),
    "tribal": (
        "Tribal",
        "Bold black patterns drawing on Polynesian, Maori and Bornean traditions.",
        "intermediate",
        40,
    ),
}

STYLE_IDS: tuple[str, ...] = tuple(STYLES)

FIRST_NAMES = (
    "Amelia", "Oliver", "Isla", "George", "Ava", "Harry", "Mia", "Jack", "Freya", "Noah", "Ruby", "Leo",
    "Sophie", "Arthur", "Grace", "Oscar", "Evie", "Charlie", "Poppy", "Alfie", "Ella", "Finley", "Rosie",
    "Theo", "Millie", "Archie", "Imogen", "Rory", "Esme", "Callum", "Niamh", "Ewan", "Seren", "Rhys", "Aisha",
    "Kai", "Priya", "Tariq", "Zara", "Kwame", "Mei", "Tomasz", "Ines", "Luca", "Saoirse", "Dylan", "Yasmin",
)  # fmt: skip

LAST_NAMES = (
    "Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Johnson", "Davies", "Robinson", "Wright",
    "Thompson", "Evans", "Walker", "White", "Roberts", "Green", "Hall", "Wood", "Jackson", "Clarke", "Patel",
    "Khan", "Lewis", "Harris", "Martin", "Cooper", "Morgan", "Hughes", "Campbell", "MacDonald", "Murray",
    "O'Brien", "Kaur", "Okafor", "Nowak", "Costa", "Chen", "Ahmed", "Byrne", "Fraser", "Price", "Bennett",
)  # fmt: skip

STUDIO_WORDS = (
    "Black Anchor", "Iron Rose", "Old Crown", "Electric Needle", "Golden Swallow", "Red Lantern", "Inkwell",
    "Northern Ink", "Sacred Heart", "Dagger & Rose", "Blue Lagoon", "Lucky Seven", "Ship & Compass",
    "Two Magpies", "Ivy Lane", "Copper Kettle", "Wildflower", "Silver Fox", "Moth & Moon", "Stag & Thistle",
)  # fmt: skip

STUDIO_SUFFIXES = ("Tattoo", "Tattoo Co.", "Tattoo Studio", "Ink Parlour", "Tattoo Collective")

# Portfolio captions: a subject per style, so a caption reads like the piece it describes.
SUBJECTS = (
    "swallow on the forearm", "rose and dagger", "koi sleeve", "portrait of a grandmother", "botanical wrap",
    "panther head", "compass and map", "snake and peony", "moth on the sternum", "lettering across the ribs",
    "mandala on the knee", "wave back piece", "fox in the forest", "ship under full sail", "skull and marigolds",
    "hummingbird", "lighthouse", "hand-poked constellation", "wolf portrait", "fern on the ankle",
)  # fmt: skip
