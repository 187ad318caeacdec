"""Migration files: discovery and order, malformed files refused with path and line, the shipped artist
transforms carrying a legacy item to the latest Artist and back, and request checks.
"""

from __future__ import annotations

import ast
import copy
import hashlib
from pathlib import Path

import pytest

from dataops.errors import InvalidRequest
from dataops.migration_history import HistoryEntry
from dataops.operations.migrate import MIGRATE
from dataops.operations.migrate.engine import states_of
from dataops.operations.migrate.files import discover, load_migration
from dataops.profiles import load_profile
from dataops.profiles.tattoo_directory.entities import ARTIST_SCHEMA_VERSION, Artist
from tests.legacy_artists import legacy_artist

TATTOO = discover(load_profile("tattoo_directory").migrations_dir)
AGENT = discover(load_profile("agent_system").migrations_dir)
TRANSFORMS = {
    "1.1.0": ("add_missing_fields", "remove_added_fields"),
    "1.2.0": ("normalize", "restore"),
    "1.3.0": ("to_objects", "to_urls"),
    "1.4.0": ("add_social_media", "remove_social_media"),
}

GOOD = (
    'version = "{version}"\nname = "n"\ndescription = "d"\n\n\ndef up(ctx):\n    pass\n\n\ndef down(ctx):\n    pass\n'
)


def module_of(migration):
    return migration.up.__globals__


def migrate_up(record: dict) -> dict:
    for migration in TATTOO:
        if record.get("schemaVersion", "1.0.0") >= migration.version:
            continue
        record = module_of(migration)[TRANSFORMS[migration.version][0]](record)
        record["schemaVersion"] = migration.version
    return record


def migrate_down(record: dict) -> dict:
    for migration in reversed(TATTOO):
        previous = {"1.1.0": "1.0.0", "1.2.0": "1.1.0", "1.3.0": "1.2.0", "1.4.0": "1.3.0"}[migration.version]
        record = module_of(migration)[TRANSFORMS[migration.version][1]](record)
        record["schemaVersion"] = previous
    return record


def test_shipped_migrations_are_ordered_by_version():
    assert [m.version for m in TATTOO] == ["1.1.0", "1.2.0", "1.3.0", "1.4.0"]
    assert [m.name for m in TATTOO] == [
        "add-missing-fields",
        "normalize-locations",
        "update-portfolio-structure",
        "add-social-media",
    ]
    assert [m.version for m in AGENT] == ["20241201000100", "20241201000200", "20241201000300", "20241203120000"]
    assert AGENT[-1].name == "Add Service Metadata"


def test_semver_orders_numerically_not_as_text(tmp_path):
    for version in ("1.10.0", "1.9.0", "1.2.0"):
        (tmp_path / f"{version}_step.py").write_text(GOOD.format(version=version))
    assert [m.version for m in discover(tmp_path)] == ["1.2.0", "1.9.0", "1.10.0"]


@pytest.mark.parametrize("number", range(40))
def test_a_legacy_artist_migrated_through_every_step_is_a_latest_artist(number):
    migrated = migrate_up(copy.deepcopy(legacy_artist(number)))
    artist = Artist.model_validate(migrated)
    assert artist.schemaVersion == ARTIST_SCHEMA_VERSION
    assert ", " in artist.locationDisplay and artist.locationDisplay == artist.locationDisplay.title()
    assert all(image.style == artist.primaryStyle for image in artist.portfolioImages)
    assert artist.socialMedia is not None and artist.socialMedia.instagram.endswith(f"legacy_{number}")


@pytest.mark.parametrize("number", range(40))
def test_every_down_step_gives_back_the_legacy_item_exactly(number):
    legacy = legacy_artist(number, with_version=True)
    assert migrate_down(migrate_up(copy.deepcopy(legacy))) == legacy


def test_migrating_a_latest_artist_changes_nothing():
    latest = migrate_up(copy.deepcopy(legacy_artist(1)))
    assert migrate_up(copy.deepcopy(latest)) == latest


@pytest.mark.parametrize(
    ("raw", "normalized"),
    [
        ("shoreditch london", "Shoreditch, London"),
        ("CAMDEN TOWN - LONDON", "Camden Town, London"),
        ("northern quarter, manchester, UK", "Northern Quarter, Manchester"),
        ("Digbeth,Birmingham", "Digbeth, Birmingham"),
        ("Leith, Edinburgh", "Leith, Edinburgh"),
        ("Bristol", "Bristol"),
    ],
)
def test_locations_normalise_to_area_comma_city(raw, normalized):
    normalize_location = module_of(TATTOO[1])["normalize_location"]
    assert normalize_location(raw) == normalized


@pytest.mark.parametrize(
    ("file_name", "text", "message"),
    [
        ("20240101000000_x.py", "version = '20240101000000'\nname = 'n'\n\ndef up(ctx)\n", r"_x\.py:4: syntax error"),
        ("20240101000000_x.py", "import os\nversion = 1 / 0\n", r"_x\.py:2: ZeroDivisionError"),
        ("20240101000000_x.py", GOOD.format(version="20240101000000").replace("def down", "def other"), "`down"),
        ("20240101000000_x.py", GOOD.format(version="20240101000001"), "does not match the file name"),
        ("20240101000000_x.py", "name = 'n'\ndescription = 'd'\n", "`version` is missing"),
        ("add_things.py", GOOD.format(version="1"), "file name must be <version>_<slug>.py"),
    ],
)
def test_a_malformed_file_is_refused_naming_the_file_and_line(tmp_path, file_name, text, message):
    path = tmp_path / file_name
    path.write_text(text)
    with pytest.raises(InvalidRequest, match=message) as caught:
        load_migration(path)
    assert str(path) in str(caught.value)


