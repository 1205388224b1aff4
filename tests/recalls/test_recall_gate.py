"""The recall gate and the takedown's shape, without servers: which changes re-enable,
which recalls cover a target, the takedown's ids and after-states."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from pipeline.flows.approvals import recall_gate
from pipeline.flows.approvals.change_request import ChangeRequest
from pipeline.flows.recalls import takedown
from pipeline.index.recalls import Identifiers, Recall, RecalledItem

OPEN = {(3, 0): ["RCL-1"], (1, 4): ["RCL-2"], (1, 0): ["RCL-3"]}


def change(target: str, after: dict, change_type: str = "product_launch") -> ChangeRequest:
    return ChangeRequest("s-CR-1", "s", change_type, target, after, {})


def refusal(target: str, after: dict) -> str | None:
    return recall_gate.refusal(change(target, after), lambda: OPEN)


def test_re_enabling_an_item_of_an_open_recall_is_refused_naming_the_recall() -> None:
    assert refusal("product/3", {"availability": "available"}) == (
        "recall gate: product/3 is under open recall RCL-1; "
        "it may go back on sale only after the recall is closed"
    )
    assert refusal("product/3", {"availability": "preorder"}) is not None
    assert refusal("product/3", {"is_visible": True}) is not None
    reason = refusal("product/1/variant/4", {"purchasing_disabled": False})
    assert reason is not None and "RCL-2, RCL-3" in reason  # its own recall and its product's


def test_what_does_not_re_enable_or_is_not_covered_passes_without_asking_the_index() -> None:
    def never() -> dict:
        raise AssertionError("the gate asked for open recalls it did not need")

    for after in ({"availability": "disabled"}, {"is_visible": False}, {"price": "9.99"}):
        assert recall_gate.refusal(change("product/3", after), never) is None
    assert refusal("product/5", {"availability": "available"}) is None
    variant_of_recalled = refusal("product/3/variant/9", {"purchasing_disabled": False})
    assert variant_of_recalled is not None and "open recall RCL-1;" in variant_of_recalled
    assert refusal("promotion", {"status": "ENABLED"}) is None
    assert refusal("page/4", {"is_visible": True}) is None


def recall(hazard: str = "Overheats") -> Recall:
    return Recall(
        "s", "RCL-9", Identifiers(skus=("A",)), datetime(2026, 1, 1, tzinfo=UTC), None,
        hazard, "Refund", "high", decided_at=datetime(2026, 2, 1, 9, 30, tzinfo=UTC),
    )  # fmt: skip


def test_a_takedown_per_target_with_a_stable_id_and_a_capped_message() -> None:
    product, variant = RecalledItem(3, 0, "A", "sku"), RecalledItem(1, 4, "A-M", "sku")
    assert takedown.after_state(recall(), product) == {
        "availability": "disabled",
        "is_visible": False,
    }
    after = takedown.after_state(recall(), variant)
    assert after == {
        "purchasing_disabled": True,
        "purchasing_disabled_message": "Recalled (RCL-9): Overheats. Refund",
    }
    long = takedown.after_state(recall("x" * 400), variant)["purchasing_disabled_message"]
    assert len(long) == takedown.MESSAGE_LIMIT and long.endswith("…")
    first = takedown.takedown_id(recall(), product)
    assert first == takedown.takedown_id(recall(), RecalledItem(3, 0, "other", "gtin"))
    assert first.startswith("s-CR-T") and not first.rsplit("-", 1)[1].isdigit()
    assert first != takedown.takedown_id(recall(), variant)
    assert first != takedown.takedown_id(replace(recall(), recall_id="RCL-8"), product)
    # Decided again (by someone else after a refusal): a takedown of its own.
    later = replace(recall(), decided_at=datetime(2026, 2, 2, tzinfo=UTC))
    assert first != takedown.takedown_id(later, product)


def test_only_a_takedown_bcrm_files_for_a_recall_is_one() -> None:
    unit = takedown.takedown_unit(recall(), RecalledItem(3, 0, "A", "sku"))
    [ref] = unit.args
    filed = ChangeRequest(
        ref["change_request"], "s", "product_takedown", "product/3",
        ref["takedown"]["after"], {}, f"{takedown.REASON_PREFIX}RCL-9",
    )  # fmt: skip
    assert takedown.is_takedown(filed) and takedown.recall_id_of(filed) == "RCL-9"
    assert not takedown.is_takedown(
        ChangeRequest("s-CR-4", "s", "product_takedown", "product/3", {}, {}, filed.reason)
    )
