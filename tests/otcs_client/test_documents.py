"""Documents: small and chunked uploads, downloads equal to what went up, versions."""

from __future__ import annotations

import hashlib
import os
import re
from typing import Any

import pytest
from requests import PreparedRequest, Response
from requests.adapters import HTTPAdapter

from pipeline.integrations.otcs import NameCollision, OTCSClient
from sandbox.otcs import OTCSEmulator
from tests.otcs_client.conftest import PART_SIZE, calls

PDF = b"%PDF-1.7\n" + b"1 0 obj << >> endobj\n" * 50 + b"%%EOF\n"


def _stored(emulator: OTCSEmulator, node_id: int) -> dict:
    return next(n for n in emulator.inventory()["nodes"] if n["id"] == node_id)


def test_small_upload_round_trips(emulator: OTCSEmulator, client: OTCSClient, folder: int) -> None:
    doc = client.create_document(folder, "Invoice 1001.pdf", PDF, "application/pdf").id
    assert client.download(doc) == PDF
    assert client.content_sha256(doc) == hashlib.sha256(PDF).hexdigest()
    stored = _stored(emulator, doc)
    assert (stored["name"], stored["mime_type"], stored["parent_id"]) == (
        "Invoice 1001.pdf",
        "application/pdf",
        folder,
    )
    assert calls(emulator, "POST /v2/multipart") == 0


def test_large_upload_goes_through_the_chunked_api(
    emulator: OTCSEmulator, client: OTCSClient, folder: int
) -> None:
    data = os.urandom(4 * PART_SIZE + 123)
    doc = client.create_document(folder, "big.pdf", data, "application/pdf").id
    assert calls(emulator, "POST /v2/multipart") == 1
    assert calls(emulator, "POST /v2/multipart/{key}/{part}") == 5
    assert calls(emulator, "POST /v2/multipart/{key}") == 1
    assert _stored(emulator, doc)["sha256"] == hashlib.sha256(data).hexdigest()
    assert client.download(doc) == data


class CountingAdapter(HTTPAdapter):
    """Counts requests as sent: the emulator does not count requests it cuts off."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def send(self, request: PreparedRequest, *args: Any, **kwargs: Any) -> Response:
        self.urls.append(str(request.url))
        return super().send(request, *args, **kwargs)


def test_a_lost_part_is_sent_again(emulator: OTCSEmulator, client: OTCSClient, folder: int) -> None:
    adapter = CountingAdapter()
    client.session.mount("http://", adapter)
    data = os.urandom(6 * PART_SIZE)
    emulator.set_faults(reset_rate=0.3, seed=7, routes=["POST /v2/multipart/{key}/{part}"])
    doc = client.create_document(folder, "retried.pdf", data, "application/pdf").id
    emulator.set_faults()
    part_sends = [url for url in adapter.urls if re.search(r"/multipart/\w+/\d+$", url)]
    assert len(part_sends) > 6, "the seeded faults cut off some parts"
    assert client.download(doc) == data


def test_name_collision_then_adopt_after_hash_check(client: OTCSClient, folder: int) -> None:
    """What declare does on a retry: the name is taken, so verify and adopt the node."""
    first = client.create_document(folder, "Invoice 7.pdf", PDF, "application/pdf").id
    with pytest.raises(NameCollision):
        client.create_document(folder, "Invoice 7.pdf", PDF, "application/pdf")
    existing = client.find_child(folder, "Invoice 7.pdf")
    assert existing is not None and existing.id == first
    assert client.content_sha256(existing.id) == hashlib.sha256(PDF).hexdigest()


def test_large_collision_is_recognised_too(client: OTCSClient, folder: int) -> None:
    data = os.urandom(3 * PART_SIZE)
    client.create_document(folder, "big.pdf", data, "application/pdf")
    with pytest.raises(NameCollision):
        client.create_document(folder, "big.pdf", data, "application/pdf")


@pytest.mark.parametrize("size", [100, 3 * PART_SIZE])
def test_add_version(client: OTCSClient, folder: int, size: int) -> None:
    doc = client.create_document(folder, "draft.pdf", PDF, "application/pdf").id
    data = os.urandom(size)
    assert client.add_version(doc, data, "application/pdf", "draft.pdf") == 2
    assert client.download(doc) == data


def test_a_taken_name_is_refused_before_a_chunked_transfer(
    emulator: OTCSEmulator, client: OTCSClient, folder: int
) -> None:
    """The name pre-check runs only where a clash would waste a whole chunked transfer."""
    data = os.urandom(4 * PART_SIZE + 7)
    client.create_document(folder, "big.pdf", data, "application/pdf")
    emulator.reset_counters()
    with pytest.raises(NameCollision):
        client.create_document(folder, "big.pdf", data, "application/pdf")
    assert calls(emulator, "POST /v1/validation/nodes/names") == 1
    assert calls(emulator, "POST /v2/multipart") == 0
    assert calls(emulator, "POST /v2/nodes") == 0
    emulator.reset_counters()
    client.create_document(folder, "small.pdf", PDF, "application/pdf")
    assert calls(emulator, "POST /v1/validation/nodes/names") == 0
