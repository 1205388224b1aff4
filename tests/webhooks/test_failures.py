"""Failures around the receiver: Redis down, the broker refusing the publish, and clients
that open a connection and trickle (or never send) the rest."""

from __future__ import annotations

import socket
from collections.abc import Callable, Iterator

import pytest
import redis
import requests

from pipeline.runtime.embedded_redis import free_port
from tests.webhooks.support import SECRET, RunningReceiver, delivery, encode, fetch_refs, seen_marks

AUTH = {"Content-Type": "application/json", "X-Bcrm-Webhook-Secret": SECRET}
ORDER = {"type": "order", "id": 7}
ASIDE = "bcrm:test:webhooks:fetch-aside"


def test_redis_down_is_503_and_the_retry_is_enqueued(
    make_receiver: Callable[..., RunningReceiver], rclient: redis.Redis, store: str
) -> None:
    body = encode(delivery(store, "store/order/created", ORDER))
    down = make_receiver(redis=f"redis://127.0.0.1:{free_port()}/0")
    response = requests.post(down.url, data=body, headers=AUTH, timeout=60)
    assert response.status_code == 503 and response.headers["Retry-After"] == "60"
    assert response.json()["error"] == "unavailable"
    health = requests.get(down.url.replace("/webhooks/bigcommerce", "/healthz"), timeout=60)
    assert health.status_code == 503
    assert fetch_refs(rclient, store) == [] and seen_marks(rclient, store) == []

    healthy = make_receiver()
    retry = requests.post(healthy.url, data=body, headers=AUTH, timeout=60)
    assert retry.status_code == 200 and retry.json() == {"status": "enqueued"}
    assert len(fetch_refs(rclient, store)) == 1


@pytest.fixture
def broken_fetch_queue(rclient: redis.Redis) -> Iterator[None]:
    """Make every publish to `fetch` fail for real (WRONGTYPE), keeping its messages aside."""
    moved = bool(rclient.exists("fetch"))
    if moved:
        rclient.rename("fetch", ASIDE)
    rclient.set("fetch", "not a list")
    try:
        yield
    finally:
        rclient.delete("fetch")
        if moved:
            rclient.rename(ASIDE, "fetch")


def test_failed_publish_releases_the_mark_so_the_retry_is_enqueued(
    receiver: RunningReceiver, rclient: redis.Redis, store: str, broken_fetch_queue: None
) -> None:
    body = encode(delivery(store, "store/order/created", ORDER))
    response = requests.post(receiver.url, data=body, headers=AUTH, timeout=60)
    assert response.status_code == 503, response.text
    assert seen_marks(rclient, store) == []
    rclient.delete("fetch")
    retry = requests.post(receiver.url, data=body, headers=AUTH, timeout=60)
    assert retry.status_code == 200 and retry.json() == {"status": "enqueued"}
    assert len(fetch_refs(rclient, store)) == 1


def _connect(receiver: RunningReceiver) -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", receiver.port), timeout=60)
    return sock


def _read_all(sock: socket.socket) -> bytes:
    chunks = []
    while chunk := sock.recv(4096):
        chunks.append(chunk)
    return b"".join(chunks)


def test_slow_clients_are_cut_off_while_others_are_served(
    receiver: RunningReceiver, rclient: redis.Redis, store: str
) -> None:
    body = encode(delivery(store, "store/order/created", ORDER))
    never_finishes_headers = _connect(receiver)
    never_finishes_headers.sendall(b"POST /webhooks/bigcommerce HTTP/1.1\r\nHost: x\r\n")
    trickles_body = _connect(receiver)
    head = (
        "POST /webhooks/bigcommerce HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        f"X-Bcrm-Webhook-Secret: {SECRET}\r\nContent-Length: {len(body)}\r\n\r\n"
    )
    trickles_body.sendall(head.encode() + body[:10])

    served = requests.post(receiver.url, data=body, headers=AUTH, timeout=60)
    assert served.status_code == 200

    answer = _read_all(trickles_body)
    assert answer.startswith(b"HTTP/1.1 408"), answer[:100]
    assert b'"timeout"' in answer
    assert _read_all(never_finishes_headers) == b""
    never_finishes_headers.close()
    trickles_body.close()
    assert len(fetch_refs(rclient, store)) == 1


def test_declared_oversize_is_refused_before_the_body_is_read(
    receiver: RunningReceiver, store: str
) -> None:
    sock = _connect(receiver)
    sock.sendall(
        b"POST /webhooks/bigcommerce HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        + f"X-Bcrm-Webhook-Secret: {SECRET}\r\nContent-Length: 50000000\r\n\r\n".encode()
    )
    answer = sock.recv(4096)
    sock.close()
    assert answer.startswith(b"HTTP/1.1 413") and b'"too_large"' in answer
