"""One declared record's document, fetched from the ECM by what a person knows about it
(the order and the kind of document), for `bcrm record pdf`.

The archive index says which node holds it; the ECM is the system of record, so the bytes
come from there and are checked against the SHA-256 the index recorded at declaration.
"""

from __future__ import annotations

import hashlib

from pipeline.index.records import ORDER_SUBJECT, ArchiveIndex
from pipeline.index.rows import DeclaredRecordRow
from pipeline.integrations.otcs.client import OTCSClient


class RecordNotFound(LookupError):
    """No single record answers the question; the message says what to add to it."""


class ContentAltered(RuntimeError):
    """The ECM's bytes do not hash to what was declared: a fixity failure."""


def order_record(
    index: ArchiveIndex, order_id: int, kind: str, store_hash: str | None, part: str | None
) -> DeclaredRecordRow:
    """The latest declared record of `kind` about the order; refused when the order is in
    several stores, or the kind has several parts (packing slips per consignment) and no
    `part` was given."""
    rows = [
        row
        for row in index.records_of_subject(store_hash, ORDER_SUBJECT, str(order_id))
        if row.kind == kind and (part is None or row.part == part)
    ]
    wanted = f"order {order_id}" + (f" part {part}" if part else "")
    if not rows:
        raise RecordNotFound(f"{wanted} has no {kind} record in the archive index")
    stores = sorted({row.store_hash for row in rows})
    if len(stores) > 1:
        raise RecordNotFound(f"{wanted} is in stores {', '.join(stores)}; give --store")
    parts = sorted({row.part or "" for row in rows})
    if len(parts) > 1:
        raise RecordNotFound(
            f"{wanted} has {kind} records of parts {', '.join(parts)}; give --part"
        )
    return max(rows, key=lambda row: row.declared_at)


def record_content(otcs: OTCSClient, row: DeclaredRecordRow) -> bytes:
    """The record's document as the ECM holds it, checked against the declared hash."""
    data = otcs.download(row.ecm_node_id)
    digest = hashlib.sha256(data).hexdigest()
    if digest != row.sha256:
        raise ContentAltered(
            f"node {row.ecm_node_id} ({row.ecm_name}) hashes to {digest}, declared as {row.sha256}"
        )
    return data
