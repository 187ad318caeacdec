"""The comparison engine on real DynamoDB (MiniStack) and OpenSearch (osmem-server): hand-made drift is found."""

from __future__ import annotations

import pytest

from dataops.compare import ComparisonTally, compare_entity
from dataops.errors import InvalidRequest
from tests.sync_support import artist, artist_item, seed_artists

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def tattoo(provisioned):
    return provisioned("tattoo_directory")


def test_hand_made_drift_is_found_exactly(tattoo):
    seed_artists(tattoo, 30)
    index = tattoo.search_indexes()["artist"]
    client = tattoo.search.client
    tattoo.table.put(artist_item(tattoo, artist(3, rating=2.5, updatedAt="2027-03-03T00:00:00Z")))
    tattoo.table.batch_delete([{"PK": "ARTIST#artist-00004", "SK": "PROFILE"}])
    tattoo.table.put(artist_item(tattoo, artist(500)))
    client.update(index=index, id="artist-00007", body={"doc": {"artistName": "Hand Edited"}})
    client.delete(index=index, id="artist-00008")
    client.index(index=index, id="artist-00900", body={"artistId": "artist-00900", "artistName": "Only in search"})
    client.indices.refresh(index=index)

    tally = ComparisonTally()
    found = {difference.key: difference for difference in compare_entity(tattoo, "artist", tally)}

    assert {key: (d.kind, d.fields, d.newer) for key, d in found.items()} == {
        "artist-00003": ("different", ["rating", "updatedAt"], "dynamodb"),
        "artist-00004": ("missing_in_dynamodb", found["artist-00004"].fields, "opensearch"),
        "artist-00500": ("missing_in_opensearch", found["artist-00500"].fields, "dynamodb"),
        "artist-00007": ("different", ["artistName"], "same"),
        "artist-00008": ("missing_in_opensearch", found["artist-00008"].fields, "dynamodb"),
        "artist-00900": ("missing_in_dynamodb", ["artistId", "artistName"], "opensearch"),
    }
    assert (tally.dynamodb, tally.opensearch, tally.matching) == (30, 30, 26)


def test_studios_are_not_indexed(tattoo):
    with pytest.raises(InvalidRequest, match="'studio' is not indexed"):
        list(compare_entity(tattoo, "studio"))
