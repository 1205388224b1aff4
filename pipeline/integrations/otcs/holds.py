"""Holds (legal, administrative): the hold table and holds on nodes.

A hold freezes what it covers, including everything inside a held container: the
server then refuses deletes, moves and new versions (RecordLocked).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from pipeline.integrations.otcs import envelopes
from pipeline.integrations.otcs.errors import OTCSRefused
from pipeline.integrations.otcs.nodes import find_or_create
from pipeline.integrations.otcs.transport import Transport


@dataclass(frozen=True)
class Hold:
    id: int
    name: str
    type: str
    active: bool


@dataclass(frozen=True)
class NodeHold:
    hold_id: int
    name: str
    direct: bool  # False when inherited from a container above the node


class HoldOperations(Transport):
    def holds(self) -> list[Hold]:
        return [
            Hold(
                id=int(row["HoldID"]),
                name=str(row["HoldName"]),
                type=str(row.get("HoldType", "")),
                active=bool(row.get("ActiveHold")),
            )
            for page in self.pages("v2/holds")
            for row in envelopes.results_data(page).get("holds") or []
        ]

    def find_hold(self, name: str) -> Hold | None:
        return next((hold for hold in self.holds() if hold.name == name), None)

    def create_hold(
        self,
        name: str,
        hold_type: str,
        *,
        comment: str = "",
        date_applied: date | None = None,
        alternate_id: str | None = None,
    ) -> int:
        """Flat form fields, as the clients that create holds send them (S4, S8)."""
        payload = self.request(
            "POST",
            "v1/holds",
            fields={
                "name": name,
                "type": hold_type,
                "comment": comment,
                "date_applied": date_applied or date.today(),
                "alternate_id": alternate_id,
            },
        )
        return int(payload["holdID"])

    def ensure_hold(self, name: str, hold_type: str, *, comment: str = "") -> int:
        """Find-or-create by name. A duplicate name is refused with a generic 400
        ("Could not insert into the Hold Disposition table", S2), hence any refusal
        is worth a second look."""
        return find_or_create(
            f"hold {name!r}",
            lambda: hold.id if (hold := self.find_hold(name)) else None,
            lambda: self.create_hold(name, hold_type, comment=comment),
            collision=OTCSRefused,
        )

    def apply_hold(self, node_id: int, hold_id: int) -> None:
        self.request("POST", f"v1/nodes/{node_id}/holds", body={"hold_id": hold_id})

    def remove_hold(self, node_id: int, hold_id: int) -> None:
        self.request("DELETE", f"v1/nodes/{node_id}/holds/{hold_id}")

    def held_node_ids(self, hold_id: int) -> set[int]:
        """The nodes that carry the hold themselves (`GET /v2/holditems/{id}`, S2; rows
        under `results.data.items`, the emulator's reading of that listing): one paged
        listing instead of a call per node."""
        return {
            int(row["id"])
            for page in self.pages(f"v2/holditems/{hold_id}")
            for row in envelopes.results_data(page).get("items") or []
        }

    def apply_hold_batch(self, node_ids: list[int], hold_id: int) -> None:
        """One hold on many nodes in one call (`POST /v1/rmclassifications/applyhold`,
        `ids` and `holdID`, S2)."""
        if node_ids:
            self.request(
                "POST", "v1/rmclassifications/applyhold", body={"ids": node_ids, "holdID": hold_id}
            )

    def remove_hold_batch(self, node_ids: list[int], hold_id: int) -> None:
        """`POST /v1/rmclassifications/removehold`, the batch's counterpart (S2)."""
        if node_ids:
            self.request(
                "POST", "v1/rmclassifications/removehold", body={"ids": node_ids, "holdID": hold_id}
            )

    def node_holds(self, node_id: int) -> list[NodeHold]:
        """Direct and inherited holds; only direct ones can be removed from this node."""
        rows = envelopes.data_rows(self.request("GET", f"v1/nodes/{node_id}/holds"))
        return [
            NodeHold(
                hold_id=int(row["hold_id"]),
                name=str(row.get("hold_name", "")),
                direct=str(row.get("hold_appliedmethod", "Direct")) == "Direct",
            )
            for row in rows
        ]
