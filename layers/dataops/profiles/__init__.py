"""Profiles: one application's data, described for the engine. Two ship built in."""

from __future__ import annotations

import importlib

from dataops.errors import InvalidRequest, UnknownName
from dataops.profiles.model import Profile

BUILTIN_PROFILES: dict[str, str] = {
    "agent_system": "dataops.profiles.agent_system",
    "tattoo_directory": "dataops.profiles.tattoo_directory",
}


def load_profile(name: str) -> Profile:
    """Load a built-in profile by name, or a user's profile by dotted module path exposing `PROFILE`."""
    module_path = BUILTIN_PROFILES.get(name, name)
    try:
        module = importlib.import_module(module_path)
    except ImportError as exc:
        if "." not in name:
            raise UnknownName("profile", name, BUILTIN_PROFILES) from None
        raise InvalidRequest.for_field("profile", f"cannot import profile module {module_path!r}: {exc}") from None
    profile = getattr(module, "PROFILE", None)
    if not isinstance(profile, Profile):
        raise InvalidRequest.for_field("profile", f"module {module_path!r} has no PROFILE of type dataops Profile")
    return profile


__all__ = ["BUILTIN_PROFILES", "Profile", "load_profile"]
