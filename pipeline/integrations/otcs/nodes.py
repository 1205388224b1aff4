"""Folders and node lookups, and the find-or-create rule every idempotent write uses.

Declare files each record under a deterministic name in a deterministic container,
so the server's own name-uniqueness check is the arbiter between racing workers:
whoever loses the create sees a collision and adopts the winner's node.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import TypeVar

from pipeline.integrations.otcs import envelopes
from pipeline.integrations.otcs.envelopes import Node
from pipeline.integrations.otcs.errors import AlreadyExists, NameCollision, OTCSUnavailable
from pipeline.integrations.otcs.transport import Transport
from pipeline.runtime.log import log_event

T = TypeVar("T")
FOLDER = 0


def find_or_create(
    what: str,
    find: Callable[[], T | None],
    create: Callable[[], T],
    collision: type[Exception] | tuple[type[Exception], ...] = AlreadyExists,
) -> T:
    """Find, else create; a collision on create means a racer won, so find again.

    "Exists but not found" happens when a search index lags behind the insert; it is
    reported as transient so the stage retries once the winner has become visible.
    Callers whose server signals duplicates only by a generic refusal pass a wider
    `collision`; such a refusal with nothing found is re-raised as it came.
    """
    found = find()
    if found is not None:
        return found
    try:
        return create()
    except collision as error:
        found = find()
        if found is None and isinstance(error, AlreadyExists):
            raise OTCSUnavailable(f"{what}: created concurrently but not found yet") from error
        if found is None:
            raise
        log_event("otcs.adopted", what=what)
        return found


def same_name(a: str, b: str) -> bool:
    """Content Server compares names case-insensitively (emulator choice; real: unconfirmed)."""
    return a.strip().casefold() == b.strip().casefold()


class NodeOperations(Transport):
    def node(self, node_id: int) -> Node:
        payload = self.request("GET", f"v2/nodes/{node_id}", params={"fields": "properties"})
        return envelopes.node(payload)

    def children(
        self, parent_id: int, *, where_name: str | None = None, where_type: int | None = None
    ) -> Iterator[Node]:
        params = {"fields": "properties", "where_name": where_name, "where_type": where_type}
        for page in self.pages(f"v2/nodes/{parent_id}/nodes", params):
            yield from envelopes.nodes(page)

    def find_child(self, parent_id: int, name: str) -> Node | None:
        """`where_name` is not an exact match (substring on some servers), so re-filter."""
        matches = [n for n in self.children(parent_id, where_name=name) if same_name(n.name, name)]
        return next((n for n in matches if n.name == name), matches[0] if matches else None)

    def validate_names(self, parent_id: int, names: Iterable[str]) -> dict[str, int]:
        """Which of `names` are taken under `parent_id`: name → existing node id."""
        payload = self.request(
            "POST",
            "v1/validation/nodes/names",
            body={"parent_id": parent_id, "names": list(names)},
        )
        return {str(row["name"]): int(row["id"]) for row in payload.get("results") or []}

    def create_folder(self, parent_id: int, name: str) -> int:
        body = {"type": FOLDER, "parent_id": parent_id, "name": name}
        return envelopes.created_id(self.request("POST", "v2/nodes", body=body))

    def ensure_folder(self, parent_id: int, name: str) -> int:
        """The folder `name` under `parent_id`, created unless it is there already."""

        def find() -> int | None:
            node = self.find_child(parent_id, name)
            if node is not None and not node.is_container:
                message = f"'{name}' exists under {parent_id} but is not a container"
                raise NameCollision(0, message, f"GET /v2/nodes/{parent_id}/nodes")
            return node.id if node is not None else None

        return find_or_create(
            f"folder {name!r} in {parent_id}", find, lambda: self.create_folder(parent_id, name)
        )

    def resolve_path(self, root_id: int, path: str) -> Node | None:
        """The node at `a/b/c` below `root_id`, or None if any step is missing."""
        node: Node | None = None
        for name in (part for part in path.split("/") if part):
            node = self.find_child(node.id if node else root_id, name)
            if node is None:
                return None
        return node

    def delete_node(self, node_id: int) -> None:
        """Refused with RecordLocked for official records and anything under hold."""
        self.request("DELETE", f"v2/nodes/{node_id}")
