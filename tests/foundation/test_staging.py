import hashlib

import fakeredis
import pytest

from pipeline.core import keys, staging
from pipeline.core.staging import BlobTooLarge, StagedBlobMissing, StagingFull, StagingStore


def _store(client: fakeredis.FakeRedis, cap: int = 100, blob_cap: int = 60) -> StagingStore:
    return StagingStore(client, ttl_s=60, max_total_bytes=cap, max_blob_bytes=blob_cap)


def test_blobs_are_addressed_by_their_sha256(fake_redis: fakeredis.FakeRedis) -> None:
    store = _store(fake_redis)
    digest = store.put(b"snapshot")
    assert digest == hashlib.sha256(b"snapshot").hexdigest()
    assert store.get(digest) == b"snapshot"


def test_storing_the_same_bytes_twice_counts_them_once(fake_redis: fakeredis.FakeRedis) -> None:
    store = _store(fake_redis)
    store.put(b"x" * 40)
    store.put(b"x" * 40)
    assert store.used_bytes() == 40


def test_the_total_cap_refuses_with_a_transient_error(fake_redis: fakeredis.FakeRedis) -> None:
    store = _store(fake_redis)
    store.put(b"a" * 60)
    with pytest.raises(StagingFull) as caught:
        store.put(b"b" * 50)
    assert caught.value.retry_after is not None
    assert store.used_bytes() == 60


def test_expired_blobs_free_their_share_of_the_cap(
    fake_redis: fakeredis.FakeRedis, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = _store(fake_redis)
    store.put(b"a" * 60)
    later = staging.time.time() + 3600
    monkeypatch.setattr(staging.time, "time", lambda: later)
    store.put(b"b" * 50)
    assert store.used_bytes() == 50


def test_a_blob_over_the_per_blob_cap_is_permanent(fake_redis: fakeredis.FakeRedis) -> None:
    with pytest.raises(BlobTooLarge):
        _store(fake_redis).put(b"z" * 61)


def test_missing_and_corrupt_blobs_are_refused(fake_redis: fakeredis.FakeRedis) -> None:
    store = _store(fake_redis)
    with pytest.raises(StagedBlobMissing, match="missing"):
        store.get("0" * 64)
    digest = store.put(b"original")
    fake_redis.set(keys.staging_blob(digest), b"tampered")
    with pytest.raises(StagedBlobMissing, match="corrupt"):
        store.get(digest)
