"""Issue 13's "done when": orders placed before, between and after edits of the terms
page, through the store's API, against the running pipeline; `bcrm disclosures as-of`
names for each the version that was live, exactly, and the ECM holds each version once,
linked SUPERSEDES, and each order's receipt citing it."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from pipeline.flows.disclosures.look import channel_ids
from pipeline.ops.reconcile import ReconcileReport, reconcile
from pipeline.runtime import services
from tests.disclosures.world import DisclosuresWorld, after, disclosures_world, sha256

pytestmark = pytest.mark.e2e

TEXTS = (
    "<h1>Terms</h1><p>Version A: returns within 14 days.</p>",
    "<h1>Terms</h1><p>Version B: returns within 30 days.</p><script>alert(1)</script>",
    "<h1>Terms</h1><p>Version C: returns within 60 days.</p>",
)


@pytest.fixture(scope="module")
def world(redis_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    with disclosures_world(redis_url, tmp_path_factory.mktemp("logs")) as world:
        yield world


@pytest.fixture(scope="module")
def story(world: DisclosuresWorld) -> dict[str, Any]:
    """Terms A, order 1, edit to B, order 2, edit to C, order 3, each order between two
    looks of one version; then the orders are archived, their evidence settled."""
    page = next(p for p in world.client.iter_v3("/content/pages") if "terms" in p["url"])
    orders = []
    for text in TEXTS:
        world.edit_page(page["id"], text)
        after(world.look())
        orders.append(world.place_order())
        placed = time.time()
        after(placed)
        world.look()
    after(placed, 31)  # a receipt's evidence settles 30 s after its order
    world.look()
    world.archive_orders()
    return {"page": page["id"], "orders": orders}


def _terms(answer: dict[str, Any], page_id: int) -> dict[str, Any]:
    return next(
        d for d in answer["disclosures"] if (d["kind"], d["subject"]) == ("page", str(page_id))
    )


def test_each_order_names_the_terms_live_when_it_was_placed(
    world: DisclosuresWorld, story: dict[str, Any]
) -> None:
    for order_id, text in zip(story["orders"], TEXTS, strict=True):
        answer = world.as_of_order(order_id)
        assert answer["store"] == world.store_hash and answer["order_id"] == order_id
        terms = _terms(answer, story["page"])
        history = world.bcrm("disclosures", "history", "--store", world.store_hash).stdout
        assert terms["state"] == "exact", (order_id, terms, answer["at"], history)
        [version] = terms["versions"]
        assert version["content_sha256"] == sha256(text)
        assert version["ecm_node_id"] is not None
        assert {d["kind"] for d in answer["disclosures"]} == {"page", "checkout_terms", "privacy"}


def test_every_version_is_filed_once_and_supersedes_the_one_before(
    world: DisclosuresWorld, story: dict[str, Any]
) -> None:
    nodes = world.ecm.inventory()["nodes"]
    versions = [
        n
        for n in nodes
        if n["type"] == 144 and n["name"].startswith(f"disclosure-page-{story['page']}-")
    ]
    names = [n["name"] for n in versions]
    assert (
        len(names) == len(set(names)) == len(TEXTS)
    )  # A, B and C: the seeded text was never live at a look
    assert all("Storefront Disclosures" in n["path"] for n in versions)
    assert any(x["xref_type"] == "SUPERSEDES" for n in versions for x in n["xrefs"])


def test_each_order_has_one_receipt_citing_the_versions(
    world: DisclosuresWorld, story: dict[str, Any]
) -> None:
    nodes = {n["id"]: n for n in world.ecm.inventory()["nodes"]}
    for order_id in story["orders"]:
        receipts = [
            n for n in nodes.values()
            if n["name"].startswith(f"order-{order_id}-disclosure-receipt-")
        ]  # fmt: skip
        assert len(receipts) == 1
        cited = {x["xref_id"] for x in receipts[0]["xrefs"] if x["xref_type"] == "CITES_DISCLOSURE"}
        answer = world.as_of_order(order_id)
        named = {v["ecm_node_id"] for d in answer["disclosures"] for v in d["versions"]}
        assert cited == named


def test_history_and_diff_read_the_index(world: DisclosuresWorld, story: dict[str, Any]) -> None:
    done = world.bcrm("disclosures", "history", "--store", world.store_hash,
                      "--kind", "page", "--subject", str(story["page"]), "--json")  # fmt: skip
    assert done.returncode == 0, done.stderr
    nodes: dict[str, int] = {}
    for row in json.loads(done.stdout):
        nodes.setdefault(row["content_sha256"], row["ecm_node_id"])
    assert list(nodes) == [sha256(text) for text in TEXTS]
    diff = world.bcrm(
        "disclosures", "diff", str(nodes[sha256(TEXTS[0])]), str(nodes[sha256(TEXTS[2])])
    )
    assert diff.returncode == 0, diff.stderr
    assert "-<h1>Terms</h1><p>Version A" in diff.stdout
    assert "+<h1>Terms</h1><p>Version C" in diff.stdout


def _reconcile(world: DisclosuresWorld) -> ReconcileReport:
    with world.configured():
        until = datetime.now(UTC) + timedelta(minutes=1)
        return reconcile(world.otcs, services.ledger(), world.store_hash, until, until)


def test_reconciliation_checks_every_version_the_store_showed_once(
    world: DisclosuresWorld, story: dict[str, Any]
) -> None:
    """Last in this module: it removes a version from the ECM. The window is empty, yet
    every channel's texts now and every version seen once are checked."""
    unseen = _reconcile(world)
    channels = channel_ids(world.client)
    assert len(channels) > 1
    assert {f.subject for f in unseen.lost} == {f"disclosures:{c}" for c in channels if c != 1}, (
        unseen.to_json()
    )  # only channel 1 was looked at: the others' texts are owed
    for channel in channels:
        world.look(channel)

    clean = _reconcile(world)
    assert clean.ok and not (clean.missing or clean.extra), clean.to_json()
    assert clean.verified == clean.due_documents
    terms = f"disclosure-page-{story['page']}-"
    versions = [n for n in world.ecm.inventory()["nodes"]
                if n["type"] == 144 and n["name"].startswith(terms)]  # fmt: skip
    assert len(versions) == len(TEXTS)

    workspace = versions[0]["parent_id"]
    stray = world.otcs.create_document(workspace, "scanned-terms.pdf", b"%PDF-1.7",
                                       "application/pdf").id  # fmt: skip
    with_stray = _reconcile(world)
    world.otcs.delete_node(stray)
    assert [f.path.split("/")[-1] for f in with_stray.extra] == ["scanned-terms.pdf"]

    current = max(versions, key=lambda n: n["id"])
    replaced = next(n for n in versions if n is not current)
    repo = world.ecm.state.repo
    repo.discard(repo.get(replaced["id"]))  # an ECM that lost a version the store replaced
    lost = _reconcile(world)
    assert not lost.ok
    [finding] = lost.missing
    assert finding.path.endswith(replaced["name"]) and not finding.refetchable
    assert "no longer shows" in finding.detail
    assert lost.lost == []  # a re-fetch cannot bring it back: it waits for a person
