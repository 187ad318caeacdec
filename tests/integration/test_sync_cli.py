"""`dataops sync` in-process against real stores: JSON output, dry-run default, exit 1 on a drifted sync point."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from dataops.cli.main import app
from tests.sync_support import artist, artist_item, search_snapshot, seed_artists

pytestmark = pytest.mark.integration

runner = CliRunner()


def test_cli_syncs_and_checks_sync_points(provisioned):
    stores = provisioned("tattoo_directory")
    seed_artists(stores, 5, index=False)
    where = ["--profile", "tattoo_directory", "--stage", stores.settings.stage, "--json"]

    dry = runner.invoke(app, ["sync", "dynamo-to-os", "--dry-run", *where])
    assert dry.exit_code == 0, dry.output
    assert json.loads(dry.stdout)["counts"] == {"dry_run": 5, "unchanged": 0} and search_snapshot(stores) == {}

    done = runner.invoke(app, ["sync", "dynamo-to-os", "--no-dry-run", *where])
    assert json.loads(done.stdout)["counts"] == {"created": 5, "unchanged": 0}
    assert len(search_snapshot(stores)) == 5

    assert runner.invoke(app, ["sync", "sync-point", "cli-point", "--no-dry-run", *where]).exit_code == 0
    assert runner.invoke(app, ["sync", "validate-sync-point", "cli-point", *where]).exit_code == 0
    stores.table.put(artist_item(stores, artist(1, rating=0.5)))
    drifted = runner.invoke(app, ["sync", "validate-sync-point", "cli-point", *where])
    assert drifted.exit_code == 1 and json.loads(drifted.stdout)["details"]["matches"] is False

    detected = json.loads(runner.invoke(app, ["sync", "detect-conflicts", *where]).stdout)
    assert [(d["key"], d["fields"]) for d in detected["differences"]] == [("artist-00001", ["rating"])]
