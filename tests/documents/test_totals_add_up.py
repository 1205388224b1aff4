"""Every figure a document prints adds up, to the cent, over many generated orders: the
line rows, the per-rate table, the totals, the bridge to the store's own totals (issue 12,
Documents 3). Each check reads the rendered PDF back, as an auditor's tools would."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

import pytest

from pipeline.flows.commerce.documents import DocumentKind, order_document
from pipeline.flows.commerce.render.invoice import RATE_COLUMNS, invoice_columns, tax_line_columns
from pipeline.flows.commerce.render.payments import credit_note_columns
from pipeline.flows.commerce.taxes import summarise_month
from pipeline.flows.fulfilment.render.tax_summary import (
    SUMMARY_RATE_COLUMNS,
    order_columns,
    render_tax_summary,
)
from pipeline.flows.fulfilment.tax_summaries import summary_spec
from pipeline.records.pdf import format as fmt
from pipeline.records.pdf.sheet import RenderedDocument
from schemas.snapshot import OrderSnapshot
from tests.documents.order_generator import CURRENCIES, SELLER, generated_order
from tests.documents.pdf_checks import open_pdf
from tests.documents.pdf_tables import Placed, amount, placed_text, table, totals
from tests.documents.rendering import render_document

ZERO = Decimal(0)
SEEDS = range(48)


def _read(document: RenderedDocument) -> list[Placed]:
    with open_pdf(document) as pdf:
        return placed_text(pdf)


def _render(snapshot: OrderSnapshot, kind: DocumentKind, part: str | None = None) -> list[Placed]:
    return _read(render_document(snapshot, order_document(snapshot, kind, part)))


def _value(block: list[tuple[str, Decimal]], label: str) -> Decimal:
    return next(value for name, value in block if name == label)


def _check_order_totals(block: list[tuple[str, Decimal]], rows: list[list[str]], snapshot) -> None:
    """Total (net) is the sum of the lines above it, Total the sum of Total (net), Tax and
    any bridge below it; both end at the store's totals; the components match the rows."""
    money = snapshot.order.currency_code
    labels = [label for label, _ in block]
    net_at, total_at = labels.index("Total (net)"), labels.index("Total")
    assert _value(block, "Total (net)") == sum((v for _, v in block[:net_at]), ZERO)
    assert _value(block, "Total") == sum((v for _, v in block[net_at:total_at]), ZERO)
    assert _value(block, "Total (net)") == fmt.round_to(snapshot.order.total_ex_tax, money)
    assert _value(block, "Total") == fmt.round_to(snapshot.order.total_inc_tax, money)
    shown_net = sum((amount(row[3]) for row in rows), ZERO)
    components = [v for label, v in block[:net_at] if label.endswith("(net)")]
    assert sum(components, ZERO) == shown_net
    assert _value(block, "Tax") == sum((amount(row[5]) for row in rows), ZERO)
    for label, _ in block:
        assert (
            label in {"Total (net)", "Tax", "Total"}
            or "(net)" in label
            or (label.startswith(("Discount", "Rounding difference", "Other difference")))
        ), label


def _check_rate_table(rates: list[list[str]], rows: list[list[str]]) -> None:
    """Each rate's taxable amount is the net of the rows charged at it; its tax the rows'
    tax where they carry that rate alone; the taxes together are the rows' tax."""
    assert rates
    for name, rate, taxable, tax, gross in rates:
        at_rate = [row for row in rows if rate in row[4].replace("\n", " ").split(" + ")]
        assert amount(taxable) == sum((amount(row[3]) for row in at_rate), ZERO), name
        assert amount(gross) == amount(taxable) + amount(tax)
        if all(row[4] == rate for row in at_rate):
            assert amount(tax) == sum((amount(row[5]) for row in at_rate), ZERO), name
    assert sum((amount(r[3]) for r in rates), ZERO) == sum((amount(r[5]) for r in rows), ZERO)