def test_two_files_with_one_version_are_refused(tmp_path):
    for slug in ("a", "b"):
        (tmp_path / f"1.0.0_{slug}.py").write_text(GOOD.format(version="1.0.0"))
    with pytest.raises(InvalidRequest, match="also used by"):
        discover(tmp_path)


def test_states_show_drift_with_both_checksums_and_failures_and_missing_files():
    first, second, third, _fourth = TATTOO
    when = "2026-01-01T00:00:00Z"
    entries = {
        first.version: HistoryEntry(
            version=first.version,
            name=first.name,
            checksum=first.checksum,
            applied_at=when,
            duration_ms=5,
            outcome="applied",
        ),
        second.version: HistoryEntry(
            version=second.version,
            name=second.name,
            checksum="0" * 64,
            applied_at=when,
            duration_ms=5,
            outcome="applied",
        ),
        third.version: HistoryEntry(
            version=third.version,
            name=third.name,
            checksum=third.checksum,
            applied_at=when,
            duration_ms=5,
            outcome="failed",
            error="boom",
        ),
        "0.9.0": HistoryEntry(
            version="0.9.0", name="gone", checksum="1" * 64, applied_at=when, duration_ms=1, outcome="applied"
        ),
    }
    states = {state.version: state for state in states_of(TATTOO, entries)}
    assert [s.state for s in states.values()] == ["missing_file", "applied", "drifted", "failed", "pending"]
    assert states["1.2.0"].recorded_checksum == "0" * 64 and states["1.2.0"].checksum == second.checksum
    assert states["1.3.0"].error == "boom"


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"action": "apply", "target": "-3"}, "target"),
        ({"action": "apply", "target": -3}, "target"),
        ({"action": "apply", "target": "latest"}, "target"),
        ({"action": "run"}, "migration"),
        ({"action": "apply", "migration": "x"}, "migration"),
        ({"action": "validate", "target": "1.0.0"}, "target"),
        ({"action": "apply", "repair": "maybe"}, "repair"),
        ({"action": "apply", "force": True}, "force"),
    ],
)
def test_bad_requests_name_their_field(payload, field):
    with pytest.raises(InvalidRequest, match=f"field '{field}'"):
        MIGRATE.parse(payload)


def test_negative_target_says_below_zero():
    with pytest.raises(InvalidRequest, match="below zero"):
        MIGRATE.parse({"action": "rollback", "target": "-1"})


def test_only_changing_actions_take_the_lock():
    assert {
        a
        for a in ("status", "list", "apply", "run", "rollback", "validate")
        if MIGRATE.changes_data(MIGRATE.parse({"action": a, **({"migration": "1.1.0"} if a == "run" else {})}))
    } == {"apply", "run", "rollback"}


def test_shipped_files_live_in_the_profile_folders():
    assert all(Path(m.path).parent.name == "migrations" for m in TATTOO + AGENT)


def test_a_migration_may_define_dataclasses_like_any_module(tmp_path):
    path = tmp_path / "1.0.0_with_dataclass.py"
    path.write_text(
        "from __future__ import annotations\n\nfrom dataclasses import dataclass\n\n\n@dataclass\n"
        "class Change:\n    field: str\n\n\n" + GOOD.format(version="1.0.0")
    )
    assert load_migration(path).version == "1.0.0"


def dataops_imports(path: Path) -> set[str]:
    modules = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            modules.add(node.module)
        elif isinstance(node, ast.Import):
            modules.update(alias.name for alias in node.names)
    return {module for module in modules if module.split(".")[0] == "dataops"}


def test_shipped_migrations_import_only_the_public_facade():
    for migration in [*TATTOO, *AGENT]:
        assert dataops_imports(migration.path) == {"dataops.migrations"}, migration.path


def test_the_facade_import_keeps_the_checksum_recorded_before_the_facade(tmp_path):
    """Files applied while they imported the context from its own module keep their recorded checksum."""
    body = 'version = "1.0.0"\nname = "n"\ndescription = "d"\n\n\ndef up(ctx: MigrationContext) -> None:\n    pass\n'
    body += "\n\ndef down(ctx: MigrationContext) -> None:\n    pass\n"
    legacy = tmp_path / "legacy" / "1.0.0_n.py"
    facade = tmp_path / "facade" / "1.0.0_n.py"
    for path, module in ((legacy, "dataops.operations.migrate.context"), (facade, "dataops.migrations")):
        path.parent.mkdir()
        path.write_text(f"from {module} import MigrationContext\n\n{body}")
    recorded = hashlib.sha256(legacy.read_bytes()).hexdigest()
    assert load_migration(legacy).checksum == recorded
    assert load_migration(facade).checksum == recorded
    facade.write_text(facade.read_text().replace("pass", "return None", 1))
    assert load_migration(facade).checksum != recorded
