"""Rendered records: PDF/A-3b structure, determinism, Unicode, pagination, odd totals."""

from __future__ import annotations

import hashlib
import logging
import os
import subprocess
import sys
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import pytest

from pipeline.core import registry
from pipeline.core.names import filename
from pipeline.flows.commerce.documents import (
    ORDER_KIND_FLOWS,
    DocumentKind,
    document_date,
    due_documents,
    order_document,
)
from pipeline.flows.fulfilment.render.tax_summary import render_tax_summary
from pipeline.flows.fulfilment.tax_summaries import summary_spec
from schemas.bigcommerce import Address, LineItem
from schemas.snapshot import OrderSnapshot, TaxSummary
from tests.documents.payloads import snapshot_payload
from tests.documents.pdf_checks import assert_archival, font_names, open_pdf, to_unicode_maps
from tests.documents.rendering import render_document

ZERO = Decimal("0")


@pytest.mark.parametrize("fixture", ["order_100", "order_101"])
def test_every_due_document_is_an_archival_pdf(fixture: str) -> None:
    snapshot = OrderSnapshot.load(snapshot_payload(fixture))
    for ref in due_documents(snapshot):
        document = render_document(snapshot, ref)
        assert document.filename == filename(ref)
        assert document.sha256 == hashlib.sha256(document.bytes).hexdigest()
        assert_archival(document, snapshot.to_json_bytes(), document_date(snapshot, ref))


def test_same_input_renders_identical_bytes(shipped_order: OrderSnapshot) -> None:
    for ref in due_documents(shipped_order):
        first = render_document(shipped_order, ref)
        reloaded = OrderSnapshot.from_json_bytes(shipped_order.to_json_bytes())
        assert render_document(reloaded, ref).bytes == first.bytes


def test_different_documents_of_one_order_differ(shipped_order: OrderSnapshot) -> None:
    hashes = {render_document(shipped_order, ref).sha256 for ref in due_documents(shipped_order)}
    assert len(hashes) == len(due_documents(shipped_order))


def test_template_versions_name_the_layout_family(shipped_order: OrderSnapshot) -> None:
    versions = {
        ref.kind: render_document(shipped_order, ref).template_version
        for ref in due_documents(shipped_order)
    }
    assert versions[DocumentKind.INVOICE] == "commercial-1.2"
    assert versions[DocumentKind.PACKING_SLIP] == "fulfilment-1.0"


def test_latin_document_embeds_only_the_primary_font(shipped_order: OrderSnapshot) -> None:
    ref = order_document(shipped_order, DocumentKind.INVOICE)
    with open_pdf(render_document(shipped_order, ref)) as pdf:
        assert font_names(pdf) == {"DejaVuSansBook"}


def _with_buyer(snapshot: OrderSnapshot, **names: str) -> OrderSnapshot:
    billing = replace(snapshot.order.billing_address or Address(), **names)
    return replace(snapshot, order=replace(snapshot.order, billing_address=billing))


@pytest.mark.parametrize(
    "name",
    [
        "山田 太郎",  # Japanese: drawn by the CJK fallback font
        "محمد الأحمد",  # Arabic
        "Ёлкина Анастасия",  # Cyrillic
        "Παπαδόπουλος Γιώργος",  # Greek
        "Zoë 😀🦄 Smith",  # emoji: DejaVu draws 😀, no shipped font has 🦄
        "Tab\tand\u200bzero-width\u0007bell",  # control and format characters
    ],
)
def test_any_unicode_name_renders_without_crash_or_glyph_warnings(
    shipped_order: OrderSnapshot, name: str, caplog: pytest.LogCaptureFixture
) -> None:
    snapshot = _with_buyer(shipped_order, first_name=name, company=name)
    ref = order_document(snapshot, DocumentKind.INVOICE)
    with caplog.at_level(logging.WARNING):
        document = render_document(snapshot, ref)
    assert_archival(document, snapshot.to_json_bytes(), snapshot.order.date_modified)
    assert not [record for record in caplog.records if "missing" in record.getMessage()]


