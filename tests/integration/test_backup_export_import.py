"""Export then import on real stores: plain files that round-trip exactly; PII masked deterministically."""

from __future__ import annotations

import json

import pytest

from dataops.backup.masking import mask_value
from dataops.errors import InvalidRequest
from dataops.operations.backup import BACKUP
from tests.integration.backup_support import (
    bucket_keys,
    everything,
    fill_dynamodb,
    fill_opensearch,
    fill_postgres,
    migrate,
    postgres_snapshot,
)

pytestmark = pytest.mark.integration


def run(payload, stores):
    return BACKUP.run(BACKUP.parse(payload), stores)


@pytest.fixture(scope="module")
def agent(provisioned):
    stores = provisioned("agent_system")
    migrate(stores)
    fill_dynamodb(stores, 150)
    fill_postgres(stores, 30)
    return stores


@pytest.fixture(scope="module")
def tattoo(provisioned):
    stores = provisioned("tattoo_directory")
    fill_dynamodb(stores, 90)
    fill_opensearch(stores, 60)
    return stores


def scramble(stores):
    fill_dynamodb(stores, 40, tag="scrambled")
    if stores.profile.uses_postgres:
        with stores.postgres.transaction() as cursor:
            cursor.execute("DELETE FROM dependencies WHERE dependency_id > 'dep-00030'")
            cursor.execute("UPDATE policies SET enabled = NOT enabled")
    for index in stores.search_indexes().values():
        stores.search.client.delete(index=index, id="artist-00002", refresh=True, params={"ignore": 404})


def test_local_export_is_plain_json_lines_and_imports_back_exactly(agent, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    before = everything(agent)
    exported = run({"action": "export", "destination": "local", "path": "exports/agent"}, agent)
    folder = tmp_path / "exports" / "agent"
    services = [json.loads(line) for line in (folder / "postgres" / "services.jsonl").read_text().splitlines()]
    assert len(services) == exported.counts["services"] == 30
    assert {"service_id", "name", "metadata"} <= set(services[0])
    items = [json.loads(line) for line in (folder / "dynamodb" / "ai-agent-system.jsonl").read_text().splitlines()]
    assert len(items) == 150 and all("PK" in item and "S" in item["PK"] for item in items)

    scramble(agent)
    assert everything(agent) != before
    imported = run({"action": "import", "destination": "local", "path": "exports/agent"}, agent)
    assert imported.counts["services"] == 30
    assert everything(agent) == before


def test_default_export_folder_is_timestamped(agent, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = run({"action": "export", "destination": "local", "tables": ["policies"]}, agent)
    folders = list((tmp_path / "exports").iterdir())
    assert len(folders) == 1 and folders[0].name.startswith("export-")
    assert result.details["location"] == str(folders[0])


def test_s3_export_and_import_round_trip_with_opensearch(tattoo):
    before = everything(tattoo)
    exported = run({"action": "export", "path": "tattoo-copy"}, tattoo)
    assert exported.details["location"].endswith("/exports/tattoo-copy/")
    assert "exports/tattoo-copy/opensearch/artists.jsonl" in bucket_keys(tattoo)
    scramble(tattoo)
    # These stores hold synthetic items and documents that do not describe each other, so the index is kept
    # exactly as stored (settle_index false); test_index_settles.py proves the settling.
    run({"action": "import", "path": "tattoo-copy", "settle_index": False}, tattoo)
    assert everything(tattoo) == before


def test_mask_pii_is_deterministic_and_hides_every_pii_field(tattoo, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("PII_MASK_KEY", "test-key")
    for name in ("first", "second"):
        run({"action": "export", "destination": "local", "path": name, "mask_pii": True}, tattoo)
    first = (tmp_path / "first" / "opensearch" / "artists.jsonl").read_text()
    assert first == (tmp_path / "second" / "opensearch" / "artists.jsonl").read_text()
    documents = [json.loads(line)["_source"] for line in first.splitlines()]
    assert all(doc["artistName"].startswith("masked-") for doc in documents)
    assert "v1 " not in first
    original = next(d for d in tattoo.search.scan(next(iter(tattoo.search_indexes().values()))))["_source"]
    assert mask_value(original["artistName"], b"test-key") in first


def test_masked_export_changes_only_the_pii_of_entities_that_declare_it(agent, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    run({"action": "export", "destination": "local", "path": "plain"}, agent)
    run({"action": "export", "destination": "local", "path": "masked", "mask_pii": True}, agent)

    def items(folder):
        lines = (tmp_path / folder / "dynamodb" / "ai-agent-system.jsonl").read_text().splitlines()
        return {(i["PK"]["S"], i["SK"]["S"]): i for i in map(json.loads, lines)}

    plain, masked = items("plain"), items("masked")
    assert plain.keys() == masked.keys()
    members = [key for key, item in plain.items() if item["entity_type"]["S"] == "team_member"]
    assert members
    for key, item in plain.items():
        if key in members:
            assert masked[key]["email"]["S"].endswith("@example.invalid")
            assert masked[key]["display_name"]["S"].startswith("masked-")
            assert {k: v for k, v in masked[key].items() if k not in {"email", "display_name"}} == {
                k: v for k, v in item.items() if k not in {"email", "display_name"}
            }
        else:
            assert masked[key] == item


@pytest.mark.parametrize("path", ["../outside", "/etc", "a/../../b", "exports/../../x", "a\\b", "", "."])
def test_path_traversal_is_refused_and_nothing_written(agent, tmp_path, monkeypatch, path):
    monkeypatch.chdir(tmp_path)
    keys = bucket_keys(agent)
    for destination in ("local", "s3"):
        with pytest.raises(InvalidRequest, match="field 'path'"):
            run({"action": "export", "destination": destination, "path": path}, agent)
        with pytest.raises(InvalidRequest, match="field 'path'"):
            run({"action": "import", "destination": destination, "path": path}, agent)
    assert list(tmp_path.iterdir()) == []
    assert bucket_keys(agent) == keys


def test_import_refuses_a_tampered_manifest_and_a_foreign_profile(agent, tattoo, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    run({"action": "export", "destination": "local", "path": "good", "tables": ["policies"]}, agent)
    manifest_path = tmp_path / "good" / "export.json"
    manifest = json.loads(manifest_path.read_text())
    manifest["files"][0]["path"] = "../../etc/passwd"
    manifest_path.write_text(json.dumps(manifest))
    before = postgres_snapshot(agent)
    with pytest.raises(InvalidRequest, match="not where it belongs"):
        run({"action": "import", "destination": "local", "path": "good"}, agent)
    run({"action": "export", "destination": "local", "path": "tattoo"}, tattoo)
    with pytest.raises(InvalidRequest, match="profile 'tattoo_directory'"):
        run({"action": "import", "destination": "local", "path": "tattoo"}, agent)
    with pytest.raises(InvalidRequest, match=r"no export\.json"):
        run({"action": "import", "destination": "local", "path": "missing"}, agent)
    assert postgres_snapshot(agent) == before


def test_import_dry_run_writes_nothing(agent, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    run({"action": "export", "destination": "local", "path": "snap"}, agent)
    scramble(agent)
    before = everything(agent)
    preview = run({"action": "import", "destination": "local", "path": "snap", "dry_run": True}, agent)
    assert preview.status == "dry_run"
    assert preview.details["rows_in_export"]["services"] == 30
    assert everything(agent) == before
