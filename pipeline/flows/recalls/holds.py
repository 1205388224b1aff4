"""The recall's LEGAL hold `RECALL-<store>-<id>` in the ECM: on the recall's workspace (its
own records inherit it) and on every record of every affected order, including orders
found later and records declared later; released only by `bcrm recalls close
--release-holds`.

The archive index says what must be held (until the recall's holds are released): the
hold is opened on each affected order
(`Recalls.hold_orders`, the `SubjectHolds` mechanism flow 2's case holds use), so a record
of such an order declared later gets it from declare itself. `settle` puts the ECM in
line with the index for what is already filed: it lists the hold's holders once (`GET
/v2/holditems/{id}`) and applies the hold to the missing nodes in one batch call
(`applyhold`), so repeating it (a redelivery, a crash half-way) applies nothing twice and
a recall of thousands of records costs two calls, not two per record. Released, it
removes the hold from every holder in one batch call (`removehold`), once the index has
it released (asked again after applying, as the case holds do, so a release written
meanwhile is not undone).
"""

from __future__ import annotations

from pipeline.index.recalls import ORDER, Recall
from pipeline.index.records import ArchiveIndex
from pipeline.integrations.otcs.client import OTCSClient
from pipeline.records.declare import LEGAL_HOLD
from pipeline.runtime.log import log_event


def held_nodes(index: ArchiveIndex, recall: Recall, workspace_id: int) -> list[int]:
    """The workspace and every record the archive index has of the recall's orders."""
    nodes = {workspace_id}
    for order_id in index.recalls.orders(recall.store_hash, recall.recall_id):
        rows = index.records_of_subject(recall.store_hash, ORDER, str(order_id))
        nodes.update(row.ecm_node_id for row in rows)
    return sorted(nodes)


def settle(otcs: OTCSClient, index: ArchiveIndex, recall: Recall, workspace_id: int) -> int:
    """Hold or release as the index says; how many nodes carry the hold afterwards."""
    store_hash, recall_id = recall.store_hash, recall.recall_id
    if index.recalls.holds_in_force(store_hash, recall_id):
        name = recall.hold_name
        hold_id = otcs.ensure_hold(name, LEGAL_HOLD, comment=f"Product recall {recall_id}")
        wanted = held_nodes(index, recall, workspace_id)
        holding = otcs.held_node_ids(hold_id)
        otcs.apply_hold_batch([node for node in wanted if node not in holding], hold_id)
        if index.recalls.holds_in_force(store_hash, recall_id):
            log_event("recall.held", store=store_hash, recall=recall_id, nodes=len(wanted))
            return len(wanted)
    return release(otcs, recall)


def release(otcs: OTCSClient, recall: Recall) -> int:
    """Take the hold off every node that carries it; the hold itself stays on record."""
    hold = otcs.find_hold(recall.hold_name)
    if hold is None:
        return 0
    holding = sorted(otcs.held_node_ids(hold.id))
    otcs.remove_hold_batch(holding, hold.id)
    log_event(
        "recall.released", store=recall.store_hash, recall=recall.recall_id, nodes=len(holding)
    )
    return 0
