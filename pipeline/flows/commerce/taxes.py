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
from schemas.snapshot import OrderSnapshot, Seller, TaxSummary, TaxSummaryRow


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


def summarise_month(
    store_hash: str, seller: Seller, year: int, month: int, snapshots: Iterable[OrderSnapshot]
) -> list[TaxSummary]:
    """One summary per currency and tax country for the paid orders created in the month.

    Refunds are not netted here: each has its own credit note, dated by the refund.
    """
    groups: dict[tuple[str, str], dict[tuple[str, Decimal], list[Decimal]]] = defaultdict(dict)
    orders: dict[tuple[str, str, str, Decimal], set[int]] = defaultdict(set)
    for snapshot in snapshots:
        created = snapshot.order.date_created
        if (created.year, created.month) != (year, month) or not is_paid(snapshot):
            continue
        key = (snapshot.order.currency_code, tax_country(snapshot))
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
        )
        for (currency, country), rates in sorted(groups.items())
    ]
