"""A campaign's closeout record: the archived orders that used its promotions and codes,
their count and discount total per currency, and the final use counters BigCommerce
showed when the campaign closed."""

from __future__ import annotations

from pipeline.core.contract import DocumentSpec
from pipeline.core.names import stem_of
from pipeline.flows.campaigns.prices.render.sheet import amount, open_campaign_sheet
from pipeline.flows.campaigns.prices.usage import CampaignUsage
from pipeline.records.pdf import format as fmt
from pipeline.records.pdf.sheet import Column, RenderedDocument

TEMPLATE_VERSION = "campaign-closeout-1.0"
TOTAL_COLUMNS = (
    Column("Currency", 40),
    Column("Orders", 60, "R"),
    Column("Discount total", 80, "R"),
)
COUNTER_COLUMNS = (Column("Promotion or code", 100), Column("Final uses", 80, "R"))
ORDER_COLUMNS = (
    Column("Order", 25, "R"),
    Column("Placed", 55),
    Column("Currency", 20),
    Column("Discount", 30, "R"),
    Column("Used", 50),
)


def _uses(value: int | None) -> str:
    return "not found in BigCommerce" if value is None else fmt.quantity(value)


def render_closeout(usage: CampaignUsage, spec: DocumentSpec) -> RenderedDocument:
    sheet = open_campaign_sheet(
        spec,
        "CAMPAIGN CLOSEOUT",
        f"Closeout of campaign {spec.subject.id}",
        usage.end,
        TEMPLATE_VERSION,
        [
            ("Period", f"{fmt.timestamp(usage.start)} to {fmt.timestamp(usage.end)}"),
            ("Promotions", ", ".join(usage.promotion_ids) or "-"),
            ("Coupon codes", ", ".join(usage.coupon_codes) or "-"),
            ("Orders", fmt.quantity(usage.order_count)),
        ],
    )
    sheet.section("Orders and discounts per currency")
    sheet.ruled_table(
        TOTAL_COLUMNS,
        [
            [t.currency, fmt.quantity(t.orders), amount(t.discount_minor, t.currency)]
            for t in usage.totals
        ]
        or [["-", "0", "-"]],
    )
    sheet.section("Final use counters")
    counters = [[f"promotion {pid}", _uses(n)] for pid, n in sorted(usage.promotion_uses.items())]
    counters += [[f"code {code}", _uses(n)] for code, n in sorted(usage.code_uses.items())]
    sheet.ruled_table(COUNTER_COLUMNS, counters or [["-", "-"]])
    sheet.note(
        "Orders are the archived orders placed in the period whose lines carry a discount "
        "of the campaign's promotions or codes (applied_discounts); an order not yet "
        "archived when the campaign closed is not counted. Counters are BigCommerce's "
        "current_uses (promotions and their codes) or num_uses (legacy coupons)."
    )
    sheet.section("Orders")
    sheet.ruled_table(
        ORDER_COLUMNS,
        [
            [
                str(o.order_id),
                fmt.timestamp(o.order_date),
                o.currency,
                amount(o.discount_minor, o.currency),
                ", ".join(o.used),
            ]
            for o in usage.orders
        ]
        or [["-", "no orders", "", "", ""]],
    )
    return sheet.finish(usage.to_json_bytes(), f"{stem_of(spec)}.json")