def test_japanese_name_pulls_in_the_fallback_font(shipped_order: OrderSnapshot) -> None:
    snapshot = _with_buyer(shipped_order, first_name="山田")
    with open_pdf(render_document(snapshot, order_document(snapshot, DocumentKind.INVOICE))) as pdf:
        assert "DroidSansFallback" in font_names(pdf)
        assert b"<5C71>" in to_unicode_maps(pdf)  # 山 is mapped back to text


def test_undrawable_character_shows_a_visible_replacement(shipped_order: OrderSnapshot) -> None:
    snapshot = _with_buyer(shipped_order, first_name="Zoë 🦄")
    with open_pdf(render_document(snapshot, order_document(snapshot, DocumentKind.INVOICE))) as pdf:
        assert b"<FFFD>" in to_unicode_maps(pdf)


def _many_lines(snapshot: OrderSnapshot, count: int) -> OrderSnapshot:
    template = snapshot.products[0]
    lines = tuple(
        replace(
            template, id=10_000 + index, name=f"Item {index} " + "long description " * (index % 3)
        )
        for index in range(count)
    )
    return replace(snapshot, products=lines, shipments=(), taxes=())


def test_five_hundred_line_order_paginates(shipped_order: OrderSnapshot) -> None:
    snapshot = _many_lines(shipped_order, 500)
    ref = order_document(snapshot, DocumentKind.INVOICE)
    document = render_document(snapshot, ref)
    assert document.page_count >= 10
    assert_archival(document, snapshot.to_json_bytes(), snapshot.order.date_modified)
    assert render_document(snapshot, ref).bytes == document.bytes


def _zero_order(snapshot: OrderSnapshot, total: Decimal) -> OrderSnapshot:
    free = LineItem(
        id=1,
        name="Free sample",
        quantity=1,
        price_ex_tax=ZERO,
        price_inc_tax=ZERO,
        total_ex_tax=ZERO,
        total_inc_tax=ZERO,
        total_tax=ZERO,
        order_address_id=301,
    )
    order = replace(
        snapshot.order,
        subtotal_ex_tax=ZERO,
        subtotal_inc_tax=ZERO,
        subtotal_tax=ZERO,
        shipping_cost_ex_tax=ZERO,
        total_ex_tax=total,
        total_inc_tax=total,
        total_tax=ZERO,
        discount_amount=-total if total < 0 else ZERO,
    )
    return replace(snapshot, order=order, products=(free,), shipments=(), taxes=(), refunds=())


@pytest.mark.parametrize("total", [ZERO, Decimal("-5.0000")])
def test_zero_and_negative_totals_render(shipped_order: OrderSnapshot, total: Decimal) -> None:
    snapshot = _zero_order(shipped_order, total)
    for kind in (DocumentKind.INVOICE, DocumentKind.TAX_BREAKDOWN, DocumentKind.ORDER_RECORD):
        document = render_document(snapshot, order_document(snapshot, kind))
        assert document.page_count == 1


def test_order_without_any_address_renders(shipped_order: OrderSnapshot) -> None:
    snapshot = replace(
        shipped_order,
        order=replace(shipped_order.order, billing_address=None),
        shipping_addresses=(),
        shipments=(),
        taxes=(),
        products=tuple(replace(line, order_address_id=None) for line in shipped_order.products),
    )
    for kind, sub_id in (
        (DocumentKind.INVOICE, None),
        (DocumentKind.ORDER_RECORD, None),
        (DocumentKind.CREDIT_NOTE, "7"),
    ):
        ref = order_document(snapshot, kind, sub_id)
        document = render_document(snapshot, ref)
        assert_archival(document, snapshot.to_json_bytes(), document_date(snapshot, ref))


def test_tax_summary_is_an_archival_pdf() -> None:
    summary = TaxSummary.load(
        {
            "store_hash": "s4mpl3",
            "seller": snapshot_payload("order_100")["seller"],
            "year": 2024,
            "month": 3,
            "currency": "EUR",
            "country_iso2": "DE",
            "rows": [
                {
                    "tax_name": "MwSt 19 %",
                    "rate": "19.0000",
                    "taxable_amount": "1000.00",
                    "tax_amount": "190.00",
                    "order_count": 12,
                },
            ],
        }
    )
    spec = summary_spec(summary)
    document = render_tax_summary(summary, spec)
    assert document.filename == filename(spec)
    assert document.template_version == "tax-summary-1.2"
    assert_archival(document, summary.to_json_bytes(), summary.period_end)
    assert render_tax_summary(summary, spec).bytes == document.bytes


