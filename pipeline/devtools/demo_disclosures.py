"""The demo's disclosures part: staff edit the storefront's terms page between two live
orders, and `bcrm disclosures as-of` must name, for each order, the text live when it was
placed, exactly, and the two answers must differ.

"Exactly" takes evidence, and the demo waits for it instead of sleeping: a look of the
channel by a watched pipeline (the store's change webhooks registered and running for a
minute, since BigCommerce says a new hook can take that long to start) before each order
and one after it. Order times are whole seconds of the store's clock and looks ours, so
each order is placed clearly after the look before it (`CLEAR_S`).
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pipeline.devtools.settling import wait_until
from pipeline.flows.disclosures.asof import order_answer
from pipeline.flows.disclosures.evidence import CLOCK_TOLERANCE, EXACT
from pipeline.flows.disclosures.index import disclosure_index
from pipeline.integrations.bigcommerce.client import BigCommerceClient
from schemas.disclosures import PAGE

CHANNEL = 1
# An order's time is truncated to the second, the store's and our clock may differ a
# little: how far apart an order and the look next to it are kept.
CLEAR_S = 1.5
# An edit must also be clearly after the last look that saw the text before it: the
# change webhook's time is a whole second of the store's clock, and the as-of rule cannot
# order a change within `CLOCK_TOLERANCE` of a look against it (the run would not count
# as continuous, and the first order's answer would be ambiguous).
EDIT_CLEAR_S = CLEAR_S + CLOCK_TOLERANCE.total_seconds()
EDITED_TERMS = (
    "<h1>Terms and conditions</h1>\n"
    "<p>From today you may return any item within <strong>60 days</strong> of delivery "
    "(was 30 days).</p>\n"
    "<ul><li>Refunds within 14 days of the return arriving.</li>"
    "<li>Return shipping is free within the EU.</li></ul>\n"
)


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


@dataclass(frozen=True)
class TermsEdit:
    """The terms page edited between two orders, and the text each order was placed under."""

    page_id: int
    page_name: str
    before_order: int
    after_order: int
    text_before: str
    text_after: str


def terms_page(client: BigCommerceClient) -> dict[str, Any]:
    """The main storefront's terms page (its URL names it, as merchants' do)."""
    return next(p for p in client.iter_pages(CHANNEL) if "terms" in str(p.get("url")))


def _newest_run_of(store_hash: str, page_id: int) -> tuple[str, datetime, bool] | None:
    """(fingerprint, first seen, watched) of the page's newest run of sightings."""
    runs = disclosure_index().evidence(store_hash, PAGE, str(page_id)).runs
    if not runs:
        return None
    run = max(runs, key=lambda r: r.first_seen)
    return run.fingerprint, run.first_seen, run.watched


def _last_look(store_hash: str) -> float:
    looks = disclosure_index().channel_looks(store_hash, CHANNEL)
    return looks[1].timestamp() if looks else 0.0


def _looked_after(store_hash: str, moment: float, deadline: float) -> None:
    wait_until(lambda: _last_look(store_hash) > moment + CLEAR_S, deadline, "a look at the terms")


def edit_terms_between_orders(
    store_hash: str,
    client: BigCommerceClient,
    place_order: Callable[[], int],
    deadline: float,
    announce: Callable[[str], None],
) -> TermsEdit:
    """Order, edit the terms through the store's API (`PUT /v3/content/pages/{id}`),
    order again, each step once the pipeline has looked."""
    page = terms_page(client)
    page_id = int(page["id"])
    announce("Waiting until bcrm watches the terms page (a new webhook may take a minute)")
    wait_until(
        lambda: (_newest_run_of(store_hash, page_id) or ("", None, False))[2],
        deadline,
        "a watched look at the terms page",
    )
    wait_until(lambda: time.time() > _last_look(store_hash) + CLEAR_S, deadline, "the clock")
    before_order = place_order()
    _looked_after(store_hash, time.time(), deadline)
    wait_until(lambda: time.time() > _last_look(store_hash) + EDIT_CLEAR_S, deadline, "the clock")
    before = _newest_run_of(store_hash, page_id)
    client.request("PUT", f"/v3/content/pages/{page_id}", body={"body": EDITED_TERMS})
    announce(f"Staff edited the page {page['name']!r} through the store's API")

    def edit_seen() -> bool:
        newest = _newest_run_of(store_hash, page_id)
        return newest is not None and before is not None and newest[0] != before[0]

    wait_until(edit_seen, deadline, "a look that sees the edited terms")
    wait_until(lambda: time.time() > _last_look(store_hash) + CLEAR_S, deadline, "the clock")
    after_order = place_order()
    _looked_after(store_hash, time.time(), deadline)
    return TermsEdit(
        page_id, str(page["name"]), before_order, after_order, str(page["body"]), EDITED_TERMS
    )


def _terms_answer(store_hash: str, order_id: int, page_id: int) -> dict[str, Any]:
    """What `bcrm disclosures as-of --order N` says of the terms page, with the order."""
    answer = order_answer(disclosure_index(), store_hash, order_id)
    terms = next(
        d for d in answer["disclosures"] if (d["kind"], d["subject"]) == (PAGE, str(page_id))
    )
    versions = terms["versions"]
    return {
        "order_id": order_id,
        "state": terms["state"],
        "content_sha256": [v["content_sha256"] for v in versions],
        "ecm_node_id": [v["ecm_node_id"] for v in versions],
    }


def as_of_figures(store_hash: str, edit: TermsEdit) -> dict[str, Any]:
    """Each order's answer for the terms page, and how many name exactly the text that
    was live when it was placed (both, and the two differ, or the demo failed)."""
    answers = [
        _terms_answer(store_hash, edit.before_order, edit.page_id),
        _terms_answer(store_hash, edit.after_order, edit.page_id),
    ]
    truths = (sha256(edit.text_before), sha256(edit.text_after))
    passed = sum(
        a["state"] == EXACT and a["content_sha256"] == [truth]
        for a, truth in zip(answers, truths, strict=True)
    )
    return {
        "terms_page": edit.page_name,
        "as_of": answers,
        "as_of_checks": len(answers),
        "as_of_checks_passed": passed,
    }
