"""The charged lines of an order as its documents show them, and the sums that must agree.

Every amount here is already rounded to the currency's minor unit, so each total a document
prints is the sum of the rows it prints, to the cent. A line's tax is BigCommerce's per-line
figure (``total_tax``, a consignment's ``cost_tax``...); where a line carries several rates
(US state, county and city tax) its tax is split over them in proportion to the amounts the
tax rows report (``/v2/orders/{id}/taxes``), by largest remainder, so the parts add up to the
line. Where the store's own totals differ from the sums of what is shown (each line rounded on
its own), the difference is a labelled line of its own (``bridge``), never absorbed.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from pipeline.records.pdf import format as fmt
from schemas.bigcommerce import ZERO, Tax
from schemas.snapshot import OrderSnapshot

# The rate group of a line that BigCommerce charged tax on without a tax row saying at
# which rate (fees: the taxes endpoint has no line type for them).
UNREPORTED = "Tax (rate not reported)"
UNTAXED = "No tax"

RateKey = tuple[str, Decimal | None]


@dataclass(frozen=True)
class Charge:
    """One row of the invoice's line table: net, tax and gross in minor units (gross is
    net plus tax, so the row adds up), and its tax per rate, summing to ``tax``."""

    label: str
    kind: str
    unit: Decimal
    quantity: int
    net: Decimal
    tax: Decimal
    by_rate: tuple[tuple[RateKey, Decimal, Decimal], ...]  # (rate, reported, share)

    @property
    def gross(self) -> Decimal:
        return self.net + self.tax

    @property
    def rate_label(self) -> str:
        """The rate column: ``19 %``; ``6 % + 2 %`` for stacked taxes."""
        return " + ".join(rate_text(name, rate) for (name, rate), _, _ in self.by_rate)


def rate_text(name: str, rate: Decimal | None) -> str:
    """A rate as the rate columns show it: ``none`` on a line without tax, ``-`` where
    BigCommerce charged tax without saying at which rate."""
    if rate is not None:
        return fmt.rate(rate)
    return "none" if name == UNTAXED else "-"


@dataclass(frozen=True)
class RateLine:
    """One row of a per-rate table: the sums of the shown rows charged at the rate."""

    tax_name: str
    rate: Decimal | None
    taxable_amount: Decimal
    tax_amount: Decimal


def split(total: Decimal, weights: Sequence[Decimal], currency: str) -> list[Decimal]:
    """``total`` (in minor units) shared in proportion to ``weights`` by largest remainder:
    the shares are in minor units and add up to ``total`` exactly."""
    if not weights:
        return []
    unit = Decimal(1).scaleb(-fmt.minor_units(currency))
    units = int((total / unit).to_integral_value())
    weight_sum = sum(weights, ZERO)
    if weight_sum == ZERO:
        weights, weight_sum = [Decimal(1)] * len(weights), Decimal(len(weights))
    exact = [units * weight / weight_sum for weight in weights]
    floors = [int(share.to_integral_value(rounding="ROUND_FLOOR")) for share in exact]
    left = units - sum(floors)
    order = sorted(range(len(exact)), key=lambda i: (floors[i] - exact[i], i))
    for index in order[:left]:
        floors[index] += 1
    return [Decimal(share) * unit for share in floors]


def _by_rate(
    taxes: Iterable[Tax], tax: Decimal, currency: str
) -> tuple[tuple[RateKey, Decimal, Decimal], ...]:
    reported: dict[RateKey, Decimal] = defaultdict(lambda: ZERO)
    for row in taxes:
        reported[(row.name, row.rate)] += row.line_amount
    if not reported:
        key: RateKey = (UNREPORTED, None) if tax != ZERO else (UNTAXED, None)
        return ((key, tax, tax),)
    keys = sorted(reported, key=lambda k: (k[1] or ZERO, k[0]))
    shares = split(tax, [reported[k] for k in keys], currency)
    return tuple((k, reported[k], share) for k, share in zip(keys, shares, strict=True))


def charges(snapshot: OrderSnapshot) -> list[Charge]:
    """Goods, then shipping per consignment, handling, gift wrapping and fees: every line
    the order charged, as the invoice's line table shows it."""
    order, taxes = snapshot.order, snapshot.taxes
    money = order.currency_code

    def charge(
        label: str, kind: str, unit: Decimal, qty: int, net: Decimal, tax: Decimal, on: list[Tax]
    ) -> Charge:
        shown_tax = fmt.round_to(tax, money)
        net, unit = fmt.round_to(net, money), fmt.round_to(unit, money)
        return Charge(label, kind, unit, qty, net, shown_tax, _by_rate(on, shown_tax, money))

    rows = [
        charge(
            f"{line.name}\nSKU {line.sku}" if line.sku else line.name,
            "goods",
            line.price_ex_tax,
            line.quantity,
            line.total_ex_tax,
            line.total_tax,
            [t for t in taxes if t.line_item_type == "item" and t.order_product_id == line.id],
        )
        for line in snapshot.products
    ]
    for consignment in snapshot.shipping_addresses:
        if consignment.cost_inc_tax == ZERO and consignment.cost_ex_tax == ZERO:
            continue
        method = f" ({consignment.shipping_method})" if consignment.shipping_method else ""
        rows.append(
            charge(
                f"Shipping{method}",
                "shipping",
                consignment.cost_ex_tax,
                1,
                consignment.cost_ex_tax,
                consignment.cost_tax,
                [
                    t
                    for t in taxes
                    if t.line_item_type == "shipping"
                    and t.order_address_id in (consignment.id, None)
                ],
            )
        )
    extras = [
        ("Handling", "handling", order.handling_cost_ex_tax, order.handling_cost_tax),
        ("Gift wrapping", "gift-wrapping", order.wrapping_cost_ex_tax, order.wrapping_cost_tax),
    ]
    for label, kind, net, tax in extras:
        if net != ZERO or tax != ZERO:
            on = [t for t in taxes if t.line_item_type == kind]
            rows.append(charge(label, kind, net, 1, net, tax, on))
    for fee in order.fees:
        rows.append(
            charge(
                fee.display_name_customer,
                "fee",
                fee.cost_ex_tax,
                1,
                fee.cost_ex_tax,
                fee.cost_tax,
                [],
            )
        )
    return rows


def rate_lines(rows: Sequence[Charge]) -> list[RateLine]:
    """Per rate: the net of every shown row charged at it (a row with stacked taxes counts
    at each of its rates) and the rows' tax shares at it."""
    sums: dict[RateKey, list[Decimal]] = defaultdict(lambda: [ZERO, ZERO])
    for row in rows:
        for key, _, share in row.by_rate:
            sums[key][0] += row.net
            sums[key][1] += share
    keys = sorted(sums, key=lambda k: (k[1] is None, k[0] == UNTAXED, k[0], k[1] or ZERO))
    return [RateLine(name, rate, *sums[(name, rate)]) for name, rate in keys]


def bridge(
    what: str, shown: Decimal, store: Decimal, rows_summed: int, currency: str
) -> list[tuple[str, Decimal]]:
    """The labelled line from the sum of the shown rows to the store's own total, or none
    when they agree. Within half a minor unit per summed row it is rounding; beyond, the
    store's total holds something the rows do not, and the label says so."""
    difference = fmt.round_to(store, currency) - shown
    if difference == ZERO:
        return []
    unit = Decimal(1).scaleb(-fmt.minor_units(currency))
    if abs(difference) <= unit * max(rows_summed, 1) / 2:
        return [(f"Rounding difference, {what}", difference)]
    return [(f"Other difference, {what}", difference)]
