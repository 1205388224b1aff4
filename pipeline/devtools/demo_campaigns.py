"""The demo's campaigns part (flow 7, issue 17 §8), with the approvals part's maker and
approver (the approver is in the Marketing Approvers group `approvals.toml` names):

- the maker files a campaign for a promotion created disabled (20 % off a product,
  shipping to DE), the approver approves it, and bcrm's look enables the promotion at the
  campaign's start through the publish stage, with its receipt;
- the enabled version lowers prices in DE: its prior-price evidence is filed (the demo's
  store has only minutes of price history, so it says so rather than state a prior price);
- a second promotion appears in the control panel with no approval: caught
  (`unapproved_live`, `created_outside_workflow`);
- the approved promotion is widened to 30 %: caught (`above_max_discount`,
  `changed_after_approval`);
- a shopper uses it, the order is archived, the maker closes the campaign: its closeout
  counts that order and the promotion's final use counter.

The demo waits for each outcome instead of sleeping, then counts what the ECM holds:
its figures are the report's `flows.campaigns`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from pipeline.devtools.approvals_staff import ApprovalsStaff
from pipeline.devtools.demo_sandbox import Sandbox
from pipeline.devtools.settling import wait_until
from pipeline.flows.campaigns import memory, workspace
from pipeline.flows.campaigns.checks import (
    ABOVE_MAX_DISCOUNT,
    CHANGED_AFTER_APPROVAL,
    CREATED_OUTSIDE_WORKFLOW,
    UNAPPROVED_LIVE,
)
from pipeline.flows.campaigns.items import CampaignException, Closeout, PriceEvidence
from pipeline.flows.campaigns.look import LOOK
from pipeline.flows.campaigns.offers import read_promotion
from pipeline.flows.campaigns.prices.usage import CampaignUsage
from pipeline.flows.commerce.pollers import poll_runs_key
from pipeline.index.discounts import OrderDiscounts
from pipeline.index.prices import PriceHistory
from pipeline.runtime import clients, redis_client, services

# The shopper who uses the promotion, in DE where it applies.
BUYER = {
    "first_name": "Jörg",
    "last_name": "Weiß",
    "street_1": "Unter den Linden 1",
    "city": "Berlin",
    "zip": "10117",
    "country": "Germany",
    "country_iso2": "DE",
    "email": "joerg@example.com",
}
CAUGHT = (UNAPPROVED_LIVE, CREATED_OUTSIDE_WORKFLOW, ABOVE_MAX_DISCOUNT, CHANGED_AFTER_APPROVAL)
FOLDERS = {
    "promotion_versions": "Promotion Versions",
    "exception_records": "Exceptions",
    "evidence": "Prior-Price Evidence",
    "closeouts": "Closeout",
}


def _rules(percent: str, product_id: int) -> list[dict[str, Any]]:
    return [
        {
            "action": {
                "cart_items": {
                    "discount": {"percentage_amount": percent},
                    "items": {"products": [product_id]},
                }
            }
        }
    ]


def _caught(store_hash: str, subject: str, checks: set[str]) -> bool:
    found = {
        i.check
        for i in memory.every_item(redis_client(), store_hash)
        if isinstance(i, CampaignException) and i.subject == subject
    }
    return checks <= found


def _filed(store_hash: str) -> bool:
    """Every record flow 7 owes is declared."""
    return not memory.pending(redis_client(), store_hash)


def _item(store_hash: str, kind: type, test: Callable[[Any], bool]) -> Any:
    return next(
        (
            i
            for i in memory.every_item(redis_client(), store_hash)
            if isinstance(i, kind) and test(i)
        ),
        None,
    )


def _figures(sandbox: Sandbox, store_hash: str) -> dict[str, Any]:
    """What the ECM holds of flow 7 for the store (its campaigns' and the unlinked
    promotions' workspaces), and the exceptions by check."""
    nodes = sandbox.admin("otcs", "GET", "/inventory")["nodes"]
    homes = (f"Campaign {store_hash}-CMP-", f"Unlinked Promotions {store_hash}")

    def count(folder: str) -> int:
        return sum(
            1 for n in nodes if any(h in n["path"] for h in homes) and f"/{folder}/" in n["path"]
        )

    exceptions = Counter(
        i.check
        for i in memory.every_item(redis_client(), store_hash)
        if isinstance(i, CampaignException)
    )
    figures: dict[str, Any] = {name: count(folder) for name, folder in FOLDERS.items()}
    return {**figures, "exceptions": dict(sorted(exceptions.items()))}


def run_campaigns(
    sandbox: Sandbox, staff: ApprovalsStaff, deadline: float, announce: Callable[[str], None]
) -> dict[str, Any]:
    """The part, start to end; its figures, what it did and how many checks held."""
    store = sandbox.store_hash
    bigcommerce = clients.bigcommerce(store)
    maker, approver = staff.maker.otcs, staff.approver.otcs
    history = PriceHistory(services.archive_index().engine)
    wait_until(
        lambda: (
            int(redis_client().get(poll_runs_key(store, LOOK)) or 0) > 0
            and history.observation(store) is not None
        ),
        deadline,
        "bcrm's first look at the promotions and first read of the prices",
    )
    product_id = int(next(bigcommerce.iter_v3("/catalog/products", {"limit": 5}))["id"])
    now = datetime.now(UTC)
    created = bigcommerce.request(
        "POST",
        "/v3/promotions",
        body={
            "name": "Autumn DE",
            "redemption_type": "AUTOMATIC",
            "status": "DISABLED",
            "rules": _rules("20", product_id),
            "shipping_address": {"countries": [{"iso2_country_code": "DE"}]},
            "start_date": (now - timedelta(minutes=1)).isoformat(timespec="seconds"),
            "end_date": (now + timedelta(days=7)).isoformat(timespec="seconds"),
        },
    )["data"]
    promotion_id = int(created["id"])
    subject = f"promotion/{promotion_id}"
    scope = workspace.Scope(
        store,
        workspace.next_campaign_id(maker, store),
        "Autumn DE",
        (now - timedelta(hours=1)).isoformat(timespec="seconds"),
        (now + timedelta(days=7)).isoformat(timespec="seconds"),
        promotions={subject: read_promotion(bigcommerce, promotion_id).approval_fingerprint},
        countries=("DE",),
        max_discount_percent="25",
    )
    workspace.file_campaign(maker, scope)
    workspace.decide(approver, store, scope.campaign_id, approve=True)
    wait_until(
        lambda: (
            bigcommerce.get_v3(f"/promotions/{promotion_id}")["status"] == "ENABLED"
            and _item(store, PriceEvidence, lambda e: e.subject == subject) is not None
            and _filed(store)
        ),
        deadline,
        "the campaign's promotion published and its prior-price evidence filed",
    )
    rogue = sandbox.admin(
        "bigcommerce",
        "POST",
        "/promotions",
        {
            "name": "Flash 40",
            "redemption_type": "AUTOMATIC",
            "rules": _rules("40", product_id),
            "created_from": "react_ui",
        },
    )
    rogue_subject = f"promotion/{rogue['id']}"
    bigcommerce.request(
        "PUT", f"/v3/promotions/{promotion_id}", body={"rules": _rules("30", product_id)}
    )
    wait_until(
        lambda: (
            _caught(store, rogue_subject, {UNAPPROVED_LIVE, CREATED_OUTSIDE_WORKFLOW})
            and _caught(store, subject, {ABOVE_MAX_DISCOUNT, CHANGED_AFTER_APPROVAL})
            and _filed(store)
        ),
        deadline,
        "the unapproved and the widened promotion caught",
    )
    order = sandbox.admin(
        "bigcommerce",
        "POST",
        "/orders",
        {
            "products": [{"product_id": product_id}],
            "billing_address": BUYER,
            "promotion_id": promotion_id,
        },
    )
    discounts = OrderDiscounts(services.archive_index().engine)

    def archived() -> bool:
        used = discounts.used(
            store, [str(promotion_id)], [], now - timedelta(hours=1), datetime.now(UTC)
        )
        return any(u.order_id == int(order["id"]) for u in used)

    wait_until(archived, deadline, f"order {order['id']} archived with its discount")
    workspace.close(maker, store, scope.campaign_id, datetime.now(UTC))
    wait_until(
        lambda: (
            _item(store, Closeout, lambda c: c.campaign_id == scope.campaign_id) is not None
            and _filed(store)
        ),
        deadline,
        "the campaign's closeout filed",
    )
    closeout = _item(store, Closeout, lambda c: c.campaign_id == scope.campaign_id)
    usage = CampaignUsage.from_json_bytes(closeout.source.encode())
    actions = [
        f"campaign {scope.campaign_id} for promotion {promotion_id} (20 % off, DE) filed by "
        f"{staff.maker.name}, approved by {staff.approver.name}; the promotion enabled by bcrm",
        f"promotion {rogue['id']} created in the control panel with no approval",
        f"promotion {promotion_id} widened to 30 % after its approval",
        f"order {order['id']} used promotion {promotion_id}; campaign closed with "
        f"{usage.order_count} order(s)",
    ]
    announce("Campaigns: " + "; ".join(actions))
    figures = _figures(sandbox, store)
    expected: dict[str, Callable[[Any], bool]] = {
        "evidence": lambda n: n >= 1,
        "closeouts": lambda n: n == 1,
        "promotion_versions": lambda n: n >= 4,
        "exceptions": lambda e: all(e.get(check, 0) >= 1 for check in CAUGHT),
    }
    passed = sum(check(figures[name]) for name, check in expected.items())
    return {
        **figures,
        "closeout_orders": usage.order_count,
        "actions": actions,
        "checks": len(expected),
        "checks_passed": passed,
    }
