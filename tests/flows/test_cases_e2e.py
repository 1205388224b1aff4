"""Customer-service case files end to end: both emulators, the session's Redis, real
worker processes, the webhook receiver on a loopback port and `bcrm cases` as an
operator runs it.

A helpdesk delivery through the signed `/cases` endpoint and a case opened on the command
line must each end as one Customer Case workspace related to its orders' workspaces,
holding a summary, a communication log and the attachments, linked to (not copying) the
orders' records, under legal hold when asked, and closed with a closure record.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest
import requests

from pipeline.integrations.webhooks.config import WebhookConfig
from pipeline.runtime import services
from tests.commerce_world import World, archived_world, settled
from tests.support import wait_for
from tests.webhooks.support import CLIENT_SECRET, RunningReceiver, signed_headers

pytestmark = pytest.mark.e2e

ORDERS = 6
CASE_SECRET = b"helpdesk-signing-secret"
CASE_WHSEC = "whsec_" + base64.b64encode(CASE_SECRET).decode()
# Text that must never reach a log line.
PRIVATE = "PRIVATE-TEXT-7f3a"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture(scope="module")
def world(redis_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    with archived_world(redis_url, tmp_path_factory.mktemp("logs"), ORDERS, seed=5) as archived:
        archived.env["BCRM_CASES_SIGNING_SECRETS"] = CASE_WHSEC
        with archived.configured():
            yield archived


@pytest.fixture(scope="module")
def receiver(world: World, redis_url: str) -> Iterator[str]:
    config = WebhookConfig(
        signing_keys=(CLIENT_SECRET.encode(),),
        stores=frozenset({world.store_hash}),
        case_signing_keys=(CASE_SECRET,),
        case_max_attachment_bytes=1024,
    )
    running = RunningReceiver(config, redis_url)
    try:
        yield running.url.rsplit("/webhooks/", 1)[0] + "/cases"
    finally:
        running.close()


def _delivery(world: World, case_id: str, order_ids: list[int], **extra: Any) -> dict[str, Any]:
    return {
        "case_id": case_id,
        "store": world.store_hash,
        "order_ids": order_ids,
        "opened_at": "2026-11-30T09:00:00+00:00",
        "reason": "return",
        "subject": "Parcel arrived damaged",
        "status": "open",
        **extra,
    }


def _post(url: str, payload: dict[str, Any], **sign: Any) -> requests.Response:
    body = json.dumps(payload).encode()
    headers = {"Content-Type": "application/json", **signed_headers(body, key=CASE_SECRET, **sign)}
    return requests.post(url, data=body, headers=headers, timeout=30)


def _archived_orders(world: World) -> list[int]:
    return sorted(
        {
            int(n["path"].split(f"Order {world.store_hash}-")[1].split("/")[0])
            for n in world.documents()
        }
    )


def _case_nodes(world: World, case_id: str) -> list[dict[str, Any]]:
    marker = f"Case {world.store_hash}-{case_id}/"
    return [n for n in world.ecm.inventory()["nodes"] if n["type"] == 144 and marker in n["path"]]


def _workspace(world: World, case_id: str) -> dict[str, Any]:
    name = f"Case {world.store_hash}-{case_id}"
    return next(n for n in world.ecm.inventory()["nodes"] if n["name"] == name)


def _names(nodes: list[dict[str, Any]], stem: str) -> list[str]:
    return sorted(n["name"] for n in nodes if n["name"].startswith(stem))


def _case_settled(world: World, case_id: str, wanted: dict[str, int]) -> bool:
    nodes = _case_nodes(world, case_id)
    counts = Counter(n["name"].rsplit("-", 1)[0] for n in nodes)
    done = all(counts[stem] >= n for stem, n in wanted.items())
    return done and settled(world.store_hash)


def _manifest_nodes(world: World, case_id: str) -> set[int]:
    workspace = _workspace(world, case_id)
    return {x["xref_id"] for x in workspace["xrefs"] if x["xref_type"] == "CASE_CONTAINS"}


def test_a_signed_delivery_files_a_case_linked_to_its_order(world: World, receiver: str) -> None:
    order_id = _archived_orders(world)[0]
    payload = _delivery(
        world,
        "HD-1001",
        [order_id],
        messages=[
            {"id": "m1", "author_role": "customer", "at": "2026-11-30T09:00:00Z", "text": PRIVATE},
            {"id": "m2", "author_role": "agent", "at": "2026-11-30T09:05:00Z", "text": "Sorry!"},
        ],
        attachments=[
            {"name": "photo.png", "content_type": "image/png",
             "content_base64": base64.b64encode(PNG).decode()},
            {"name": "tool.exe", "content_type": "application/x-msdownload",
             "content_base64": base64.b64encode(b"MZ" + PRIVATE.encode()).decode()},
        ],
    )  # fmt: skip
    answer = _post(receiver, payload)
    assert answer.status_code == 202, answer.text
    assert answer.json() == {"status": "accepted", "case_id": "HD-1001"}
    again = _post(receiver, payload)  # the helpdesk retries the same body
    assert again.status_code == 202 and again.json()["status"] == "duplicate"

    wanted = {
        "case-HD-1001-summary": 1,
        "case-HD-1001-communication-log": 1,
        "case-HD-1001-attachment-1": 1,
        "case-HD-1001-attachment-2": 1,
    }
    wait_for(lambda: _case_settled(world, "HD-1001", wanted), timeout=180, what="the case filed")
    order_nodes = {
        r.ecm_node_id
        for r in services.archive_index().records_of_subject(
            world.store_hash, "order", str(order_id)
        )
    }
    wait_for(
        lambda: _manifest_nodes(world, "HD-1001") == order_nodes and settled(world.store_hash),
        timeout=120,
        what="the order's records linked to the case",
    )
    nodes = _case_nodes(world, "HD-1001")
    kept = [n for n in nodes if n["name"].startswith("case-HD-1001-attachment-1-")]
    assert len(kept) == 1 and kept[0]["name"].endswith(".png")
    assert kept[0]["versions"][0]["mime_type"] == "image/png"
    assert kept[0]["sha256"] == hashlib.sha256(PNG).hexdigest()
    refused = [n for n in nodes if n["name"].startswith("case-HD-1001-attachment-2-")]
    assert len(refused) == 1 and refused[0]["name"].endswith(".pdf")
    assert all(n["classification"]["official"] for n in nodes)
    # Linked, not copied: no order record's bytes are filed in the case workspace.
    order_hashes = {n["sha256"] for n in world.documents()}
    assert not order_hashes & {n["sha256"] for n in nodes}
    workspace = _workspace(world, "HD-1001")
    order_workspace = next(
        n
        for n in world.ecm.inventory()["nodes"]
        if n["name"] == f"Order {world.store_hash}-{order_id}"
    )
    assert workspace["related_workspaces"] == [
        {"rel_bw_id": order_workspace["id"], "rel_type": "parent"}
    ]
    assert all(Counter(n["name"] for n in nodes).values())
    # No hold: the case is a return, not a dispute.
    assert not workspace["holds"]
