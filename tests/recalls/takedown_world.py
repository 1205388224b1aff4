"""Flow 3's approval world with what a recall's takedown needs: recalls written into the
archive index as flow 6 keeps them (`Recalls.save` + `add_items`), the looks owed as beat
owes them, and the publish units' outcomes waited for."""

from __future__ import annotations

import io
import json
import uuid
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import pikepdf

from pipeline.flows.approvals.producer import publish_key
from pipeline.flows.recalls.takedown import owe_takedowns, takedown_id
from pipeline.index.recalls import Identifiers, Recall, RecalledItem, Recalls
from pipeline.runtime import services
from tests.flows.approval_world import ApprovalWorld
from tests.support import configured, wait_for

OPENER, DECIDER = "quinn.quality", "lee.legal"


def recalls(world: ApprovalWorld) -> Recalls:
    with configured(world.env):
        return services.archive_index().recalls


def open_recall(
    world: ApprovalWorld,
    items: list[tuple[int, int]],
    *,
    decided_by: str | None = DECIDER,
    opened_by: str = OPENER,
) -> Recall:
    """A recall of `items` ((product id, variant id), 0 for the whole product), decided
    now by `decided_by` unless None."""
    recall = Recall(
        store_hash=world.store_hash,
        recall_id=f"RCL-{uuid.uuid4().hex[:6]}",
        identifiers=Identifiers(skus=("X",)),
        sold_from=datetime(2026, 1, 1, tzinfo=UTC),
        sold_to=None,
        hazard="Battery may overheat",
        remedy="Stop using it; full refund",
        severity="high",
        opened_by=opened_by,
        decided_by=decided_by,
        decided_at=datetime.now(UTC) if decided_by else None,
    )
    index = recalls(world)
    index.save(recall)
    index.add_items(
        world.store_hash,
        recall.recall_id,
        [RecalledItem(p, v, f"SKU-{p}-{v}", "sku") for p, v in items],
    )
    return recall


def close(world: ApprovalWorld, recall: Recall) -> None:
    recalls(world).save(replace(recall, decision="closed", closed_at=datetime.now(UTC)))


def change_id(recall: Recall, product_id: int, variant_id: int = 0) -> str:
    return takedown_id(recall, RecalledItem(product_id, variant_id, "", ""))


def owe(world: ApprovalWorld) -> int:
    """One look, as beat's `bcrm.control.recall_takedowns` owes them."""
    with configured(world.env):
        return owe_takedowns(services.archive_index().recalls, world.store_hash)


def settled(world: ApprovalWorld, change_ids: list[str]) -> dict[str, dict[str, Any]]:
    """Wait until every change request's publish finished and its record was declared;
    the stage's results by id."""
    ledger = services.ledger()

    def done() -> dict[str, dict[str, Any]] | None:
        found = {}
        for cid in change_ids:
            raw = ledger.get(publish_key(world.store_hash, cid)).get("done:publish")
            if raw is None:
                return None
            result = json.loads(raw)
            if ledger.get(result["receipt"]).get("state") != "declared":
                return None
            found[cid] = result
        return found

    return wait_for(done, timeout=120, what=f"{', '.join(change_ids)} settled")


def records(world: ApprovalWorld, change_id: str) -> list[dict]:
    marker = f"Change Request {change_id}/Publish Receipts/"
    return [n for n in world.ecm.inventory()["nodes"] if marker in n["path"]]


def embedded_record(world: ApprovalWorld, node_id: int) -> dict[str, Any]:
    """The publish record's JSON embedded in the filed PDF."""
    with pikepdf.Pdf.open(io.BytesIO(world.service.download(node_id))) as pdf:
        [spec] = list(pdf.Root.AF)
        return dict(json.loads(spec.EF.F.read_bytes()))


def writes(world: ApprovalWorld, path: str) -> list[dict]:
    return [w for w in world.store.applied_writes() if w["path"] == path]
