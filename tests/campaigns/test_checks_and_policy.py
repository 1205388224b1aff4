"""The compliance checks as plain functions of a promotion and its campaigns, and
`campaigns.toml` refused naming its bad keys."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from pipeline.flows.approvals.change_request import canonical
from pipeline.flows.campaigns.checks import (
    ABOVE_MAX_DISCOUNT,
    CHANGED_AFTER_APPROVAL,
    CREATED_OUTSIDE_WORKFLOW,
    OUTSIDE_CHANNELS,
    OUTSIDE_WINDOW,
    UNAPPROVED_LIVE,
    check_offer,
)
from pipeline.flows.campaigns.offers import PROMOTION, Offer
from pipeline.flows.campaigns.policy import (
    DEFAULT_CAMPAIGNS_FILE,
    CampaignsPolicyError,
    load_policy,
    parse_policy,
)
from pipeline.index.campaigns import APPROVED, Campaign

NOW = datetime(2026, 12, 3, 12, tzinfo=UTC)


def offer(pct: str = "10", **body: object) -> Offer:
    fields = {
        "name": "Sale",
        "status": "ENABLED",
        "channels": [],
        "currency_code": "*",
        "start_date": (NOW - timedelta(days=1)).isoformat(),
        "end_date": None,
        "rules": [{"action": {"cart_value": {"discount": {"percentage_amount": pct}}}}],
        "created_from": "api",
        **body,
    }
    return Offer(PROMOTION, "7", canonical(fields), 3, ())


def campaign(**changes: object) -> Campaign:
    base = {
        "store_hash": "s",
        "campaign_id": "1",
        "name": "C",
        "starts_at": NOW - timedelta(days=2),
        "ends_at": NOW + timedelta(days=2),
        "decision": APPROVED,
        "decided_at": NOW - timedelta(days=3),
    }
    return Campaign(**{**base, **changes})  # type: ignore[arg-type]


def checks(found: list) -> list[str]:
    return sorted(f.check for f in found)


def test_a_live_promotion_without_an_approved_campaign_is_caught() -> None:
    assert checks(check_offer(offer(), [], NOW)) == [UNAPPROVED_LIVE]
    assert checks(check_offer(offer(), [campaign(decision="requested")], NOW)) == [UNAPPROVED_LIVE]
    assert check_offer(offer(status="DISABLED"), [], NOW) == []
    assert check_offer(offer(), [campaign()], NOW) == []


def test_scope_discount_and_version_are_held_against_the_approval() -> None:
    late = campaign(ends_at=NOW - timedelta(hours=1), starts_at=NOW - timedelta(days=5))
    assert checks(check_offer(offer(), [late], NOW)) == [OUTSIDE_WINDOW]
    on_all = campaign(channels=(1,))
    assert checks(check_offer(offer(), [on_all], NOW)) == [OUTSIDE_CHANNELS]
    assert check_offer(offer(channels=[{"id": 1}]), [on_all], NOW) == []
    capped = campaign(max_discount_percent=Decimal("15"))
    assert checks(check_offer(offer("25"), [capped], NOW)) == [ABOVE_MAX_DISCOUNT]
    bound = campaign(approved_fingerprints={"promotion/7": offer().approval_fingerprint})
    assert check_offer(offer(), [bound], NOW) == []
    assert checks(check_offer(offer("11"), [bound], NOW)) == [CHANGED_AFTER_APPROVAL]


def test_usage_counters_are_not_part_of_a_version() -> None:
    assert Offer(PROMOTION, "7", offer().body, 99, ()).fingerprint == offer().fingerprint


def test_a_promotion_made_in_the_control_panel_is_caught_even_when_approved() -> None:
    found = check_offer(offer(created_from="react_ui"), [campaign()], NOW)
    assert checks(found) == [CREATED_OUTSIDE_WORKFLOW]


def test_the_shipped_policy_loads_and_a_bad_one_names_its_keys() -> None:
    assert load_policy(DEFAULT_CAMPAIGNS_FILE).version
    with pytest.raises(CampaignsPolicyError) as refused:
        parse_policy({"version": "1", "checks": {"nope": {}, "unapproved_live": {"disable": 1}}})
    assert "checks.nope" in str(refused.value)
    assert "checks.unapproved_live.disable" in str(refused.value)
    assert parse_policy(
        {"version": "1", "checks": {"unapproved_live": {"disable": True}}}
    ).disables(UNAPPROVED_LIVE)
