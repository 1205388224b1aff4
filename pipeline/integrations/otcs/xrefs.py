"""Cross-references between records (reference §7.5).

They tie related records together (order, invoice, refund, shipment) and link a
correction to the record it supersedes, since declared records are never changed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pipeline.integrations.otcs import envelopes
from pipeline.integrations.otcs.errors import AlreadyExists
from pipeline.integrations.otcs.transport import Transport


@dataclass(frozen=True)
class CrossReference:
    xref_type: str
    target_id: int
    comment: str


class CrossReferenceOperations(Transport):
    def add_cross_reference(
        self, node_id: int, target_id: int, xref_type: str, comment: str = ""
    ) -> None:
        """Idempotent: an existing identical link counts as done."""
        fields: dict[str, Any] = {"xref_type": xref_type, "xref_id": target_id, "comment": comment}
        try:
            self.request("POST", f"v1/nodes/{node_id}/xrefs", fields=fields)
        except AlreadyExists:
            if not any(
                x.xref_type == xref_type and x.target_id == target_id
                for x in self.cross_references(node_id)
            ):
                raise

    def xref_types(self) -> frozenset[str]:
        """The cross-reference types the server defines (`GET /v1/xrefs`, S2)."""
        return frozenset(
            str(row["xref_type"]) for row in envelopes.data_rows(self.request("GET", "v1/xrefs"))
        )

    def cross_references(self, node_id: int) -> list[CrossReference]:
        rows = envelopes.data_rows(self.request("GET", f"v1/nodes/{node_id}/xrefs"))
        return [
            CrossReference(str(row["xref_type"]), int(row["xref_id"]), str(row.get("comment", "")))
            for row in rows
        ]
