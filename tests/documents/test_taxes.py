"""Tax per rate for one order, and the monthly summary per currency and country."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from pipeline.flows.commerce.documents import OrderStatus
from pipeline.flows.commerce.taxes import summarise_month, tax_country, tax_rates
from schemas.snapshot import OrderSnapshot


def test_tax_rates_take_the_base_from_each_taxed_line(shipped_order: OrderSnapshot) -> None:
    rates = {(total.tax_name, total.rate): total for total in tax_rates(shipped_order)}
    standard = rates[("MwSt 19 %", Decimal("19.0000"))]
    reduced = rates[("MwSt 7 %", Decimal("7.0000"))]
    # lines 201 + 202 and the shipping of consignment 301
    assert standard.taxable_amount == Decimal("25.2100") + Decimal("42.0168") + Decimal("4.1176")
    assert standard.tax_amount == Decimal("13.5556")
    assert (reduced.taxable_amount, reduced.tax_amount) == (Decimal("56.0748"), Decimal("3.9252"))
    assert sum(t.tax_amount for t in rates.values()) == shipped_order.order.total_tax


def test_tax_country_is_the_destination_then_the_buyer_then_the_seller(
    shipped_order: OrderSnapshot,
) -> None:
    assert tax_country(shipped_order) == "DE"
    no_destination = replace(shipped_order, shipping_addresses=())
    billing = shipped_order.order.billing_address
    assert billing is not None
    abroad = replace(
        no_destination,
        order=replace(shipped_order.order, billing_address=replace(billing, country_iso2="at")),
    )
    assert tax_country(abroad) == "AT"
    nobody = replace(no_destination, order=replace(shipped_order.order, billing_address=None))
    assert tax_country(nobody) == shipped_order.seller.country_iso2


def _another(snapshot: OrderSnapshot, order_id: int, **changes: Any) -> OrderSnapshot:
    return replace(snapshot, order=replace(snapshot.order, id=order_id, **changes))


def test_monthly_summary_groups_paid_orders_by_currency_and_country(
    shipped_order: OrderSnapshot, international_order: OrderSnapshot
) -> None:
    unpaid = replace(
        _another(shipped_order, 103, status_id=OrderStatus.AWAITING_PAYMENT), transactions=()
    )
    march = [
        shipped_order,
        _another(shipped_order, 102),
        unpaid,
        _another(shipped_order, 104, date_created=datetime(2024, 4, 1, tzinfo=UTC)),
        international_order,
    ]
    summaries = summarise_month("s4mpl3", shipped_order.seller, 2024, 3, march)
    assert [(s.currency, s.country_iso2) for s in summaries] == [("EUR", "DE"), ("USD", "JP")]
    germany = summaries[0]
    assert [(row.tax_name, row.order_count) for row in germany.rows] == [
        ("MwSt 19 %", 2),
        ("MwSt 7 %", 2),
    ]
    assert germany.rows[1].tax_amount == Decimal("7.8504")
    assert summaries[1].rows == ()
