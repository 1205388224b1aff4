"""Tax amounts per rate: for one order (invoice, tax breakdown) and per month (tax summary).

BigCommerce reports tax per line (``/v2/orders/{id}/taxes``) without the amount it was
charged on; the taxable base is taken from the line the tax row belongs to.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from pipeline.flows.commerce.documents import is_paid
from schemas.bigcommerce import ZERO, Tax
from schemas.snapshot import (
    OrderSnapshot,
    Seller,
    TaxSummary,
    TaxSummaryOrder,
    TaxSummaryRefunds,
    TaxSummaryRow,
)


@dataclass(frozen=True)
class RateTotal:
    tax_name: str
    rate: Decimal
    taxable_amount: Decimal
    tax_amount: Decimal


def _taxable_base(snapshot: OrderSnapshot, tax: Tax) -> Decimal:
    order = snapshot.order
    if tax.line_item_type == "item" and tax.order_product_id is not None:
        return snapshot.product(tax.order_product_id).total_ex_tax
    if tax.line_item_type == "shipping":
        consignment = next(
            (a for a in snapshot.shipping_addresses if a.id == tax.order_address_id), None
        )
        return consignment.cost_ex_tax if consignment else order.shipping_cost_ex_tax
    if tax.line_item_type == "handling":
        return order.handling_cost_ex_tax
    return order.wrapping_cost_ex_tax


def tax_rates(snapshot: OrderSnapshot) -> list[RateTotal]:
    """Tax and taxable amount per distinct tax name and rate, ordered by name and rate."""
    totals: dict[tuple[str, Decimal], list[Decimal]] = defaultdict(lambda: [ZERO, ZERO])
    for tax in snapshot.taxes:
        entry = totals[(tax.name, tax.rate)]
        entry[0] += _taxable_base(snapshot, tax)
        entry[1] += tax.line_amount
    return [
        RateTotal(name, rate, base, amount)
        for (name, rate), (base, amount) in sorted(totals.items())
    ]


def tax_country(snapshot: OrderSnapshot) -> str:
    """Where the supply is taxed: the (first) destination, else the buyer, else the seller."""
    for address in (*snapshot.shipping_addresses, snapshot.order.billing_address):
        if address is not None and address.country_iso2:
            return address.country_iso2.upper()
    return snapshot.seller.country_iso2.upper()


def tax_region(snapshot: OrderSnapshot) -> str:
    """The US state a US supply is taxed in (sales tax is per state): the destination's,
    else the buyer's; empty outside the US."""
    for address in (*snapshot.shipping_addresses, snapshot.order.billing_address):
        if address is not None and address.country_iso2:
            return address.state if address.country_iso2.upper() == "US" else ""
    return ""


def summarise_month(
    store_hash: str, seller: Seller, year: int, month: int, snapshots: Iterable[OrderSnapshot]
) -> list[TaxSummary]:
    """One summary per currency and tax country for the paid orders created in the month.

    Refunds are not netted from the rates: each has its own credit note, dated by the
    refund. The summary lists its orders and the refunds dated in the month of the orders
    it counts (refunds of earlier months' orders are on their credit notes).
    """
    groups: dict[tuple[str, str], dict[tuple[str, Decimal], list[Decimal]]] = defaultdict(dict)
    orders: dict[tuple[str, str, str, Decimal], set[int]] = defaultdict(set)
    listed: dict[tuple[str, str], list[TaxSummaryOrder]] = defaultdict(list)
    refunds: dict[tuple[str, str], list[Decimal]] = defaultdict(lambda: [ZERO, ZERO, ZERO])
    for snapshot in snapshots:
        created = snapshot.order.date_created
        if (created.year, created.month) != (year, month) or not is_paid(snapshot):
            continue
        key = (snapshot.order.currency_code, tax_country(snapshot))
        order = snapshot.order
        listed[key].append(
            TaxSummaryOrder(
                order.id,
                created,
                tax_region(snapshot),
                order.total_ex_tax,
                order.total_tax,
                order.total_inc_tax,
            )
        )
        share = order.total_tax / order.total_inc_tax if order.total_inc_tax else ZERO
        for refund in snapshot.refunds:
            if (refund.created.year, refund.created.month) == (year, month):
                entry = refunds[key]
                entry[0] += 1
                entry[1] += refund.total_amount
                entry[2] += refund.total_tax or refund.total_amount * share
        rates = groups[key]  # an untaxed sale still puts its country on record
        for total in tax_rates(snapshot):
            entry = rates.setdefault((total.tax_name, total.rate), [ZERO, ZERO])
            entry[0] += total.taxable_amount
            entry[1] += total.tax_amount
            orders[(*key, total.tax_name, total.rate)].add(snapshot.order.id)
    return [
        TaxSummary(
            store_hash=store_hash,
            seller=seller,
            year=year,
            month=month,
            currency=currency,
            country_iso2=country,
            rows=tuple(
                TaxSummaryRow(
                    name, rate, taxable, tax, len(orders[(currency, country, name, rate)])
                )
                for (name, rate), (taxable, tax) in sorted(rates.items())
            ),
            orders=tuple(listed[(currency, country)]),
            refunds=(
                TaxSummaryRefunds(int(r[0]), r[1], r[2])
                if (r := refunds.get((currency, country)))
                else None
            ),
        )
        for (currency, country), rates in sorted(groups.items())
    ]
