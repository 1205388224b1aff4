"""The prior-price evidence record of one promotion version (Price Indication Directive
Art 6a; C-330/23): per product or variant the 30-day low, the price at the start, the
promotional price and the reduction from the prior price, and the prices in force in
the window; an item the history does not cover says so instead of a prior price."""

from __future__ import annotations

from pipeline.core.contract import DocumentSpec
from pipeline.core.names import stem_of
from pipeline.flows.campaigns.prices.evidence import PriorPriceEvidence
from pipeline.flows.campaigns.prices.render.sheet import amount, open_campaign_sheet, yes_no
from pipeline.records.pdf import format as fmt
from pipeline.records.pdf.sheet import Column, RenderedDocument

TEMPLATE_VERSION = "prior-price-evidence-1.0"
COLUMNS = (
    Column("Product", 16, "R"),
    Column("Variant", 16, "R"),
    Column("Prior price", 24, "R"),
    Column("At start", 22, "R"),
    Column("Promo price", 24, "R"),
    Column("Reduction", 22, "R"),
    Column("% off prior", 22, "R"),
    Column("Advertised", 20, "R"),
    Column("Holds", 14, "R"),
)
PRICE_COLUMNS = (
    Column("Product", 30, "R"),
    Column("Variant", 30, "R"),
    Column("In force from (within the window)", 75),
    Column("Selling price", 45, "R"),
)


def _percent(value: object) -> str:
    return "-" if value is None else f"{value} %"


def render_evidence(evidence: PriorPriceEvidence, spec: DocumentSpec) -> RenderedDocument:
    currency = evidence.currency
    began = evidence.observation_began
    sheet = open_campaign_sheet(
        spec,
        "PRIOR-PRICE EVIDENCE",
        f"Prior-price evidence, promotion {evidence.promotion_id}",
        evidence.starts_at,
        TEMPLATE_VERSION,
        [
            ("Promotion", f"{evidence.promotion_id} {evidence.promotion_name}"),
            ("Reduction starts", fmt.timestamp(evidence.starts_at)),
            ("30-day window", f"from {fmt.timestamp(evidence.window_from)}"),
            ("EU scope", evidence.eu_reason),
            ("Currency", currency or "-"),
            ("Prices observed since", fmt.timestamp(began) if began else "never"),
            ("History covers the window", yes_no(evidence.complete)),
        ],
    )
    sheet.section(f"Reductions, computed from the prior price (amounts in {currency})")
    rows = [
        [
            str(item.product_id),
            str(item.variant_id) if item.variant_id else "-",
            amount(item.prior_price_minor, currency) if item.complete else "not covered",
            amount(item.price_at_start_minor, currency),
            amount(item.promotional_price_minor, currency),
            amount(item.reduction_minor, currency),
            _percent(item.reduction_percent),
            _percent(item.advertised_percent),
            yes_no(item.advertised_holds),
        ]
        for item in evidence.items
    ]
    sheet.ruled_table(COLUMNS, rows)
    sheet.note(
        "Prior price: the lowest selling price (the sale price where one was set) in "
        "force in the 30 days before the reduction starts (Directive 98/6/EC Art 6a). "
        "At start: the selling price when the reduction starts; promo price: that price "
        "after the promotion's rule. The reduction and its percentage are computed from "
        "the prior price (CJEU C-330/23). Holds: the reduction from the prior price is "
        "at least the advertised percentage."
    )
    uncovered = [item for item in evidence.items if not item.complete]
    if uncovered:
        sheet.warning(
            f"The price history does not cover the whole window for {len(uncovered)} "
            f"item(s): prices were observed only since "
            f"{fmt.timestamp(began) if began else 'never'}. No prior price is stated for "
            "them; the lowest price observed since then is listed below."
        )
    sheet.section("Prices in force within the window")
    price_rows = [
        [
            str(item.product_id),
            str(item.variant_id) if item.variant_id else "-",
            fmt.timestamp(at),
            amount(minor, currency),
        ]
        for item in evidence.items
        for at, minor in item.prices_in_window
    ]
    sheet.ruled_table(PRICE_COLUMNS, price_rows or [["-", "-", "no prices observed", "-"]])
    return sheet.finish(evidence.to_json_bytes(), f"{stem_of(spec)}.json")
