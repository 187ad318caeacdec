"""Items cross the store boundary as plain Python; floats become exact Decimals, not binary approximations."""

from decimal import Decimal

from dataops.stores.dynamodb import from_dynamo, to_dynamo


def test_floats_round_trip_exactly():
    item = {"rating": 4.7, "nested": {"lat": 51.5074, "tags": [0.1, "x"]}, "count": 3, "ok": True}
    wire = to_dynamo(item)
    assert wire["rating"] == {"N": "4.7"}
    back = from_dynamo(wire)
    assert back["rating"] == Decimal("4.7")
    assert back["nested"]["tags"] == [Decimal("0.1"), "x"]
    assert back["count"] == 3 and back["ok"] is True
