"""The producer's poll reads the status of the change requests still open, not of every
request ever filed: a request published, refused, rejected or cancelled never becomes
due again, and reading each one (a Content Server round trip) made a poll as slow as the
store's history was long (`bcrm bench publish`: 8 s a poll with 50 requests)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from pipeline.flows.approvals import change_requests
from pipeline.flows.approvals.change_request import ChangeRequest
from pipeline.flows.approvals.producer import approved_requests
from pipeline.integrations.otcs.client import OTCSClient
from sandbox.otcs.server import OTCSEmulator

PASSWORD = "poll-pw"
CATEGORY_READ = "GET /v2/nodes/{id}/categories/{category_id}"


@pytest.fixture(scope="module")
def ecm() -> Iterator[OTCSEmulator]:
    with OTCSEmulator(password=PASSWORD) as emulator:
        yield emulator


def filed(otcs: OTCSClient, store_hash: str, n: int, status: str) -> str:
    change = ChangeRequest(
        f"{store_hash}-CR-{n}", store_hash, "product_price", f"product/{n}",
        {"price": "2"}, {"price": "1"},
    )  # fmt: skip
    node_id = change_requests.file_request(otcs, change)
    if status != "requested":
        change_requests.set_status(otcs, node_id, status)
    return change.id


def test_a_poll_reads_only_the_requests_still_open(ecm: OTCSEmulator) -> None:
    otcs = OTCSClient(ecm.base_url, ecm.username, PASSWORD)
    store_hash = uuid.uuid4().hex[:10]
    statuses = ("published", "refused", "rejected", "cancelled", "approved", "requested")
    ids = [filed(otcs, store_hash, n, status) for n, status in enumerate(statuses, 1)]
    now = datetime.now(UTC)
    assert approved_requests(otcs, store_hash, now) == [ids[4]]
    ecm.reset_counters()
    assert approved_requests(otcs, store_hash, now) == [ids[4]]
    assert ecm.request_counters()[CATEGORY_READ]["count"] == 2
