"""The receiver over real HTTP against the session's Redis: what each delivery is answered
and what lands in the `fetch` queue (a good delivery: exactly one message; a refused one,
or a duplicate: none)."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
import redis
import requests

from pipeline.core import keys
from pipeline.core.ledger import Ledger
from pipeline.flows.commerce.intake import order_event_ref
from pipeline.integrations.webhooks.config import signing_key
from pipeline.integrations.webhooks.dedup import seen_key
from tests.webhooks.support import (
    SECRET,
    WHSEC,
    RunningReceiver,
    delivery,
    encode,
    fetch_refs,
    seen_marks,
    signed_headers,
)

JSON = {"Content-Type": "application/json"}
AUTH = {**JSON, "X-Bcrm-Webhook-Secret": SECRET}
ORDER = {"type": "order", "id": 250}


def post(url: str, body: bytes, headers: dict[str, str]) -> requests.Response:
    return requests.post(url, data=body, headers=headers, timeout=60)


def test_good_delivery_enqueues_exactly_one_fetch(
    receiver: RunningReceiver, rclient: redis.Redis, store: str
) -> None:
    payload = delivery(store, "store/order/created", ORDER)
    response = post(receiver.url, encode(payload), AUTH)
    assert response.status_code == 200 and response.json() == {"status": "enqueued"}
    expected = order_event_ref(store, 250, "store/order/created", payload["hash"])
    assert fetch_refs(rclient, store) == [expected]
    assert 0 < rclient.ttl(seen_key(store, payload["hash"])) <= 72 * 3600
    # Owed in the ledger by the same script that queued it: a lost message is re-driven.
    owed = Ledger(rclient).get(expected["record_key"])
    assert (owed["state"], owed["flow"], owed["owed_task"]) == ("pending", "commerce",
                                                               "bcrm.fetch.order")  # fmt: skip
    assert json.loads(owed["owed_args"]) == [expected]
    assert rclient.zscore(keys.LEDGER_OWED, expected["record_key"])


@pytest.mark.parametrize(
    ("scope", "data", "order_id"),
    [
        ("store/order/statusUpdated", {**ORDER, "status": {"new_status_id": 2}}, 250),
        ("store/order/refund/created", {**ORDER, "refund": {"refund_id": 9}}, 250),
        ("store/shipment/created", {"type": "shipment", "id": 31, "orderId": 250}, 250),
        (
            "store/order/transaction/created",
            {"type": "transaction", "order_id": 250, "transaction_id": "77"},
            250,
        ),
        ("store/order/metafield/updated", {"metafield_id": 4, "resource_id": "250"}, 250),
    ],
)
def test_order_id_comes_from_the_scopes_own_key(
    receiver: RunningReceiver,
    rclient: redis.Redis,
    store: str,
    scope: str,
    data: dict[str, Any],
    order_id: int,
) -> None:
    payload = delivery(store, scope, data)
    assert post(receiver.url, encode(payload), AUTH).status_code == 200
    assert fetch_refs(rclient, store) == [order_event_ref(store, order_id, scope, payload["hash"])]


def test_concurrent_duplicates_enqueue_once(
    receiver: RunningReceiver, rclient: redis.Redis, store: str
) -> None:
    body = encode(delivery(store, "store/order/updated", ORDER))
    with ThreadPoolExecutor(5) as pool:
        answers = list(pool.map(lambda _: post(receiver.url, body, AUTH), range(5)))
    assert [a.status_code for a in answers] == [200] * 5
    assert sorted(a.json()["status"] for a in answers) == ["duplicate"] * 4 + ["enqueued"]
    assert len(fetch_refs(rclient, store)) == 1


def _cases(store: str) -> dict[str, tuple[bytes, dict[str, str], int, str]]:
    good = delivery(store, "store/order/created", ORDER)
    body = encode(good)
    return {
        "missing secret": (body, JSON, 401, "unauthenticated"),
        "wrong secret": (body, {**JSON, "X-Bcrm-Webhook-Secret": "guess"}, 401, "unauthenticated"),
        "wrong content type": (
            body,
            {**AUTH, "Content-Type": "text/plain"},
            415,
            "unsupported_media_type",
        ),
        "form content type": (
            body,
            {**AUTH, "Content-Type": "application/x-www-form-urlencoded"},
            415,
            "unsupported_media_type",
        ),
        "oversize": (encode({**good, "pad": "x" * 4096}), AUTH, 413, "too_large"),
        "not json": (b"scope=store/order/created", AUTH, 400, "invalid_json"),
        "not utf-8": (b"\xff\xfe{}", AUTH, 400, "invalid_json"),
        # Nested deeper than Python's recursion limit: json raises RecursionError, which
        # is not a ValueError (was a 500). 1000 levels fit the fixture's 2048-byte limit.
        "nested too deep": (b"[" * 1000 + b"]" * 1000, AUTH, 400, "invalid_json"),
        "json array": (b"[1, 2]", AUTH, 422, "invalid_delivery"),
        "missing hash": (
            encode({k: v for k, v in good.items() if k != "hash"}),
            AUTH,
            422,
            "invalid_delivery",
        ),
        "numeric store_id": (encode({**good, "store_id": 1025646}), AUTH, 422, "invalid_delivery"),
        "bad producer": (
            encode({**good, "producer": "somewhere/else"}),
            AUTH,
            422,
            "invalid_delivery",
        ),
        "order without id": (
            encode({**good, "data": {"type": "order"}}),
            AUTH,
            422,
            "invalid_delivery",
        ),
        "unknown scope": (
            encode(
                {**good, "scope": "store/product/updated", "data": {"type": "product", "id": 1}}
            ),
            AUTH,
            422,
            "unknown_scope",
        ),
    }


CASES = list(_cases("x"))


@pytest.mark.parametrize("case", CASES)
def test_hostile_delivery_is_refused_and_enqueues_nothing(
    receiver: RunningReceiver, rclient: redis.Redis, store: str, case: str
) -> None:
    body, headers, status, error = _cases(store)[case]
    response = post(receiver.url, body, headers)
    assert response.status_code == status, response.text
    answer = response.json()
    assert answer["error"] == error and answer["detail"]
    assert SECRET not in response.text
    assert fetch_refs(rclient, store) == [] and seen_marks(rclient, store) == []


def test_chunked_body_over_the_limit_is_413(
    receiver: RunningReceiver, rclient: redis.Redis, store: str
) -> None:
    payload = encode({**delivery(store, "store/order/created", ORDER), "pad": "x" * 8192})
    chunks = (payload[i : i + 512] for i in range(0, len(payload), 512))
    response = requests.post(receiver.url, data=chunks, headers=AUTH, timeout=60)
    assert response.status_code == 413 and response.json()["error"] == "too_large"
    assert fetch_refs(rclient, store) == []


def test_store_outside_the_configured_ones_is_403(
    make_receiver: Callable[..., RunningReceiver], rclient: redis.Redis, store: str
) -> None:
    receiver = make_receiver(stores=frozenset({"someotherstore"}))
    response = post(receiver.url, encode(delivery(store, "store/order/created", ORDER)), AUTH)
    assert response.status_code == 403 and response.json()["error"] == "unknown_store"
    assert fetch_refs(rclient, store) == [] and seen_marks(rclient, store) == []


def test_signed_delivery_is_accepted(
    signing_receiver: RunningReceiver, rclient: redis.Redis, store: str
) -> None:
    body = encode(delivery(store, "store/order/created", ORDER))
    response = post(signing_receiver.url, body, {**JSON, **signed_headers(body)})
    assert response.status_code == 200, response.text
    assert len(fetch_refs(rclient, store)) == 1


@pytest.mark.parametrize(
    "case", ["unsigned", "wrong key", "tampered body", "stale timestamp", "future timestamp"]
)
def test_bad_signatures_are_401(
    signing_receiver: RunningReceiver, rclient: redis.Redis, store: str, case: str
) -> None:
    body = encode(delivery(store, "store/order/created", ORDER))
    now = int(time.time())
    headers = {
        "unsigned": {},
        "wrong key": signed_headers(body, key=b"not-the-client-secret"),
        "tampered body": signed_headers(body.replace(b"250", b"251")),
        "stale timestamp": signed_headers(body, timestamp=now - 3600),
        "future timestamp": signed_headers(body, timestamp=now + 3600),
    }[case]
    response = post(signing_receiver.url, body, {**JSON, **headers})
    assert response.status_code == 401 and response.json()["error"] == "unauthenticated"
    assert fetch_refs(rclient, store) == [] and seen_marks(rclient, store) == []


@pytest.mark.parametrize("header", ["X-Bcrm-Webhook-Secret", "webhook-id", "webhook-signature"])
def test_header_bytes_that_are_not_utf8_are_401(
    make_receiver: Callable[..., RunningReceiver], rclient: redis.Redis, store: str, header: str
) -> None:
    """aiohttp keeps undecodable header bytes as lone surrogates, which `str.encode()`
    refuses: comparing or signing them must be a 401, not a 500."""
    receiver = make_receiver(signing_keys=(signing_key(WHSEC),))
    body = encode(delivery(store, "store/order/created", ORDER))
    raw = b"v1,\xff\xfe" if header == "webhook-signature" else b"\xff\xfe"
    headers: dict[str, str | bytes] = {**AUTH, **signed_headers(body), header: raw}
    response = requests.post(receiver.url, data=body, headers=headers, timeout=60)
    assert response.status_code == 401 and response.json()["error"] == "unauthenticated"
    assert fetch_refs(rclient, store) == [] and seen_marks(rclient, store) == []


def test_json_with_a_charset_parameter_is_json(
    receiver: RunningReceiver, rclient: redis.Redis, store: str
) -> None:
    headers = {**AUTH, "Content-Type": "application/json; charset=utf-8"}
    response = post(receiver.url, encode(delivery(store, "store/order/created", ORDER)), headers)
    assert response.status_code == 200 and len(fetch_refs(rclient, store)) == 1