@pytest.mark.parametrize("seed", SEEDS)
def test_invoice_rows_rates_and_totals_add_up(seed: int) -> None:
    snapshot = generated_order(seed)
    placed = _render(snapshot, DocumentKind.INVOICE)
    rows = table(placed, invoice_columns(snapshot.order.currency_code))
    assert len(rows) >= len(snapshot.products)
    for row in rows:
        assert amount(row[3]) + amount(row[5]) == amount(row[6]), row
    _check_rate_table(table(placed, RATE_COLUMNS), rows)
    _check_order_totals(totals(placed), rows, snapshot)


@pytest.mark.parametrize("seed", SEEDS[::3])
def test_tax_breakdown_agrees_with_the_invoice(seed: int) -> None:
    snapshot = generated_order(seed)
    invoice = _render(snapshot, DocumentKind.INVOICE)
    breakdown = _render(snapshot, DocumentKind.TAX_BREAKDOWN)
    rates = table(breakdown, RATE_COLUMNS)
    assert rates == table(invoice, RATE_COLUMNS)
    assert totals(breakdown) == totals(invoice)
    money = snapshot.order.currency_code
    by_line = table(breakdown, tax_line_columns(money))
    per_rate: dict[tuple[str, str], Decimal] = defaultdict(lambda: ZERO)
    for row in by_line:
        per_rate[(row[2], row[3])] += amount(row[5])
    for name, rate, _, tax, _ in rates:
        if name != "No tax":
            assert per_rate[(name, rate)] == amount(tax), name


@pytest.mark.parametrize("seed", SEEDS[::2])
def test_credit_note_rows_and_totals_add_up(seed: int) -> None:
    snapshot = generated_order(seed)
    refund = snapshot.refunds[0]
    money = snapshot.order.currency_code
    placed = _render(snapshot, DocumentKind.CREDIT_NOTE, str(refund.id))
    rows = table(placed, credit_note_columns(money))
    assert rows
    for row in rows:
        assert amount(row[3]) + amount(row[4]) == amount(row[5]), row
    block = totals(placed)
    assert _value(block, "Net credited") == sum((amount(r[3]) for r in rows), ZERO)
    assert _value(block, "Tax credited") == sum((amount(r[4]) for r in rows), ZERO)
    assert _value(block, "Total credited") == sum((v for _, v in block[:-1]), ZERO)
    assert _value(block, "Total credited") == fmt.round_to(refund.total_amount, money)
    if refund.total_tax:
        assert _value(block, "Tax credited") == fmt.round_to(refund.total_tax, money)


@pytest.mark.parametrize("currency", CURRENCIES)
def test_tax_summary_totals_are_the_sums_of_its_rows(currency: str) -> None:
    orders = [generated_order(seed, currency) for seed in range(12)]
    (summary,) = summarise_month("gen123", SELLER, 2024, 5, orders)
    placed = _read(render_tax_summary(summary, summary_spec(summary)))
    rates = table(placed, SUMMARY_RATE_COLUMNS)
    block = totals(placed)
    assert _value(block, "Taxable amount") == sum((amount(r[2]) for r in rates), ZERO)
    collected = _value(block, "Tax collected")
    assert collected == sum((amount(r[3]) for r in rates), ZERO)
    listed = table(placed, order_columns(summary))
    assert len(listed) == len(orders)
    for index, label in ((3, "Orders, net"), (4, "Orders, tax"), (5, "Orders, gross")):
        assert _value(block, label) == sum((amount(r[index]) for r in listed), ZERO), label
    labels = [label for label, _ in block]
    bridged = block[labels.index("Tax collected (by rate)") : labels.index("Orders, tax")]
    assert sum((v for _, v in bridged), ZERO) == _value(block, "Orders, tax")
    refunded = _value(block, "of which tax")
    assert _value(block, "Tax net of refunds") == collected + refunded
