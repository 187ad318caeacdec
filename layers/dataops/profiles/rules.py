"""Validation rules a profile declares beyond its entity schemas, and the small library of rule builders.

A rule judges one record of one entity: `check` returns a message when the record breaks it, else None.
An optional `fixer` returns the repaired record, or None when this record cannot be repaired safely.
The validation engine stays generic: it only runs the rules a profile lists.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from dataops.geo import encode_geohash, geohash_matches

Severity = Literal["error", "warning", "info"]
Category = Literal[
    "schema", "referential", "consistency", "business", "duplicates", "orphans", "performance", "security"
]
SEVERITIES: tuple[Severity, ...] = ("error", "warning", "info")
CATEGORIES: tuple[Category, ...] = (
    "schema",
    "referential",
    "consistency",
    "business",
    "duplicates",
    "orphans",
    "performance",
    "security",
)

Record = dict[str, Any]
RecordCheck = Callable[[Record], str | None]
RecordFixer = Callable[[Record], Record | None]


class RecordRule(BaseModel):
    """One named rule on one entity. `fields` are the fields it judges: schema errors on them defer to it."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str
    entity: str
    category: Category
    severity: Severity
    description: str
    check: RecordCheck
    fixer: RecordFixer | None = None
    fields: tuple[str, ...] = ()


class UniqueKey(BaseModel):
    """Records of `entity` that share these fields are duplicates; identical ones (apart from their own key and
    timestamps) are exact duplicates, which the fixer drops, keeping the smallest key."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    entity: str
    fields: tuple[str, ...]


UK_POSTCODE = re.compile(r"^[A-Z]{1,2}\d[A-Z\d]? \d[A-Z]{2}$")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[a-z]{2,}$")
URL = re.compile(r"^https?://[^\s/$.?#][^\s]*$")


def normal_postcode(value: str) -> str:
    """Upper case with one space before the inward code: 'sw1a1aa' -> 'SW1A 1AA'."""
    compact = re.sub(r"\s+", "", value).upper()
    return f"{compact[:-3]} {compact[-3:]}" if len(compact) > 3 else compact


def uk_postcode(entity: str, field: str) -> RecordRule:
    def check(record: Record) -> str | None:
        value = record.get(field)
        if value is None or (isinstance(value, str) and UK_POSTCODE.match(value)):
            return None
        return f"{field} {value!r} is not a UK postcode in the form 'SW1A 1AA'"

    def fix(record: Record) -> Record | None:
        value = record.get(field)
        if not isinstance(value, str) or not UK_POSTCODE.match(normal_postcode(value)):
            return None
        return {**record, field: normal_postcode(value)}

    return RecordRule(
        name=f"{entity}.{field}.uk-postcode",
        entity=entity,
        category="schema",
        severity="error",
        description=f"{field} is a UK postcode, upper case with one space",
        check=check,
        fixer=fix,
        fields=(field,),
    )


def email_address(entity: str, field: str) -> RecordRule:
    def check(record: Record) -> str | None:
        value = record.get(field)
        if value is None or (isinstance(value, str) and EMAIL.match(value)):
            return None
        return f"{field} {value!r} is not an email address"

    def fix(record: Record) -> Record | None:
        value = record.get(field)
        if not isinstance(value, str) or not EMAIL.match(value.strip().lower()):
            return None
        return {**record, field: value.strip().lower()}

    return RecordRule(
        name=f"{entity}.{field}.email",
        entity=entity,
        category="schema",
        severity="error",
        description=f"{field} is a lower-case email address",
        check=check,
        fixer=fix,
        fields=(field,),
    )


def url(entity: str, field: str) -> RecordRule:
    def check(record: Record) -> str | None:
        value = record.get(field)
        if value is None or (isinstance(value, str) and URL.match(value)):
            return None
        return f"{field} {value!r} is not an http(s) URL"

    return RecordRule(
        name=f"{entity}.{field}.url",
        entity=entity,
        category="schema",
        severity="error",
        description=f"{field} is an http(s) URL",
        check=check,
        fields=(field,),
    )


def timestamp_order(entity: str, created: str, updated: str) -> RecordRule:
    def check(record: Record) -> str | None:
        try:
            first = datetime.fromisoformat(str(record[created]))
            last = datetime.fromisoformat(str(record[updated]))
        except (KeyError, ValueError):
            return None  # the schema reports missing or malformed timestamps
        return f"{updated} {record[updated]} is before {created} {record[created]}" if last < first else None

    return RecordRule(
        name=f"{entity}.timestamps.order",
        entity=entity,
        category="business",
        severity="warning",
        description=f"{updated} is not before {created}",
        check=check,
    )


def geohash_of_coordinates(
    entity: str, geohash: str = "geohash", lat: str = "latitude", lon: str = "longitude"
) -> RecordRule:
    """The geohash must be the cell holding the coordinates; the fix recomputes it from them (the source of truth)."""

    def coordinates(record: Record) -> tuple[float, float] | None:
        try:
            latitude, longitude = float(record[lat]), float(record[lon])
        except (KeyError, TypeError, ValueError):
            return None
        return (latitude, longitude) if -90 <= latitude <= 90 and -180 <= longitude <= 180 else None

    def check(record: Record) -> str | None:
        value, latitude, longitude = record.get(geohash), record.get(lat), record.get(lon)
        # The common case first, without conversions; anything unusual takes the careful path.
        fast = type(value) is str and type(latitude) is float and type(longitude) is float
        if fast and geohash_matches(value, latitude, longitude):  # type: ignore[arg-type]
            return None
        point = coordinates(record)
        if point is None or not isinstance(value, str):
            return None  # the schema reports missing coordinates or geohash
        if geohash_matches(value, *point):
            return None
        expected = encode_geohash(*point, len(value) or 7)
        return f"{geohash} {value!r} does not contain ({point[0]}, {point[1]}); expected {expected!r}"

    def fix(record: Record) -> Record | None:
        point, value = coordinates(record), record.get(geohash)
        if point is None:
            return None
        precision = len(value) if isinstance(value, str) and 5 <= len(value) <= 12 else 7
        return {**record, geohash: encode_geohash(*point, precision)}

    return RecordRule(
        name=f"{entity}.{geohash}.matches-coordinates",
        entity=entity,
        category="schema",
        severity="error",
        description=f"{geohash} is the geohash cell of ({lat}, {lon})",
        check=check,
        fixer=fix,
        fields=(geohash,),
    )


def number_range(entity: str, field: str, low: float, high: float, severity: Severity = "warning") -> RecordRule:
    """A business threshold, stricter than what the schema allows."""

    def check(record: Record) -> str | None:
        value = record.get(field)
        if not isinstance(value, int | float) or isinstance(value, bool):
            return None
        return None if low <= float(value) <= high else f"{field} {value} is outside {low}..{high}"

    return RecordRule(
        name=f"{entity}.{field}.range",
        entity=entity,
        category="business",
        severity=severity,
        description=f"{field} lies within {low}..{high}",
        check=check,
    )


def custom(
    name: str, entity: str, description: str, check: RecordCheck, *, severity: Severity = "warning",
    category: Category = "business", fixer: RecordFixer | None = None,
) -> RecordRule:  # fmt: skip
    return RecordRule(
        name=f"{entity}.{name}",
        entity=entity,
        category=category,
        severity=severity,
        description=description,
        check=check,
        fixer=fixer,
    )
