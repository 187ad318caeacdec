"""Pure logic: which names a backup covers, the PostgreSQL load order, deterministic masks, safe paths."""

from __future__ import annotations

import pytest

from dataops.backup.masking import mask_item, mask_record, mask_value
from dataops.backup.scope import narrow, postgres_tables_in_load_order, resolve_scope
from dataops.backup.transfer import safe_relative_path
from dataops.errors import InvalidRequest, UnknownName
from dataops.profiles import load_profile

AGENT = load_profile("agent_system")
TATTOO = load_profile("tattoo_directory")


def test_full_scope_names_every_part_of_the_profile():
    scope = resolve_scope(TATTOO, None)
    assert scope.dynamodb == ["artist", "studio", "style"]
    assert scope.postgres == [] and scope.opensearch == ["artists"]


def test_store_names_select_everything_in_that_store():
    scope = resolve_scope(AGENT, ["postgres", "persona"])
    assert scope.dynamodb == ["persona"]
    assert scope.postgres == ["services", "dependencies", "policies"]


def test_parent_tables_load_before_their_children():
    order = [placement.table for _, placement in postgres_tables_in_load_order(AGENT)]
    assert order.index("services") < order.index("dependencies")
    assert order.index("services") < order.index("policies")


@pytest.mark.parametrize("names", [["servicez"], ["artists"], [" "]])
def test_unknown_or_empty_names_are_refused_naming_the_field(names):
    with pytest.raises(InvalidRequest, match="field 'tables'"):
        resolve_scope(AGENT, names)


def test_narrow_refuses_a_name_the_backup_does_not_hold():
    partial = resolve_scope(AGENT, ["services"])
    assert narrow(partial, ["services"], "tables").postgres == ["services"]
    with pytest.raises(UnknownName, match="policies"):
        narrow(partial, ["policies"], "tables")


def test_masks_are_deterministic_shaped_and_keyed():
    key = b"k1"
    assert mask_value("ada@example.com", key) == mask_value("ada@example.com", key)
    assert mask_value("ada@example.com", key).endswith("@example.invalid")
    assert mask_value("@inkbyada", key).startswith("@user_")
    assert mask_value("Ada Lovelace", key).startswith("masked-")
    assert mask_value("Ada Lovelace", key) != mask_value("Ada Lovelace", b"k2")
    assert mask_value("Ada Lovelace", key) != mask_value("Ada Byron", key)


def test_masking_touches_only_the_named_string_fields():
    record = {"artistName": "Ada", "rating": 4.5, "instagramHandle": None, "city": "London"}
    masked = mask_record(record, ("artistName", "instagramHandle", "rating"), b"k")
    assert masked["artistName"].startswith("masked-")
    assert masked["rating"] == 4.5 and masked["instagramHandle"] is None and masked["city"] == "London"
    item = {"artistName": {"S": "Ada"}, "PK": {"S": "ARTIST#1"}}
    assert mask_item(item, ("artistName",), b"k")["artistName"]["S"].startswith("masked-")
    assert mask_item(item, ("artistName",), b"k")["PK"] == item["PK"]


@pytest.mark.parametrize("path", ["exports/a", "a/b-c/d_e.1", "export-20260101-120000"])
def test_plain_relative_paths_are_accepted(path):
    assert safe_relative_path(path) == path


@pytest.mark.parametrize("path", ["../x", "/abs", "a/../b", "a//b", "a\\b", ".", "", "a/.hidden/../../x", "~/x"])
def test_traversal_and_odd_paths_are_refused(path):
    with pytest.raises(InvalidRequest, match="field 'path'"):
        safe_relative_path(path)
