"""A decided recall's storefront takedown, as change requests of the publish stage (flow
3): one `product_takedown` per affected product and per affected variant, filed and
approved by bcrm's service account on the recall's authority (like a revert of an
unapproved change, `approvals.reverting`), published, read back and verified by the same
stage, its receipt filed like every publish receipt.

- A whole product (`variant_id` 0) goes off sale with `availability` `disabled` and
  `is_visible` false: disabled stops it being bought, invisible takes it off listings
  and search (reference bigcommerce-api.md §6; flows-2-3-4-6-7.md flow 6).
- A variant gets `purchasing_disabled` true with the recall's message in
  `purchasing_disabled_message`, which BigCommerce caps at 255 characters (§6).

The id derives from the store, the recall, its decision and the target (`<store>-CR-T<10
hex>`: not a number, so makers' numbering skips it): one unit in the ledger and one
workspace in the ECM however often a look owes it. Its before-state is read live when
the publish stage files it (the look itself reads only the archive index); already off
sale, the stage adopts. The look (`owe_takedowns`, beat's
`bcrm.control.recall_takedowns`) owes the takedown of every item of an open recall that
has a decision and whose unit has not finished; the stage refuses, with a refusal
record, one the recall does not authorise (`takedown_authority`).

The receipt is filed where every publish receipt is: in the takedown's change request
workspace, cross-referenced to its request document (`approvals.flow`), not in the
recall's workspace. It is the publish stage's one receipt per change request, with the
record key and ECM name that make it exactly once; and the recall's workspace is flow
6's to file, from the ECM poller or `bcrm recalls open`, so a takedown never waits for it.
The recall's file reaches its receipts by their ids (`takedown_id` of the recall and
each item), which its status report and closeout list.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from datetime import UTC
from typing import Any

from pipeline.core.canvas import OwedUnit, send_owed
from pipeline.flows.approvals import change_requests
from pipeline.flows.approvals.change_request import ChangeRequest
from pipeline.flows.approvals.policy import policy
from pipeline.flows.approvals.producer import FLOW, PUBLISH_TASK, publish_key
from pipeline.flows.approvals.targets import target_of
from pipeline.index.recalls import OPEN, PRODUCT_ITSELF, Recall, RecalledItem, Recalls
from pipeline.integrations.bigcommerce.client import BigCommerceClient
from pipeline.integrations.bigcommerce.errors import NotFound
from pipeline.integrations.otcs.client import OTCSClient
from pipeline.runtime import services

CHANGE_TYPE = "product_takedown"
TAKEDOWN_MARK = "-CR-T"
REASON_PREFIX = "takedown for recall "
MESSAGE_LIMIT = 255  # purchasing_disabled_message, reference bigcommerce-api.md §6


def target_of_item(item: RecalledItem) -> str:
    """How a change request names the item (`product/12`, `product/12/variant/40`)."""
    if item.variant_id == PRODUCT_ITSELF:
        return f"product/{item.product_id}"
    return f"product/{item.product_id}/variant/{item.variant_id}"


def decision_of(recall: Recall) -> str:
    """The decision a takedown stands on, as its id spells it: the decision's moment in
    UTC, whole seconds (what both the ECM and the index keep of it)."""
    if recall.decided_at is None:
        return ""
    moment = recall.decided_at
    moment = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    return moment.isoformat(timespec="seconds")


def takedown_id(recall: Recall, item: RecalledItem) -> str:
    """`<store>-CR-T<10 hex>` of the store, the recall, its decision and the target: one
    per item and decision, so a recall decided again (a refusal for separation of duties
    put right by another person's decision) owes a takedown of its own."""
    facts = (recall.store_hash, recall.recall_id, decision_of(recall), target_of_item(item))
    digest = hashlib.sha256("\0".join(facts).encode()).hexdigest()
    return f"{recall.store_hash}{TAKEDOWN_MARK}{digest[:10]}"


def takedown_key(recall: Recall, item: RecalledItem) -> str:
    """The ledger key of the item's takedown (its publish unit)."""
    return publish_key(recall.store_hash, takedown_id(recall, item))


def recall_message(recall: Recall) -> str:
    """What a shopper sees on a purchasing-disabled variant."""
    text = f"Recalled ({recall.recall_id}): {recall.hazard}. {recall.remedy}"
    return text if len(text) <= MESSAGE_LIMIT else text[: MESSAGE_LIMIT - 1] + "…"


def after_state(recall: Recall, item: RecalledItem) -> dict[str, Any]:
    if item.variant_id == PRODUCT_ITSELF:
        return {"availability": "disabled", "is_visible": False}
    return {"purchasing_disabled": True, "purchasing_disabled_message": recall_message(recall)}


def is_takedown(change: ChangeRequest) -> bool:
    return (
        TAKEDOWN_MARK in change.id
        and change.change_type == CHANGE_TYPE
        and change.reason.startswith(REASON_PREFIX)
    )


def recall_id_of(change: ChangeRequest) -> str:
    """The recall a takedown is for (named in its reason)."""
    return change.reason.removeprefix(REASON_PREFIX)


def takedown_unit(recall: Recall, item: RecalledItem) -> OwedUnit:
    """The publish unit of one item's takedown; its message carries what the stage needs
    to file the request first."""
    target, change_id = target_of_item(item), takedown_id(recall, item)
    key = publish_key(recall.store_hash, change_id)
    ref = {
        "record_key": key,
        "flow": FLOW,
        "store_hash": recall.store_hash,
        "change_request": change_id,
        "takedown": {
            "recall_id": recall.recall_id,
            "target": target,
            "after": after_state(recall, item),
        },
    }
    return OwedUnit(key, FLOW, PUBLISH_TASK, [ref])


def owed_units(recalls: Recalls, store_hash: str) -> list[OwedUnit]:
    """The takedowns of the store's open, decided recalls whose publish has not finished."""
    units = [
        takedown_unit(recall, item)
        for recall in recalls.listed(store_hash, decision=OPEN)
        if recall.decided_at is not None
        for item in recalls.items(store_hash, recall.recall_id)
    ]
    states = services.ledger().get_many([unit.record_key for unit in units])
    return [unit for unit, state in zip(units, states, strict=True) if "done:publish" not in state]


def owe_takedowns(recalls: Recalls, store_hash: str) -> int:
    """Owe (and send) every takedown still due; how many. Owing one already in flight
    again is harmless: the stage holds a lock per change request and ends at its status."""
    units = owed_units(recalls, store_hash)
    send_owed(units)
    return len(units)


def file_takedown(
    otcs: OTCSClient,
    bigcommerce: BigCommerceClient,
    store_hash: str,
    change_id: str,
    owed: Mapping[str, Any],
) -> str | None:
    """File the takedown's change request as the service account, with the before-state
    read live now; an earlier try's filing stands as filed (and is completed when it
    filed part of it: `file_system_request`). Returns why there is nothing to take down
    when the product or variant is gone from the store (deleted: not on sale, and a
    refusal record says so, rather than a dead letter every time the look owes it)."""
    recall_id, target, after = str(owed["recall_id"]), str(owed["target"]), dict(owed["after"])
    draft = ChangeRequest(change_id, store_hash, CHANGE_TYPE, target, after, None)
    try:
        before, gone = target_of(draft).read(bigcommerce, draft), None
    except NotFound:
        before, gone = None, f"{target} is not in the store (deleted): nothing to take down"
    request = ChangeRequest(
        change_id, store_hash, CHANGE_TYPE, target, after, before, f"{REASON_PREFIX}{recall_id}"
    )
    valid_days = policy().of(CHANGE_TYPE).valid_days
    note = f"approved by the decision of recall {recall_id}"
    change_requests.file_system_request(otcs, request, valid_days, note)
    return gone
