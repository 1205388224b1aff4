import fakeredis
import pytest

from pipeline.core.deadletters import DeadLetter, DeadLetterFilter, DeadLetterStore


def _entry(stage: str = "render", error: str = "PermanentError", key: str = "s:1") -> DeadLetter:
    return DeadLetter(task_name=f"bcrm.{stage}.placeholder", stage=stage,
                      args=[{"record_key": key}], kwargs={}, exception_type=error,
                      exception="boom", traceback="Traceback ...", attempts=3,
                      record_key=key)  # fmt: skip


def test_entries_keep_their_full_context(fake_redis: fakeredis.FakeRedis) -> None:
    store = DeadLetterStore(fake_redis)
    entry_id = store.add(_entry())
    stored = store.get(entry_id)
    assert stored is not None
    assert stored.task_name == "bcrm.render.placeholder"
    assert stored.args == [{"record_key": "s:1"}]
    assert (stored.exception_type, stored.exception, stored.attempts) == (
        "PermanentError",
        "boom",
        3,
    )
    assert stored.traceback.startswith("Traceback")


def test_filters_select_by_stage_error_record_and_age(fake_redis: fakeredis.FakeRedis) -> None:
    store = DeadLetterStore(fake_redis)
    store.add(_entry("render", "PermanentError", "s:1"))
    store.add(_entry("declare", "TransientError", "s:2"))
    assert [e.record_key for e in store.list(DeadLetterFilter(stage="declare"))] == ["s:2"]
    assert [e.record_key for e in store.list(DeadLetterFilter(error_type="PermanentError"))] == [
        "s:1"
    ]
    assert store.list(DeadLetterFilter(record_prefix="s:2"))[0].stage == "declare"
    assert store.list(DeadLetterFilter(older_than_s=3600)) == []


def test_an_entry_is_replayed_at_most_once(fake_redis: fakeredis.FakeRedis) -> None:
    store = DeadLetterStore(fake_redis)
    entry_id = store.add(_entry())
    sent: list[str] = []
    assert store.replay(entry_id, lambda e: sent.append(e.id)) is True
    assert store.replay(entry_id, lambda e: sent.append(e.id)) is False
    assert sent == [entry_id]
    assert store.get(entry_id).status == "replayed"  # type: ignore[union-attr]
    assert store.count("dead") == 0 and store.count("replayed") == 1


def test_an_entry_waits_until_it_is_replayed(fake_redis: fakeredis.FakeRedis) -> None:
    store = DeadLetterStore(fake_redis)
    entry_id = store.add(_entry())
    assert store.waiting(entry_id)
    store.replay(entry_id, lambda e: None)
    assert not store.waiting(entry_id)
    assert not store.waiting("no-such-entry")


def test_a_failed_send_leaves_the_entry_dead(fake_redis: fakeredis.FakeRedis) -> None:
    store = DeadLetterStore(fake_redis)
    entry_id = store.add(_entry())

    def broken(_: DeadLetter) -> None:
        raise ConnectionError("broker down")

    with pytest.raises(ConnectionError):
        store.replay(entry_id, broken)
    assert store.get(entry_id).status == "dead"  # type: ignore[union-attr]


def test_purge_deletes_entries(fake_redis: fakeredis.FakeRedis) -> None:
    store = DeadLetterStore(fake_redis)
    ids = [store.add(_entry()), store.add(_entry())]
    assert store.purge([*ids, "absent"]) == 2
    assert store.list(DeadLetterFilter(status=None)) == []
