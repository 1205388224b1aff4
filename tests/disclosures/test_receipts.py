"""A receipt's answer is frozen the first time it is owed and never re-issued with a
better guess; its fingerprint is the same however often the order is fetched again; it
waits while the evidence around the order has not settled."""

from __future__ import annotations

import uuid
from datetime import timedelta

import redis

from pipeline.core import keys
from pipeline.flows.disclosures.receipts import PlacedOrder, freeze, receipt_spec
from pipeline.index.disclosures import DisclosureIndex
from pipeline.index.records import ArchiveIndex
from tests.disclosures.evidence_world import STORE, History, at

GUEST = 0


def _order(seconds: float) -> PlacedOrder:
    return PlacedOrder(STORE, int(uuid.uuid4().int % 10**9), at(seconds), 1, GUEST)


def test_an_order_before_the_first_look_is_unknown_for_good(
    index: ArchiveIndex, redis_url: str
) -> None:
    disclosures, rclient = DisclosureIndex(index.engine), redis.Redis.from_url(redis_url)
    order = _order(-50)
    first = freeze(disclosures, rclient, None, order, at(-40))  # type: ignore[arg-type]
    assert first is not None
    assert {(d["kind"], d["subject"], d["state"]) for d in first["disclosures"]} == {
        ("checkout_terms", "1", "unknown"),
        ("privacy", "1", "unknown"),
        ("page", None, "unknown"),
    }
    history = History(disclosures)
    history.look(0, "A")
    history.look(300, "A")
    again = freeze(disclosures, rclient, None, order, at(400))  # type: ignore[arg-type]
    assert again == first
    spec = receipt_spec(STORE, order.order_id, first)
    assert receipt_spec(STORE, order.order_id, again).fingerprint == spec.fingerprint
    assert first["consent"]["guest"] is True


def test_a_receipt_waits_for_settled_evidence(index: ArchiveIndex, redis_url: str) -> None:
    disclosures, rclient = DisclosureIndex(index.engine), redis.Redis.from_url(redis_url)
    history = History(disclosures)
    history.look(0, "A")
    order = _order(100)
    history.look(110, "A")  # not yet 30 s after the order
    assert freeze(disclosures, rclient, None, order, at(115)) is None  # type: ignore[arg-type]
    history.look(200, "A")
    pending = keys.disclosure_pending(STORE, 1)
    rclient.sadd(pending, "f" * 40)  # a change webhook still on its way into the index
    try:
        assert freeze(disclosures, rclient, None, order, at(205)) is None  # type: ignore[arg-type]
    finally:
        rclient.delete(pending)
    # Every version it names must be filed: the versions here never were, so it waits
    # until the hour is over and then freezes with what there is.
    assert freeze(disclosures, rclient, None, order, at(210)) is None  # type: ignore[arg-type]
    late = order.placed_at + timedelta(hours=1, seconds=1)
    content = freeze(disclosures, rclient, None, order, late)  # type: ignore[arg-type]
    assert content is not None
    [page] = [d for d in content["disclosures"] if d["kind"] == "page"]
    assert page["state"] == "exact" and page["versions"][0]["ecm_node_id"] is None
