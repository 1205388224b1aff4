"""The evidence and closeout records: PDF/A-3b with their source JSON embedded, the
same bytes for the same source, and the figures a reader needs in readable tables."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from pipeline.core import registry
from pipeline.core.contract import DocumentSpec, Subject
from pipeline.flows.campaigns.prices.evidence import ItemEvidence, PriorPriceEvidence
from pipeline.flows.campaigns.prices.kinds import CLOSEOUT, PRICE_KINDS, PRIOR_PRICE_EVIDENCE
from pipeline.flows.campaigns.prices.render.closeout import render_closeout
from pipeline.flows.campaigns.prices.render.evidence import render_evidence
from pipeline.flows.campaigns.prices.usage import CampaignUsage, CurrencyTotal, OrderUse
from tests.documents.pdf_checks import assert_archival, text_of

START = datetime(2026, 12, 1, tzinfo=UTC)
BEGAN = datetime(2026, 10, 1, tzinfo=UTC)


@pytest.fixture(autouse=True)
def price_kinds(monkeypatch: pytest.MonkeyPatch) -> None:
    """The kinds as the campaigns flow files them (it registers them with itself)."""
    monkeypatch.setattr(registry, "kind", PRICE_KINDS.__getitem__)


def _spec(kind: str, part: str | None) -> DocumentSpec:
    return DocumentSpec("campaigns", kind, "st0re", Subject("campaign", "7"), part, "f" * 64)


def evidence() -> PriorPriceEvidence:
    window = START - timedelta(days=30)
    covered = ItemEvidence(
        3, 0, True, window, 8000, 8000, 10000, 7000, 1000, Decimal("12.50"), Decimal("30"),
        False, ((window, 8000), (START - timedelta(days=2), 10000)),
    )  # fmt: skip
    variant = ItemEvidence(
        5, 41, True, window, 1900, 1900, 1900, 1330, 570, Decimal("30.00"), Decimal("30"),
        True, ((window, 1900),),
    )  # fmt: skip
    uncovered = ItemEvidence(
        9, 0, False, BEGAN + timedelta(days=40), None, 4500, 5000, 4500, None, None,
        Decimal("10"), None, ((BEGAN + timedelta(days=40), 4500),),
    )  # fmt: skip
    return PriorPriceEvidence(
        "st0re", 12, "Winter sale", START, window, "EUR", "ships to EU countries DE",
        BEGAN, (covered, variant, uncovered),
    )  # fmt: skip


def usage() -> CampaignUsage:
    orders = (
        OrderUse(101, START + timedelta(hours=1), "EUR", 1250, ("promotion 12",)),
        OrderUse(102, START + timedelta(hours=2), "JPY", 300, ("code WINTER",)),
    )
    return CampaignUsage(
        "st0re", ("12",), ("GONE", "WINTER"), START, START + timedelta(days=14), orders,
        (CurrencyTotal("EUR", 1, 1250), CurrencyTotal("JPY", 1, 300)),
        {"12": 2}, {"GONE": None, "WINTER": 1},
    )  # fmt: skip


def test_the_evidence_record_is_archival_deterministic_and_readable() -> None:
    source = evidence()
    spec = _spec(PRIOR_PRICE_EVIDENCE, "promotion-12-v1")
    document = render_evidence(source, spec)
    assert_archival(document, source.to_json_bytes(), START)
    assert render_evidence(PriorPriceEvidence.from_json_bytes(source.to_json_bytes()), spec) == (
        document
    )
    text = text_of(document)
    for expected in ("PRIOR-PRICE EVIDENCE", "80.00", "70.00", "12.50 %", "not covered",
                     "ships to EU countries DE", "does not cover the whole window"):  # fmt: skip
        assert expected in text, expected


def test_the_closeout_record_is_archival_and_names_a_missing_code() -> None:
    source = usage()
    spec = _spec(CLOSEOUT, None)
    document = render_closeout(source, spec)
    assert_archival(document, source.to_json_bytes(), source.end)
    assert CampaignUsage.from_json_bytes(source.to_json_bytes()) == source
    text = text_of(document)
    for expected in ("CAMPAIGN CLOSEOUT", "12.50", "300", "not found in BigCommerce", "WINTER"):
        assert expected in text, expected
