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
import signal
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
import requests

from pipeline.core.redrive import find_stalled, redrive
from pipeline.flows.cases.assemble import assemble
from pipeline.flows.cases.ecm import settle
from pipeline.integrations.webhooks.config import WebhookConfig
from pipeline.integrations.webhooks.register import register_hooks
from pipeline.records.declare import container_ids
from pipeline.runtime import redis_client, services
from schemas.webhooks import REGISTERED_SCOPES
from tests.commerce_world import World, archived_world, settled
from tests.support import lose_messages, wait_for
from tests.webhooks.support import CLIENT_SECRET, RunningReceiver, signed_headers

pytestmark = pytest.mark.e2e

ORDERS = 6
CASE_SECRET = b"helpdesk-signing-secret"
CASE_WHSEC = "whsec_" + base64.b64encode(CASE_SECRET).decode()
# Text that must never reach a log line.
PRIVATE = "PRIVATE-TEXT-7f3a"
BUYER = {
    **{"first_name": "A", "last_name": "B", "street_1": "Main 1", "city": "Utrecht"},
    **{"zip": "3511", "country": "Netherlands", "country_iso2": "NL", "email": "a@example.com"},
}
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture(scope="module")
def world(redis_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    with (
        archived_world(
            redis_url,
            tmp_path_factory.mktemp("logs"),
            ORDERS,
            seed=5,
            settings={
                "BCRM_FLOWS": "commerce,fulfilment,cases",
                "BCRM_CASES_OPEN_ON_DISPUTE": "true",
                "BCRM_CASES_SIGNING_SECRETS": CASE_WHSEC,
            },
            client_secret=CLIENT_SECRET,
            allow_plain_http_hooks=True,
        ) as archived,
        archived.configured(),
    ):
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
    # The store delivers its order events (status changes, messages) to the receiver.
    register_hooks(world.client, world.store_hash, running.url, REGISTERED_SCOPES, {})
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
    """What the case workspace cross-references (nothing before it exists)."""
    name = f"Case {world.store_hash}-{case_id}"
    workspace = next((n for n in world.ecm.inventory()["nodes"] if n["name"] == name), None)
    xrefs = workspace["xrefs"] if workspace else []
    return {x["xref_id"] for x in xrefs if x["xref_type"] == "CASE_CONTAINS"}


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
    assert set(Counter(n["name"] for n in nodes).values()) == {1}
    # No hold: the case is a return, not a dispute.
    assert not workspace["holds"]


def _order_records(world: World, order_id: int) -> list[Any]:
    return services.archive_index().records_of_subject(world.store_hash, "order", str(order_id))


def _holds(world: World, node_id: int) -> dict[str, bool]:
    return {h.name: h.direct for h in world.otcs.node_holds(node_id)}


def _case_records(world: World, case_id: str, kind: str) -> list[Any]:
    rows = services.archive_index().records_of_subject(world.store_hash, "case", case_id)
    return [r for r in rows if r.kind == kind]


def test_a_held_case_from_the_command_line_until_closed_with_release(world: World) -> None:
    order_id = _archived_orders(world)[1]
    records = _order_records(world, order_id)
    other = world.otcs.ensure_hold("OTHER-MATTER", "LEGAL")
    world.otcs.apply_hold(records[0].ecm_node_id, other)

    opened = world.bcrm(
        "cases", "open", "--store", world.store_hash, "--order", str(order_id),
        "--reason", "complaint", "--subject", "Wrong size", "--hold",
    )  # fmt: skip
    assert opened.returncode == 0, opened.stderr
    case_id = opened.stdout.strip()
    hold = f"CASE-{world.store_hash}-{case_id}"
    wait_for(
        lambda: (
            all(_holds(world, r.ecm_node_id).get(hold) for r in records)
            and _holds(world, _workspace(world, case_id)["id"]).get(hold)
            and settled(world.store_hash)
        ),
        timeout=180,
        what="the case's hold on its order's records",
    )
    case_nodes = _case_nodes(world, case_id)
    assert case_nodes and all(_holds(world, n["id"]) == {hold: False} for n in case_nodes)

    shown = world.bcrm("cases", "show", case_id)
    assert shown.returncode == 0, shown.stderr
    linked = [line for line in shown.stdout.splitlines() if "[link]" in line]
    in_file = [line for line in shown.stdout.splitlines() if "[file]" in line]
    assert len(linked) == len(records) and all(hold in line for line in linked)
    assert in_file and all(f"{hold} (inherited)" in line for line in in_file)
    assert "OTHER-MATTER" in shown.stdout and PRIVATE not in shown.stdout
    trail = world.bcrm("record", "show", records[0].record_key)
    assert (
        f"holds: OTHER-MATTER, {hold}" in trail.stdout
        or f"holds: {hold}, OTHER-MATTER" in trail.stdout
    )

    added = world.bcrm("cases", "add", "--case", case_id, "--message", PRIVATE)
    assert added.returncode == 0, added.stderr
    assert PRIVATE not in added.stdout + added.stderr
    wait_for(
        lambda: (
            len(_case_records(world, case_id, "case_communication_log")) == 2
            and settled(world.store_hash)
        ),
        timeout=120,
        what="a new version of the communication log",
    )
    older, newer = _case_records(world, case_id, "case_communication_log")
    assert newer.supersedes == (older.ecm_node_id,)

    closed = world.bcrm("cases", "close", "--case", case_id, "--release-hold")
    assert closed.returncode == 0, closed.stderr
    wait_for(
        lambda: (
            _case_records(world, case_id, "case_closure")
            and not any(hold in _holds(world, r.ecm_node_id) for r in records)
            and settled(world.store_hash)
        ),
        timeout=180,
        what="the closure and the hold released",
    )
    assert _holds(world, records[0].ecm_node_id) == {"OTHER-MATTER": True}
    assert not _holds(world, _workspace(world, case_id)["id"])
    # A summary of the case while it was open, declared late (a message redelivered after
    # a worker died), settles its stale file: the released hold must not come back.
    index = services.archive_index()
    [closed_state] = index.cases.find(case_id)
    stale_state = replace(closed_state, status="open", closed_at=None, hold_released=False)
    stale = assemble(stale_state, world.client, index)
    assert stale.hold_state == "on hold"
    settle(world.otcs, container_ids(), stale, _workspace(world, case_id)["id"])
    assert not any(hold in _holds(world, r.ecm_node_id) for r in records)
    assert not _holds(world, _workspace(world, case_id)["id"])
    closure = _case_records(world, case_id, "case_closure")[0]
    node = next(n for n in _case_nodes(world, case_id) if n["id"] == closure.ecm_node_id)
    assert node["categories"]["9100"]["values"]
    listed = world.bcrm("cases", "list", "--open")
    assert case_id not in listed.stdout


def test_a_case_before_its_order_is_archived_links_it_when_declared(
    world: World, receiver: str
) -> None:
    product = next(world.client.iter_v3("/catalog/products"))
    placed = world.store.place_order(
        products=[{"product_id": product["id"], "quantity": 1}], billing_address=BUYER
    )
    order_id = int(placed["id"])
    assert not _order_records(world, order_id)
    answer = _post(receiver, _delivery(world, "HD-2002", [order_id], reason="dispute"))
    assert answer.status_code == 202, answer.text
    hold = f"CASE-{world.store_hash}-HD-2002"

    def linked_and_held() -> bool:
        records = _order_records(world, order_id)
        return bool(
            records
            and _manifest_nodes(world, "HD-2002") == {r.ecm_node_id for r in records}
            and all(_holds(world, r.ecm_node_id).get(hold) for r in records)
            and settled(world.store_hash)
        )

    wait_for(linked_and_held, timeout=240, what="the order archived, linked and held")
    workspace = _workspace(world, "HD-2002")
    assert set(Counter((x["xref_type"], x["xref_id"]) for x in workspace["xrefs"]).values()) == {1}
    assert len(workspace["related_workspaces"]) == 1


def test_a_closed_case_links_records_of_its_order_declared_after_it_closed(
    world: World, receiver: str
) -> None:
    """The helpdesk's closing delivery is the first bcrm hears of the case, before it has
    archived the order, and the order is refunded after the case closed: its records, the
    credit note too, are linked all the same (found by `bcrm chaos cases`)."""
    product = next(world.client.iter_v3("/catalog/products"))
    placed = world.store.place_order(
        products=[{"product_id": product["id"], "quantity": 1}], billing_address=BUYER
    )
    order_id = int(placed["id"])
    answer = _post(receiver, _delivery(world, "HD-3003", [order_id], status="closed"))
    assert answer.status_code == 202, answer.text

    def linked(kind: str) -> bool:
        records = _order_records(world, order_id)
        return bool(
            any(r.kind == kind for r in records)
            and _manifest_nodes(world, "HD-3003") == {r.ecm_node_id for r in records}
            and settled(world.store_hash)
        )

    wait_for(lambda: linked("invoice"), timeout=240, what="the closed case linked to its order")
    assert _case_records(world, "HD-3003", "case_closure")
    world.store.refund(order_id, amount=1.0)
    wait_for(lambda: linked("credit_note"), timeout=240, what="the later credit note linked")


def test_an_order_disputed_in_bigcommerce_opens_a_held_case(world: World, receiver: str) -> None:
    """Both events arrive as the store's signed deliveries to the receiver."""
    order_id = _archived_orders(world)[2]
    world.store.set_status(order_id, 13)
    case_id = f"dispute-{order_id}"
    hold = f"CASE-{world.store_hash}-{case_id}"
    wait_for(
        lambda: (
            _case_records(world, case_id, "case_summary")
            and all(_holds(world, r.ecm_node_id).get(hold) for r in _order_records(world, order_id))
            and settled(world.store_hash)
        ),
        timeout=180,
        what="the dispute case and its hold",
    )
    logs = len(_case_records(world, case_id, "case_communication_log"))
    world.store.post_message(order_id, PRIVATE, subject="Chargeback")
    wait_for(
        lambda: (
            len(_case_records(world, case_id, "case_communication_log")) == logs + 1
            and settled(world.store_hash)
        ),
        timeout=180,
        what="the order message in a new version of the log",
    )


@pytest.mark.parametrize(
    ("change", "status", "error"),
    [
        ({"store": "nosuchstore"}, 403, "unknown_store"),
        ({"order_ids": [999999]}, 422, "unknown_order"),
        ({"reason": "whim"}, 422, "invalid_delivery"),
        (
            {"attachments": [{"name": "a.txt", "content_type": "text/plain",
                              "content_base64": "not base64!"}]},
            422,
            "bad_base64",
        ),
        (
            {"attachments": [{"name": "a.txt", "content_type": "text/plain",
                              "content_base64": base64.b64encode(b"x" * 2048).decode()}]},
            413,
            "too_large",
        ),
    ],
)  # fmt: skip
def test_refused_deliveries_name_the_problem(
    world: World, receiver: str, change: dict[str, Any], status: int, error: str
) -> None:
    order_id = _archived_orders(world)[0]
    answer = _post(receiver, {**_delivery(world, "HD-9", [order_id]), **change})
    assert answer.status_code == status, answer.text
    assert answer.json()["error"] == error


def test_unsigned_and_stale_deliveries_are_refused(world: World, receiver: str) -> None:
    payload = _delivery(world, "HD-9", [_archived_orders(world)[0]])
    stale = _post(receiver, payload, timestamp=int(time.time()) - 3600)
    assert stale.status_code == 401 and "stale" in stale.json()["detail"]
    body = json.dumps(payload).encode()
    forged = requests.post(
        receiver,
        data=body,
        headers={"Content-Type": "application/json", **signed_headers(body, key=b"wrong")},
        timeout=30,
    )
    assert forged.status_code == 401
    assert services.archive_index().cases.find("HD-9") == []


def test_message_text_and_attachments_never_reach_the_logs(world: World) -> None:
    logs = sorted(Path(world.fleet.log_dir).glob("*.log"))
    assert logs
    for path in logs:
        text = path.read_text(errors="replace")
        assert PRIVATE not in text, path.name
        assert base64.b64encode(PNG).decode() not in text


def test_an_index_rebuild_from_the_ecm_keeps_the_case_records(world: World) -> None:
    from pipeline.index.rebuild import rebuild

    index = services.archive_index()
    assert index.records_of_subject(world.store_hash, "case", "HD-1001")
    report = rebuild(world.otcs, index, world.store_hash, 2000, dry_run=True)
    assert (report.added, report.removed, report.changed) == ([], [], []), report.to_json()


def test_the_command_line_refuses_in_one_line(world: World, tmp_path: Path) -> None:
    big = tmp_path / "big.txt"
    big.write_bytes(b"x" * (6 * 1024 * 1024))
    order = str(_archived_orders(world)[0])
    refusals = {
        ("cases", "open", "--store", "nosuchstore", "--order", order, "--reason", "return"): (
            "store nosuchstore is not in BCRM_BIGCOMMERCE_STORES"
        ),
        ("cases", "open", "--store", world.store_hash, "--order", "999999", "--reason", "return"): (
            f"order 999999 is not in store {world.store_hash}"
        ),
        ("cases", "add", "--case", "NO-SUCH-CASE", "--message", "hello"): "no case NO-SUCH-CASE",
        ("cases", "add", "--case", "HD-1001", "--attach", str(big)): (
            "over BCRM_CASE_MAX_ATTACHMENT_BYTES"
        ),
        ("cases", "show", "NO-SUCH-CASE"): "no case NO-SUCH-CASE",
    }
    for args, message in refusals.items():
        result = world.bcrm(*args)
        assert result.returncode == 2, (args, result.stderr)
        assert result.stderr.startswith("bcrm: ") and message in result.stderr, result.stderr
        assert len(result.stderr.strip().splitlines()) == 1, result.stderr


def test_a_held_case_whose_fetch_message_was_lost_is_filed_and_held_once(
    world: World, receiver: str
) -> None:
    """Issue 20: `/cases` owes the case's fetch in the ledger before it sends the message;
    lost from its queue before any worker took it, re-drive sends it again, and the hold
    the case's summary applies lands once on each of its order's records."""
    io_nodes = [w for w in world.fleet.workers if w.group == "io"]
    for node in io_nodes:  # nothing fetches until the message is lost
        world.fleet.kill(node, signal.SIGTERM)
    try:
        order_id = _archived_orders(world)[1]
        answer = _post(receiver, _delivery(world, "HD-4004", [order_id], reason="dispute"))
        assert answer.status_code == 202, answer.text
        ledger, client = services.ledger(), redis_client()
        assert lose_messages(client, "fetch", "HD-4004") == 1
        stalled = [s for s in find_stalled(ledger, client, 0) if "HD-4004" in s.record_key]
        assert len(stalled) == 1 and redrive(stalled) == 1
    finally:
        for _ in io_nodes:
            world.fleet.start_group("io")
        world.fleet.wait_ready()
    hold = f"CASE-{world.store_hash}-HD-4004"
    records = _order_records(world, order_id)

    def held() -> bool:
        return bool(
            _case_nodes(world, "HD-4004")
            and all(_holds(world, r.ecm_node_id).get(hold) for r in records)
            and settled(world.store_hash)
        )

    wait_for(held, timeout=240, what="the re-driven case filed and its hold applied")
    assert records
    for record in records:
        names = [h.name for h in world.otcs.node_holds(record.ecm_node_id)]
        assert names.count(hold) == 1
    names = [n["name"] for n in _case_nodes(world, "HD-4004")]
    assert _names(_case_nodes(world, "HD-4004"), "case-HD-4004-summary")
    assert len(names) == len(set(names))  # each version of each document filed once
