"""What a finance or tax auditor checks on the rendered documents (issue 12, Documents),
each read back from the PDF: the text as a search index sees it, through ToUnicode."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import pikepdf
import pytest

from pipeline.devtools.chaos.scenarios.poison import drawn_text
from pipeline.flows.commerce import sellers
from pipeline.flows.commerce.documents import DocumentKind, due_documents, order_document
from pipeline.records.pdf.sheet import RenderedDocument
from schemas.bigcommerce import Refund, names_a_vat_id
from schemas.snapshot import OrderSnapshot, Seller
from tests.documents.payloads import snapshot_payload
from tests.documents.pdf_checks import open_pdf
from tests.documents.rendering import render_document


def text_of(document: RenderedDocument) -> str:
    with open_pdf(document) as pdf:
        return "\n".join(drawn_text(pdf))


def render(snapshot: OrderSnapshot, kind: DocumentKind, part: str | None = None) -> str:
    return text_of(render_document(snapshot, order_document(snapshot, kind, part)))


# --- 1. seller identity, Art 226 ------------------------------------------------------


def test_invoice_carries_the_art_226_facts(shipped_order: OrderSnapshot) -> None:
    text = render(shipped_order, DocumentKind.INVOICE)
    for fact in (
        "Röstwerk Handels GmbH",  # supplier name
        "Kaffeegasse 3",  # supplier address
        "DE123456789",  # supplier VAT id
        "buchhaltung@roestwerk.example",  # contact
        "Invoice no.",
        "2024-03-04",  # issue date
        "Erika Mustermann",  # customer name
        "Musterstraße 12",  # customer address
        "Tax by rate",
        "19 %",
        "7 %",
    ):
        assert fact in text, fact
    assert "lacks required information" not in text


def test_a_missing_seller_vat_id_is_said_on_the_invoice(shipped_order: OrderSnapshot) -> None:
    seller = replace(shipped_order.seller, tax_id="", address_lines=())
    text = render(replace(shipped_order, seller=seller), DocumentKind.INVOICE)
    assert "This invoice lacks required information" in text
    assert "seller VAT identification number" in text
    assert "seller address" in text


def test_seller_vat_ids_per_country_and_phone_are_printed(shipped_order: OrderSnapshot) -> None:
    seller = replace(shipped_order.seller, phone="+49 40 1234567", tax_ids={"FR": "FR12345678901"})
    text = render(replace(shipped_order, seller=seller), DocumentKind.INVOICE)
    assert "VAT ID (FR): FR12345678901" in text
    assert "Phone: +49 40 1234567" in text


def test_new_seller_fields_leave_stored_fingerprints_alone(shipped_order: OrderSnapshot) -> None:
    before = [spec.fingerprint for spec in due_documents(shipped_order)]
    reloaded = OrderSnapshot.from_json_bytes(shipped_order.to_json_bytes())
    stored_seller = json.loads(shipped_order.to_json_bytes())["seller"]
    assert set(stored_seller) == {"legal_name", "address_lines", "country_iso2", "tax_id", "email"}
    assert [spec.fingerprint for spec in due_documents(reloaded)] == before
    seller = replace(shipped_order.seller, phone="+49 40 1")
    changed = [spec.fingerprint for spec in due_documents(replace(shipped_order, seller=seller))]
    assert changed != before  # a seller that really changed is a new version


def test_sellers_file_overrides_the_store_profile(tmp_path: Path, monkeypatch) -> None:
    path = tmp_path / "sellers.toml"
    path.write_text(
        '[stores.abc123]\nlegal_name = "Röstwerk Handels GmbH"\ncountry_iso2 = "DE"\n'
        'tax_id = "DE123456789"\n[stores.abc123.tax_ids]\nFR = "FR12345678901"\n',
        encoding="utf-8",
    )
    monkeypatch.setenv(sellers.SELLERS_FILE_ENV, str(path))
    sellers.configured_sellers.cache_clear()
    try:
        store = {
            "name": "Röstwerk Shop",
            "address": "Kaffeegasse 3\n20095 Hamburg",
            "country": "Germany",
            "country_code": "DE",
            "phone": "+49 40 1234567",
            "order_email": "orders@roestwerk.example",
        }
        seller = sellers.seller_for("abc123", store)
        assert seller["legal_name"] == "Röstwerk Handels GmbH"
        assert seller["tax_ids"] == {"FR": "FR12345678901"}
        assert seller["address_lines"] == ["Kaffeegasse 3", "20095 Hamburg", "Germany"]
        assert seller["phone"] == "+49 40 1234567"
        fallback = sellers.seller_for("other9", store)
        assert fallback["legal_name"] == "Röstwerk Shop" and "tax_id" not in fallback
        warnings = sellers.configuration_warnings(["abc123", "other9"])
        assert any("other9" in w and "no VAT or tax id" in w for w in warnings)
        assert any("abc123 lacks seller address" in w for w in warnings)
    finally:
        sellers.configured_sellers.cache_clear()


def test_a_broken_sellers_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "sellers.toml"
    path.write_text('[stores.abc123]\ncountry_iso2 = "DE"\n', encoding="utf-8")
    with pytest.raises(sellers.SellersFileError, match="legal_name"):
        sellers.load_sellers(path)
    path.write_text("[stores.abc123\n", encoding="utf-8")
    with pytest.raises(sellers.SellersFileError):
        sellers.load_sellers(path)


# --- 2. credit notes --------------------------------------------------------------------


def test_item_refund_shows_each_line_amount_and_tax(shipped_order: OrderSnapshot) -> None:
    text = render(shipped_order, DocumentKind.CREDIT_NOTE, "7")
    assert "Corrects invoice" in text and "Invoice 100 of 2024-03-04" in text
    assert "Beschädigt geliefert" in text
    # 1 of 3 bags at 60.00 gross, 7 %: 20.00 gross, 1.31 tax, 18.69 net
    assert re.search(r"Kaffeebohnen.*", text)
    for amount in ("18.69", "1.31", "20.00", "Tax credited", "1.31 EUR"):
        assert amount in text, amount


def test_order_level_refund_has_the_tax_share_of_the_order_rates(
    shipped_order: OrderSnapshot,
) -> None:
    refund = Refund(
        id=8,
        created=shipped_order.refunds[0].created,
        total_amount=Decimal("10.00"),
        total_tax=Decimal("0"),
        reason="Goodwill",
    )
    snapshot = replace(shipped_order, refunds=(*shipped_order.refunds, refund))
    text = render(snapshot, DocumentKind.CREDIT_NOTE, "8")
    # 17.4808 tax in 144.90 gross: 10.00 holds 1.21 tax
    assert "Order-level adjustment" in text and "Goodwill" in text
    assert "1.21 EUR" in text and "8.79 EUR" in text
    assert "Currency" in text and "EUR" in text
    assert "\n0.00 EUR" not in text


# --- 3. invoices ------------------------------------------------------------------------


def test_invoice_lines_have_one_column_set_and_add_up(shipped_order: OrderSnapshot) -> None:
    text = render(shipped_order, DocumentKind.INVOICE)
    for heading in ("Net unit (EUR)", "Qty", "Net amount", "Rate", "Tax", "Gross"):
        assert heading in text
    grosses = ["30.00", "50.00", "60.00", "4.90"]  # three products and the shipping
    assert all(g in text for g in grosses)
    assert sum(Decimal(g) for g in grosses) == Decimal("144.90")
    assert "144.90 EUR" in text and "Shipping (" in text


def test_jpy_amounts_have_no_minor_unit(shipped_order: OrderSnapshot) -> None:
    order = replace(shipped_order.order, currency_code="JPY")
    text = render(replace(shipped_order, order=order), DocumentKind.INVOICE)
    assert "144.90 JPY" not in text and "145 JPY" in text


def test_long_skus_wrap_at_their_hyphens(shipped_order: OrderSnapshot) -> None:
    line = replace(shipped_order.products[0], sku="ROAST-ETHIOPIA-YIRGACHEFFE-1KG-WHOLEBEAN")
    snapshot = replace(shipped_order, products=(line, *shipped_order.products[1:]))
    blocks = render(snapshot, DocumentKind.INVOICE).splitlines()
    pieces = [b for b in blocks if "ROAST" in b or "WHOLEBEAN" in b or "YIRGACHEFFE-" in b]
    assert pieces and all(p.endswith("-") or p.endswith("WHOLEBEAN") for p in pieces), pieces


# --- 4. payment records -----------------------------------------------------------------


def test_refund_payment_is_signed_and_names_what_it_refunds(
    shipped_order: OrderSnapshot,
) -> None:
    text = render(shipped_order, DocumentKind.PAYMENT_RECORD, "502")
    assert "REFUND RECORD" in text
    assert "-20.00 EUR" in text
    assert "Refunds transaction" in text and "501 (purchase of 2024-03-04" in text


def test_order_record_shows_net_paid_after_refunds(shipped_order: OrderSnapshot) -> None:
    text = render(shipped_order, DocumentKind.ORDER_RECORD)
    assert "Net paid after refunds" in text and "124.90 EUR" in text


# --- 6. footer --------------------------------------------------------------------------


def test_page_footer_is_right_aligned_with_the_real_page_count(
    shipped_order: OrderSnapshot,
) -> None:
    document = render_document(shipped_order, order_document(shipped_order, DocumentKind.INVOICE))
    with open_pdf(document) as pdf:
        page = pdf.pages[0]
        assert "Page 1 of 1" in drawn_text(pdf)
        positions = []
        for operands, operator in pikepdf.parse_content_stream(page):
            if str(operator) == "Td":
                positions.append(float(operands[0]) / (72 / 25.4))
        # "Page 1 of 1" ends near the right margin (195 mm), not 30 mm short of it
        assert max(positions) > 175


def test_seller_gaps_name_what_is_missing() -> None:
    assert sellers.seller_gaps(Seller(legal_name="X", country_iso2="FR")) == [
        "seller address",
        "seller VAT identification number",
        "seller contact (e-mail or phone)",
    ]


# --- 5. monthly tax summaries -----------------------------------------------------------


def test_tax_summary_lists_orders_refunds_and_us_states(
    shipped_order: OrderSnapshot, international_order: OrderSnapshot
) -> None:
    from pipeline.flows.commerce.taxes import summarise_month
    from pipeline.flows.fulfilment.render.tax_summary import render_tax_summary
    from pipeline.flows.fulfilment.tax_summaries import summary_spec

    german = summarise_month("s4mpl3", shipped_order.seller, 2024, 3, [shipped_order])[0]
    text = text_of(render_tax_summary(german, summary_spec(german)))
    assert "Röstwerk Handels GmbH" in text and "s4mpl3" in text and "Store hash" in text
    assert "Orders" in text and "100" in text and "144.90" in text
    assert "Refunds in the month" in text and "-20.00 EUR" in text and "-1.31 EUR" in text

    billing = replace(
        shipped_order.order.billing_address, country_iso2="US", state="Oregon", country="US"
    )
    consignment = replace(
        shipped_order.shipping_addresses[0], country_iso2="US", state="Oregon", country="US"
    )
    us_order = replace(
        shipped_order,
        order=replace(shipped_order.order, currency_code="USD", billing_address=billing),
        shipping_addresses=(consignment,),
        seller=replace(shipped_order.seller, store_name="Brewline Supply Co."),
    )
    us = summarise_month("brwln9", us_order.seller, 2024, 3, [us_order])[0]
    text = text_of(render_tax_summary(us, summary_spec(us)))
    assert "By state" in text and "Oregon" in text and "Brewline Supply Co." in text


def test_a_stored_tax_summary_keeps_its_record_key() -> None:
    from pipeline.flows.fulfilment.tax_summaries import summary_spec
    from schemas.snapshot import TaxSummary

    stored = {
        "store_hash": "s4mpl3",
        "seller": {"legal_name": "X"},
        "year": 2024,
        "month": 3,
        "currency": "EUR",
        "country_iso2": "DE",
        "rows": [],
    }
    summary = TaxSummary.load(stored)
    assert b'"orders"' not in summary.to_json_bytes()
    assert b'"refunds"' not in summary.to_json_bytes()
    assert summary_spec(TaxSummary.from_json_bytes(summary.to_json_bytes())) == summary_spec(
        summary
    )


# --- customer VAT id (Art 226(4)) -----------------------------------------------------------


@pytest.mark.parametrize(
    "name", ["VAT number", "VAT ID", "vat id", "USt-IdNr.", "UStIdNr", "Tax ID", "TAX NUMBER"]
)
def test_a_field_named_as_a_vat_id_is_read(name: str) -> None:
    assert names_a_vat_id(name)


@pytest.mark.parametrize("name", ["Delivery Instructions", "Tax exempt", "Tax", "ID", "License ID"])
def test_other_custom_fields_are_not_a_vat_id(name: str) -> None:
    assert not names_a_vat_id(name)


def _billing_with(form_fields: list[dict[str, object]]) -> OrderSnapshot:
    payload = snapshot_payload("order_100")
    payload["order"]["billing_address"]["form_fields"] = form_fields
    return OrderSnapshot.load(payload)


def test_buyer_vat_id_is_on_the_invoice_and_credit_note() -> None:
    snapshot = _billing_with(
        [
            {"name": "Delivery Instructions", "value": "Leave in backyard"},
            {"name": "USt-IdNr", "value": " DE811569869 "},
        ]
    )
    assert snapshot.order.billing_address.vat_id == "DE811569869"
    for kind, part in ((DocumentKind.INVOICE, None), (DocumentKind.CREDIT_NOTE, "7")):
        text = render(snapshot, kind, part)
        assert "Customer VAT ID" in text and "DE811569869" in text, kind
    assert "DE811569869" not in render(snapshot, DocumentKind.PACKING_SLIP, "301")


def test_custom_fields_stay_out_of_the_snapshot_and_old_fingerprints_hold(
    shipped_order: OrderSnapshot,
) -> None:
    plain = _billing_with([{"name": "Delivery Instructions", "value": "Leave in backyard"}])
    assert b"form_fields" not in plain.to_json_bytes() and b"vat_id" not in plain.to_json_bytes()
    assert b"backyard" not in plain.to_json_bytes()
    assert [s.fingerprint for s in due_documents(plain)] == [
        s.fingerprint for s in due_documents(shipped_order)
    ]
    assert "Customer VAT ID" not in render(plain, DocumentKind.INVOICE)
    with_id = _billing_with([{"name": "VAT number", "value": 811569869}])
    reloaded = OrderSnapshot.from_json_bytes(with_id.to_json_bytes())
    assert reloaded.order.billing_address.vat_id == "811569869"
    invoice = order_document(with_id, DocumentKind.INVOICE)
    assert invoice.fingerprint != order_document(shipped_order, DocumentKind.INVOICE).fingerprint
