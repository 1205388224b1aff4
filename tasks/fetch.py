"""The fetch stage tasks (queue `fetch`)."""

from typing import Any

from pipeline.core.canvas import document_canvas
from pipeline.core.stage import StageTask, stage_task
from pipeline.devtools import skeleton
from pipeline.flows.commerce import order_fetch
from pipeline.flows.commerce.document_stages import document_message
from pipeline.flows.commerce.documents import due_documents
from pipeline.runtime import clients, services


@stage_task("bcrm.fetch.placeholder")
def fetch_placeholder(self: StageTask, ref: dict[str, Any]) -> dict[str, Any]:
    return skeleton.fetch(ref, self.attempt)


@stage_task("bcrm.fetch.order")
def fetch_order(self: StageTask, ref: dict[str, Any]) -> dict[str, Any]:
    """Snapshot the order, stage it, and start one canvas per due document."""
    client = clients.bigcommerce(ref["store_hash"])
    listing = order_fetch.staged_listing(ref)
    snapshot = order_fetch.fetch_order_snapshot(client, ref["store_hash"], ref["order_id"], listing)
    digest = services.staging().put(snapshot.to_json_bytes())
    messages = [document_message(digest, doc) for doc in due_documents(snapshot)]
    for message in messages:
        document_canvas(message).apply_async()
    return {**ref, "snapshot": digest, "documents": [m["record_key"] for m in messages]}
