"""S3 adapter against MiniStack: multipart streaming both ways, paginated listing."""

import hashlib
import io
import os

import pytest

from dataops.errors import StoreUnavailable
from dataops.stores.s3 import ObjectStore

pytestmark = pytest.mark.integration


def test_multipart_upload_and_download_stream_identical_bytes(s3, scratch_bucket):
    store = ObjectStore(s3, scratch_bucket)
    payload = os.urandom(40 * 1024 * 1024 + 123)
    store.upload_stream("big/object.bin", io.BytesIO(payload))
    sink = io.BytesIO()
    store.download_stream("big/object.bin", sink)
    assert hashlib.sha256(sink.getvalue()).hexdigest() == hashlib.sha256(payload).hexdigest()
    head = s3.head_object(Bucket=scratch_bucket, Key="big/object.bin")
    assert head["ContentLength"] == len(payload)


def test_listing_pages_past_one_thousand_keys(s3, scratch_bucket):
    store = ObjectStore(s3, scratch_bucket)
    for n in range(1010):
        s3.put_object(Bucket=scratch_bucket, Key=f"many/{n:05d}", Body=b"x")
    keys = [entry["Key"] for entry in store.list_objects("many/")]
    assert len(keys) == 1010 and len(set(keys)) == 1010
    assert store.delete_keys(keys) == 1010
    assert list(store.list_objects("many/")) == []


def test_json_round_trip_and_prefixes(s3, scratch_bucket):
    store = ObjectStore(s3, scratch_bucket)
    store.put_json("backups/b1/manifest.json", {"rows": 3})
    store.put_json("backups/b2/manifest.json", {"rows": 4})
    assert store.get_json("backups/b2/manifest.json") == {"rows": 4}
    assert sorted(store.list_prefixes("backups/")) == ["backups/b1/", "backups/b2/"]
    assert store.exists("backups/b1/manifest.json") and not store.exists("backups/b3/manifest.json")


def test_missing_bucket_is_reported_by_name(s3):
    with pytest.raises(StoreUnavailable, match="'no-such-bucket-x1' does not exist"):
        ObjectStore(s3, "no-such-bucket-x1").head_bucket()
