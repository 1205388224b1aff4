"""Recalls and campaigns in the archive index: saved as the ECM says them, items,
orders and links added once, and the open recalls' items as the gate asks for them."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from decimal import Decimal

from pipeline.index.campaigns import APPROVED, PROMOTION, Campaign
from pipeline.index.recalls import CLOSED, Identifiers, Recall, RecalledItem
from pipeline.index.records import ArchiveIndex
from pipeline.index.rows import OrderLineRow, row_from_attributes

STORE = "st0re1"
T0 = datetime(2026, 11, 1, tzinfo=UTC)


def _recall(recall_id: str = "7", **changes: object) -> Recall:
    recall = Recall(STORE, recall_id, Identifiers(skus=("KTL-1",), gtins=("0123",)), T0, None,
                    "burns", "refund", "high", opened_by="ann")  # fmt: skip
    return dataclasses.replace(recall, **changes)  # type: ignore[arg-type]


def test_a_recall_round_trips_and_is_replaced_by_a_later_save(index: ArchiveIndex) -> None:
    index.recalls.save(_recall())
    assert index.recalls.get(STORE, "7") == _recall()
    decided = _recall(decided_by="bob", decided_at=T0, workspace_id=42)
    index.recalls.save(decided)
    assert index.recalls.get(STORE, "7") == decided
    assert decided.hold_name == f"RECALL-{STORE}-7"
    assert index.recalls.get(STORE, "8") is None


def test_items_and_orders_are_added_once_and_only_open_recalls_gate(index: ArchiveIndex) -> None:
    index.recalls.save(_recall("7"))
    index.recalls.save(_recall("8", decision=CLOSED))
    product = RecalledItem(10, 0, "KTL-1", "sku")
    variant = RecalledItem(10, 11, "KTL-1-RED", "gtin")
    assert index.recalls.add_items(STORE, "7", [product, variant]) == 2
    assert index.recalls.add_items(STORE, "7", [variant]) == 0
    index.recalls.add_items(STORE, "8", [RecalledItem(20, 0, "OLD", "sku")])
    assert index.recalls.items(STORE, "7") == [product, variant]
    assert index.recalls.open_items(STORE) == {(10, 0): ["7"], (10, 11): ["7"]}
    assert index.recalls.add_orders(STORE, "7", [102, 100, 100], "index") == [100, 102]
    assert index.recalls.add_orders(STORE, "7", [101, 102], "scan") == [101]
    assert index.recalls.orders(STORE, "7") == [100, 101, 102]
    assert [r.recall_id for r in index.recalls.listed(STORE, decision="open")] == ["7"]


def test_affected_orders_match_by_product_variant_or_sku_inside_the_window(
    index: ArchiveIndex,
) -> None:
    for order_id, sku, product, variant, day in [
        (100, "OTHER", 30, 31, 2), (101, "KTL-1", 10, 11, 2), (102, "X", 10, 12, 3),
        (103, "GONE", None, None, 4), (104, "KTL-2", 40, 41, 5), (105, "KTL-1", 10, 11, 20),
        (106, "KTL-1", 10, 11, 1),
    ]:  # fmt: skip
        line = OrderLineRow(order_id * 10, sku, product, variant, 1, "US")
        index.order_lines_seen(STORE, order_id, T0.replace(day=day), [line])
    recall = _recall(sold_from=T0.replace(day=2), sold_to=T0.replace(day=10),
                     identifiers=Identifiers(skus=("GONE",)))  # fmt: skip
    index.recalls.save(recall)
    assert index.recalls.affected_orders(recall) == [103]
    index.recalls.add_items(STORE, "7", [RecalledItem(10, 0, "KTL-1", "sku"),
                                         RecalledItem(40, 41, "KTL-2", "gtin")])  # fmt: skip
    assert index.recalls.affected_orders(recall) == [101, 102, 103, 104]


def test_a_campaign_round_trips_with_its_links(index: ArchiveIndex) -> None:
    campaign = Campaign(STORE, "C1", "Spring", T0, T0.replace(month=12), channels=(1,),
                        countries=("DE",), max_discount_percent=Decimal("20"),
                        approved_fingerprints={"5": "ab" * 32}, decision=APPROVED,
                        requested_by="ann", decided_by="bob", decided_at=T0)  # fmt: skip
    index.campaigns.save(campaign)
    assert index.campaigns.get(STORE, "C1") == campaign
    assert campaign.approved
    assert index.campaigns.link(STORE, "C1", PROMOTION, ["5", "6"]) == 2
    assert index.campaigns.link(STORE, "C1", PROMOTION, ["6"]) == 0
    assert index.campaigns.links(STORE, "C1", PROMOTION) == ["5", "6"]
    assert index.campaigns.linked_to(STORE, PROMOTION, "6") == [campaign]
    assert index.campaigns.linked_to(STORE, PROMOTION, "7") == []


def test_a_recalls_hold_its_affected_lines_and_where_a_scan_got(index: ArchiveIndex) -> None:
    """The hold opens on the recall's orders (once, whoever opens it again) until
    released; the report's lines carry customer ids; a scan's state is kept."""
    from pipeline.index.recalls import ORDER, RECALL, ScanState

    recall = _recall("9", opened_at=T0)
    index.recalls.save(recall)
    line = OrderLineRow(1, "KTL-1", 10, 0, 2, "NL", customer_id=33)
    other = OrderLineRow(2, "MUG-1", 50, 0, 1, "NL", customer_id=33)
    index.order_lines_seen(STORE, 100, T0, [line, other])
    assert index.recalls.oldest_order(STORE) == T0
    index.recalls.add_items(STORE, "9", [RecalledItem(10, 0, "KTL-1", "sku")])
    index.recalls.add_orders(STORE, "9", index.recalls.affected_orders(recall), "index")
    index.recalls.hold(recall, [100])
    index.recalls.hold(recall, [100])
    assert index.holds.open_on(STORE, ORDER, "100") == [recall.hold_name]
    assert index.holds.open_on(STORE, RECALL, "9") == []  # its records inherit it
    assert index.recalls.holds_in_force(STORE, "9")
    [affected] = index.recalls.order_lines(recall)
    assert (affected.order_id, affected.sku, affected.quantity, affected.customer_id) == (
        100, "KTL-1", 2, 33
    )  # fmt: skip
    released = index.recalls.release_holds(recall, T0)
    assert released.holds_released_at == T0 and index.recalls.get(STORE, "9") == released
    index.recalls.hold(released, [100])
    assert not index.holds.is_open(recall.hold_name)
    assert not index.recalls.holds_in_force(STORE, "9")
    state = ScanState(T0, T0, 3, 500)
    index.recalls.save_scan(STORE, "9", state)
    assert index.recalls.scan(STORE, "9") == state


def test_a_record_names_its_subject_by_object_type_and_id_where_its_flow_does() -> None:
    """A campaign's or change request's records are about that object, not an order: the
    index finds a promotion's earlier versions by it (declare's supersede links)."""
    attributes = {"Document Kind": "promotion_version", "Record Key": "k", "Store Hash": STORE,
                  "SHA-256": "ab" * 32, "File Plan Version": "1", "Object Type": "promotion",
                  "Object ID": "7", "Jurisdiction": "ZZ"}  # fmt: skip
    row = row_from_attributes(attributes, ecm_name="n.pdf", ecm_node_id=5, rsi="BCRM-MKT-CMP",
                              record_date=T0.date(), declared_at=T0)  # fmt: skip
    assert (row.subject_kind, row.subject_id, row.part) == ("promotion", "7", None)
    order = {**attributes, "Document Kind": "credit_note", "Order ID": "100",
             "Object Type": "refund", "Object ID": "9", "Source ID": "9"}  # fmt: skip
    row = row_from_attributes(order, ecm_name="n.pdf", ecm_node_id=5, rsi="BCRM-FIN-INV",
                              record_date=T0.date(), declared_at=T0)  # fmt: skip
    assert (row.subject_kind, row.subject_id, row.part) == ("order", "100", "9")
