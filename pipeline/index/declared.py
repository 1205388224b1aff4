"""The index row of a record declare has just filed: the bridge declare calls.

It builds the row from exactly what declare filed (the category attributes, the RM
classification, the node) through `row_from_attributes`, the function a rebuild uses on
what it reads back, so the two cannot drift apart. `declared_at` is the node's creation
time in the ECM, not the worker's clock: a rebuild can only know the former.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import TYPE_CHECKING, Any

from pipeline.index.rows import DeclaredRecordRow, ecm_time, row_from_attributes
from pipeline.integrations.otcs.envelopes import Node

if TYPE_CHECKING:
    from pipeline.records.declare import DeclaredRecord


def declared_row(
    node: Node,
    message: Mapping[str, Any],
    declared: DeclaredRecord,
    supersedes: Sequence[int],
) -> DeclaredRecordRow:
    """The row for a declare `message` (with `record_class`, as the classify stage hands
    it on) filed as `declared` in `node` (as the upload's answer or the folder listing
    described it: its name and creation time), linked SUPERSEDES to the nodes `supersedes`.

    The SHA-256 is the one the ECM holds (`declared.sha256`), not the message's: an
    adopted record keeps the bytes its first upload filed, and a re-render after the order
    moved on (a status, a shipped count) differs in bytes while it is the same record."""
    record_class = message["record_class"]
    return row_from_attributes(
        {**record_class["category_attributes"], "SHA-256": declared.sha256},
        ecm_name=node.name,
        ecm_node_id=node.id,
        rsi=record_class["rsi"],
        record_date=date.fromisoformat(record_class["record_date"][:10]),
        declared_at=ecm_time(str(node.properties["create_date"])),
        supersedes=supersedes,
    )
