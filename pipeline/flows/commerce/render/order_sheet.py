"""What every order document has in common: who sold, to whom, totals, the source attached."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from pipeline.core.contract import DocumentSpec
from pipeline.core.names import filename
from pipeline.flows.commerce.documents import document_date
from pipeline.flows.commerce.render.charges import bridge, charges
from pipeline.flows.commerce.sellers import EU_COUNTRIES, seller_gaps
from pipeline.flows.commerce.taxes import tax_country
from pipeline.records.pdf import format as fmt
from pipeline.records.pdf.sheet import DocumentMeta, RenderedDocument, Sheet
from schemas.bigcommerce import ZERO, Address
from schemas.snapshot import OrderSnapshot, Seller

COMMERCIAL_TEMPLATE = "commercial-1.2"


def seller_lines(seller: Seller) -> list[str]:
    """Legal name, postal address, tax ids (the main one, then one per other country of
    VAT registration) and contact."""
    lines = [seller.legal_name, *seller.address_lines]
    if seller.tax_id:
        label = "VAT ID" if seller.country_iso2.upper() in EU_COUNTRIES else "Tax ID"
        lines.append(f"{label}: {seller.tax_id}")
    lines += [
        f"VAT ID ({country}): {number}"
        for country, number in seller.tax_ids.items()
        if number != seller.tax_id
    ]
    if seller.phone:
        lines.append(f"Phone: {seller.phone}")
    return [*lines, seller.email]


def document_gaps(snapshot: OrderSnapshot, invoice_like: bool = True) -> list[str]:
    """The facts a commercial document should carry but its data lacks: the seller's
    (`seller_gaps`) and, on an invoice or credit note under EU VAT (seller or place of
    supply in the EU), the customer's name and address (VAT Directive Art 226(5))."""
    gaps = seller_gaps(snapshot.seller)
    if not invoice_like:
        return gaps
    eu = {snapshot.seller.country_iso2.upper(), tax_country(snapshot)} & EU_COUNTRIES
    billing = snapshot.order.billing_address
    if eu and (billing is None or not (billing.first_name or billing.last_name or billing.company)):
        gaps.append("customer name")
    if eu and (billing is None or not (billing.street_1 and billing.city)):
        gaps.append("customer address")
    return gaps


def buyer_vat_facts(snapshot: OrderSnapshot) -> list[tuple[str, str]]:
    """The buyer's VAT id (Art 226(4)) when the billing address carries one (a custom
    field named as a VAT or tax id, `schemas.bigcommerce.vat_id_of`); else nothing."""
    billing = snapshot.order.billing_address
    if billing is None or not billing.vat_id:
        return []
    eu = tax_country(snapshot) in EU_COUNTRIES
    return [("Customer VAT ID" if eu else "Customer tax ID", billing.vat_id)]


def say_gaps(sheet: Sheet, gaps: Sequence[str], what: str) -> None:
    """Missing required facts, in bold on the document itself, never silently left out."""
    if gaps:
        sheet.warning(f"This {what} lacks required information: {', '.join(gaps)}.")


def address_lines(address: Address | None) -> list[str]:
    """Postal lines only: contact details stay out of archived documents."""
    if address is None:
        return []
    return [
        f"{address.first_name} {address.last_name}".strip(),
        address.company,
        address.street_1,
        address.street_2,
        f"{address.zip} {address.city}".strip(),
        address.state if address.state != address.city else "",
        address.country,
    ]


def open_sheet(
    seller: Seller,
    store_hash: str,
    heading: str,
    title: str,
    when: datetime,
    template_version: str,
    spec: DocumentSpec,
    facts: Sequence[tuple[str, str]],
) -> Sheet:
    """A sheet with its metadata set and the seller and document facts drawn: how every
    document of a store opens, about one order or a month."""
    sheet = Sheet(
        DocumentMeta(
            title=title,
            heading=heading,
            subject=f"{title}, BigCommerce store {store_hash}",
            author=seller.legal_name,
            date=when,
            template_version=template_version,
            filename=filename(spec),
        )
    )
    sheet.title_block(seller_lines(seller), facts)
    return sheet


def open_order_sheet(
    snapshot: OrderSnapshot,
    spec: DocumentSpec,
    heading: str,
    title: str,
    template_version: str,
    facts: Sequence[tuple[str, str]],
) -> Sheet:
    """An order document's sheet, dated as its document is."""
    when = document_date(snapshot, spec)
    return open_sheet(
        snapshot.seller, snapshot.store_hash, heading, title, when, template_version, spec, facts
    )


def finish_order_sheet(sheet: Sheet, snapshot: OrderSnapshot) -> RenderedDocument:
    name = f"order-{snapshot.order.id}-snapshot.json"
    return sheet.finish(snapshot.to_json_bytes(), name)


def order_facts(snapshot: OrderSnapshot, number_label: str, number: str) -> list[tuple[str, str]]:
    order = snapshot.order
    return [
        (number_label, number),
        ("Order no.", str(order.id)),
        ("Order date", fmt.day(order.date_created)),
        ("Currency", order.currency_code),
        ("Customer", f"#{order.customer_id}" if order.customer_id else "Guest"),
    ]


def ship_to(snapshot: OrderSnapshot) -> tuple[str, list[str]]:
    consignments = snapshot.shipping_addresses
    if not consignments:
        return "Ship to", ["(no physical delivery)"]
    if len(consignments) > 1:
        return "Ship to", [f"{len(consignments)} consignments, see packing slips"]
    return "Ship to", address_lines(consignments[0])


def bill_to(snapshot: OrderSnapshot) -> tuple[str, list[str]]:
    return "Bill to", address_lines(snapshot.order.billing_address)


KIND_TOTALS = (
    ("goods", "Subtotal (net)"),
    ("shipping", "Shipping (net)"),
    ("handling", "Handling (net)"),
    ("gift-wrapping", "Gift wrapping (net)"),
)


def order_totals(snapshot: OrderSnapshot) -> list[tuple[str, str]]:
    """The totals under an order's lines: each total is the sum of the lines above it, in
    minor units; where BigCommerce's own net, tax or gross total differs from that sum, a
    labelled line bridges to it, so the last line is the store's total."""
    order = snapshot.order
    money = order.currency_code
    rows = charges(snapshot)
    by_kind = [(label, sum((r.net for r in rows if r.kind == k), ZERO)) for k, label in KIND_TOTALS]
    amounts = by_kind[:1] + [(label, amount) for label, amount in by_kind[1:] if amount != ZERO]
    amounts += [(f"{r.label} (net)", r.net) for r in rows if r.kind == "fee"]
    discount = fmt.round_to(order.coupon_discount + order.discount_amount, money)
    if discount != ZERO:
        codes = ", ".join(coupon.code for coupon in snapshot.coupons)
        amounts.append((f"Discount ({codes})" if codes else "Discount", -discount))
    net = sum((amount for _, amount in amounts), ZERO)
    amounts += bridge("net", net, order.total_ex_tax, len(amounts), money)
    total_net = fmt.round_to(order.total_ex_tax, money)
    tax = sum((r.tax for r in rows), ZERO)
    amounts += [("Total (net)", total_net), ("Tax", tax)]
    amounts += bridge("tax", tax, order.total_tax, len(rows), money)
    shown_gross = total_net + fmt.round_to(order.total_tax, money)
    amounts += bridge("gross", shown_gross, order.total_inc_tax, 2, money)
    amounts.append(("Total", fmt.round_to(order.total_inc_tax, money)))
    return [(label, fmt.money(amount, money)) for label, amount in amounts]
