"""Fulfilment documents: the packing slip per consignment and the proof of each shipment.

Neither shows prices: a packing slip travels in the parcel, and a proof of shipment
proves what left, when, with which carrier and tracking number.
"""

from __future__ import annotations

from pipeline.core.contract import DocumentSpec
from pipeline.flows.commerce.documents import consignment_lines
from pipeline.flows.commerce.render.order_sheet import (
    address_lines,
    finish_order_sheet,
    open_order_sheet,
)
from pipeline.records.pdf import format as fmt
from pipeline.records.pdf.sheet import Column, RenderedDocument
from schemas.snapshot import OrderSnapshot

TEMPLATE_VERSION = "fulfilment-1.0"
ITEM_COLUMNS = (Column("Item", 110), Column("SKU", 45), Column("Qty", 25, "R"))


def render_packing_slip(snapshot: OrderSnapshot, spec: DocumentSpec) -> RenderedDocument:
    order = snapshot.order
    consignment = snapshot.shipping_address(int(str(spec.part)))
    number = f"{order.id}-{consignment.id}"
    facts = [
        ("Packing slip no.", number),
        ("Order no.", str(order.id)),
        ("Order date", fmt.day(order.date_created)),
        ("Shipping method", consignment.shipping_method or "-"),
    ]
    sheet = open_order_sheet(
        snapshot, spec, "PACKING SLIP", f"Packing slip {number}", TEMPLATE_VERSION, facts
    )
    sheet.party("Ship to", address_lines(consignment))
    sheet.set_y(sheet.get_y() + 4)
    lines = consignment_lines(snapshot, consignment.id)
    sheet.ruled_table(
        ITEM_COLUMNS,
        [[line.name, line.sku, fmt.quantity(line.quantity)] for line in lines],
    )
    count = sum(line.quantity for line in lines)
    sheet.totals([("Items in this consignment", fmt.quantity(count))])
    return finish_order_sheet(sheet, snapshot)


def render_shipping_confirmation(snapshot: OrderSnapshot, spec: DocumentSpec) -> RenderedDocument:
    order = snapshot.order
    shipment = snapshot.shipment(int(str(spec.part)))
    number = f"{order.id}-{shipment.id}"
    carrier = shipment.tracking_carrier or shipment.shipping_provider or "-"
    facts = [
        ("Shipment no.", number),
        ("Shipped on", fmt.day(shipment.date_created)),
        ("Order no.", str(order.id)),
        ("Order date", fmt.day(order.date_created)),
    ]
    sheet = open_order_sheet(
        snapshot,
        spec,
        "SHIPPING CONFIRMATION",
        f"Shipping confirmation {number}",
        TEMPLATE_VERSION,
        facts,
    )
    destination = shipment.shipping_address or snapshot.shipping_address(shipment.order_address_id)
    sheet.party("Shipped to", address_lines(destination))
    sheet.section("Proof of shipment")
    sheet.key_values(
        [
            ("Carrier", carrier),
            ("Tracking number", shipment.tracking_number or "-"),
            ("Tracking link", shipment.tracking_link or "-"),
            ("Shipping method", shipment.shipping_method or "-"),
            ("Shipped at", fmt.timestamp(shipment.date_created)),
        ]
    )
    sheet.set_y(sheet.get_y() + 2)
    sheet.ruled_table(
        ITEM_COLUMNS,
        [
            [line.name, line.sku, fmt.quantity(item.quantity)]
            for item in shipment.items
            for line in [snapshot.product(item.order_product_id)]
        ],
    )
    shipped = sum(item.quantity for item in shipment.items)
    sheet.totals([("Items shipped", fmt.quantity(shipped))])
    return finish_order_sheet(sheet, snapshot)