def test_each_kind_is_rendered_from_its_own_source() -> None:
    """The render stage loads a message's source by its kind: a month's summary is never
    handed an order snapshot, nor an order document a month."""
    assert registry.kind("tax_summary_monthly").source == "store_month"
    order_kinds = {kind for kind, flow in ORDER_KIND_FLOWS.items()}
    assert {registry.kind(kind).source for kind in order_kinds} == {"order"}


def test_overlong_values_wrap_instead_of_crashing(shipped_order: OrderSnapshot) -> None:
    shipment = replace(
        shipped_order.shipments[0],
        tracking_link="https://tracking.example/" + "x" * 400,
        tracking_number="1Z" * 60,
    )
    name = "Grinder " + "with an unusually verbose description " * 12
    snapshot = replace(
        shipped_order,
        shipments=(shipment,),
        products=(
            replace(shipped_order.products[0], name=name, sku="S" * 80),
            *shipped_order.products[1:],
        ),
    )
    for kind, sub_id in ((DocumentKind.SHIPPING_CONFIRMATION, "401"), (DocumentKind.INVOICE, None)):
        ref = order_document(snapshot, kind, sub_id)
        document = render_document(snapshot, ref)
        assert_archival(document, snapshot.to_json_bytes(), document_date(snapshot, ref))


def test_rendering_logs_nothing_about_the_text_even_at_debug(
    international_order: OrderSnapshot, caplog: pytest.LogCaptureFixture
) -> None:
    ref = order_document(international_order, DocumentKind.INVOICE)
    with caplog.at_level(logging.DEBUG):
        render_document(international_order, ref)
    logged = " ".join(record.getMessage() for record in caplog.records)
    assert "Glyph names" not in logged
    for fragment in ("uni7530", "田中", "Tanaka", "sakura"):
        assert fragment not in logged


def test_another_process_with_another_hash_seed_renders_the_same_bytes(
    international_order: OrderSnapshot,
) -> None:
    """Workers are separate processes: nothing may hang on set order or cache state."""
    script = (
        "import sys\n"
        "from pipeline.core.names import filename\n"
        "from pipeline.flows.commerce.documents import due_documents\n"
        "from tests.documents.rendering import render_document\n"
        "from schemas.snapshot import OrderSnapshot\n"
        "snapshot = OrderSnapshot.from_json_bytes(sys.stdin.buffer.read())\n"
        "for ref in reversed(due_documents(snapshot)):\n"
        "    print(filename(ref), render_document(snapshot, ref).sha256)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        input=international_order.to_json_bytes(),
        capture_output=True,
        check=True,
        cwd=Path(__file__).resolve().parents[2],
        env={**os.environ, "PYTHONHASHSEED": "12345", "PYTHONPATH": "."},
        timeout=120,
    )
    here = {
        filename(ref): render_document(international_order, ref).sha256
        for ref in due_documents(international_order)
    }
    there = dict(line.split() for line in result.stdout.decode().splitlines())
    assert there == here


def test_documents_carry_what_fpdf2_allows_of_accessibility(shipped_order: OrderSnapshot) -> None:
    """Language, the title in the title bar, a bookmark per section; no structure tree (fpdf2
    tags no text drawn with text()/cell()), so nothing claims the PDF is tagged."""
    ref = order_document(shipped_order, DocumentKind.TAX_BREAKDOWN)
    document = render_document(shipped_order, ref)
    assert_archival(document, shipped_order.to_json_bytes(), document_date(shipped_order, ref))
    with open_pdf(document) as pdf:
        assert pdf.Root.Lang == "en"
        assert pdf.Root.ViewerPreferences.DisplayDocTitle is True
        assert "/StructTreeRoot" not in pdf.Root and "/MarkInfo" not in pdf.Root
        with pdf.open_outline() as outline:
            (top,) = outline.root
            assert top.title == "Tax breakdown 100"
            assert [item.title for item in top.children] == ["Tax by rate", "Tax by line"]
