"""The publish stage's recall gate (DESIGN "Both directions", step 1: "no publishing a
SKU under an open recall"): while a recall is open, no change may put one of its products
or variants back on sale. Selling a recalled product is unlawful (CPSA §19(a)(2)(B));
re-enabling waits for the recall's closure (reference flows-2-3-4-6-7.md flow 6).

A change re-enables when its after-state sets `availability` to `available` or
`preorder`, `is_visible` to true, or a variant's `purchasing_disabled` to false, whatever
its change type (a launch, a revert, a takedown edited by hand). A product is covered by
a recall of the whole product; a variant by a recall of itself or of its product. The
open items come from the archive index (`Recalls.open_items`), asked only for a change
that re-enables.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from pipeline.flows.approvals.change_request import ChangeRequest
from pipeline.index.recalls import PRODUCT_ITSELF

ON_SALE_AVAILABILITY = frozenset({"available", "preorder"})


def reenables(change: ChangeRequest) -> bool:
    after = change.after
    return (
        after.get("availability") in ON_SALE_AVAILABILITY
        or after.get("is_visible") is True
        or after.get("purchasing_disabled") is False
    )


def covering(target: str, open_items: Mapping[tuple[int, int], list[str]]) -> list[str]:
    """The open recalls covering `target` (`product/12`, `product/12/variant/40`)."""
    parts = target.split("/")
    if parts[0] != "product" or not parts[1].isdigit():
        return []
    product = int(parts[1])
    found = list(open_items.get((product, PRODUCT_ITSELF), []))
    if len(parts) == 4 and parts[3].isdigit():
        found += open_items.get((product, int(parts[3])), [])
    return sorted(set(found))


def refusal(
    change: ChangeRequest, open_items: Callable[[], Mapping[tuple[int, int], list[str]]]
) -> str | None:
    """Why the gate refuses `change` (None: it passes); `open_items` is asked only when
    the change re-enables."""
    if not reenables(change):
        return None
    recalls = covering(change.target, open_items())
    if not recalls:
        return None
    return (
        f"recall gate: {change.target} is under open recall {', '.join(recalls)}; "
        "it may go back on sale only after the recall is closed"
    )
