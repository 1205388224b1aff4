"""The in-memory node store and every table the RM module keeps beside it.

All mutation goes through `Repository` under one re-entrant lock: handlers run on
the server's event loop while tests call the Python API from other threads, and
"check the name is free, then insert" must be atomic for the collision contract.
"""

from __future__ import annotations

import hashlib
import itertools
import secrets
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sandbox.otcs.transport import ApiError, UploadedFile, node_not_found

FOLDER = 0
CATEGORY = 131
DOCUMENT = 144
ENTERPRISE_VOLUME = 141
PERSONAL_VOLUME = 142
CATEGORY_VOLUME = 133
CLASSIFICATION_VOLUME = 198
RM_CLASSIFICATION = 551
BUSINESS_WORKSPACE = 848

TYPE_NAMES = {
    FOLDER: "Folder",
    CATEGORY: "Category",
    CATEGORY_VOLUME: "Categories Volume",
    DOCUMENT: "Document",
    ENTERPRISE_VOLUME: "Enterprise Workspace",
    PERSONAL_VOLUME: "Personal Workspace",
    CLASSIFICATION_VOLUME: "Classification Volume",
    RM_CLASSIFICATION: "RM Classification",
    BUSINESS_WORKSPACE: "Business Workspace",
}
CONTAINER_TYPES = frozenset(TYPE_NAMES) - {DOCUMENT, CATEGORY}
CREATABLE_TYPES = frozenset({FOLDER, DOCUMENT})


def now_iso() -> str:
    return datetime.now().strftime("%Y-%m-%dT%H:%M:%S")


def new_token() -> str:
    return secrets.token_hex(16)


@dataclass
class Version:
    number: int
    file_name: str
    mime_type: str
    data: bytes
    sha256: str
    description: str
    create_date: str


@dataclass
class Classification:
    """RM record details of one node (S2 field names; `status` is emitted as both spellings)."""

    class_id: int
    rsi: str
    record_date: str
    status: str = "ACTIVE"
    status_date: str = ""
    official: bool = False
    essential: str = "NR"
    storage: str = "EL"
    details: dict[str, Any] = field(default_factory=dict)


@dataclass
class Node:
    id: int
    parent_id: int
    name: str
    type: int
    owner_user_id: int
    created_seq: int
    description: str = ""
    create_date: str = field(default_factory=now_iso)
    modify_date: str = ""
    seeded: bool = False
    children: dict[str, int] = field(default_factory=dict)
    versions: list[Version] = field(default_factory=list)
    categories: dict[int, dict[str, Any]] = field(default_factory=dict)
    category_tokens: dict[int, str] = field(default_factory=dict)
    # Categories this container passes on to items created in it (S1 inheritance calls).
    inherited_categories: set[int] = field(default_factory=set)
    metadata_token: str = field(default_factory=new_token)
    classification: Classification | None = None
    rm_token: str = field(default_factory=new_token)
    holds: set[int] = field(default_factory=set)
    xrefs: list[dict[str, Any]] = field(default_factory=list)
    workspace: dict[str, Any] | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.modify_date = self.modify_date or self.create_date

    @property
    def is_container(self) -> bool:
        return self.type in CONTAINER_TYPES

    @property
    def latest(self) -> Version | None:
        return self.versions[-1] if self.versions else None

    def touch(self) -> None:
        self.modify_date = now_iso()
        self.metadata_token = new_token()


@dataclass
class Hold:
    id: int
    name: str
    type: str
    comment: str
    date_applied: str
    date_to_remove: str
    alternate_id: str
    parent_id: int
    active: bool = True


def _inherit_categories(parent: Node, node: Node) -> None:
    """A new item takes the categories its container passes on, with the container's
    values; a new container passes them on in turn, so whole subtrees inherit."""
    for category_id in parent.inherited_categories & parent.categories.keys():
        node.categories[category_id] = dict(parent.categories[category_id])
        node.category_tokens[category_id] = new_token()
        if node.is_container:
            node.inherited_categories.add(category_id)


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class Repository:
    """Nodes plus the RM tables (holds, RSIs, xref types, codes) behind one lock."""

    def __init__(self, first_dynamic_id: int = 100000) -> None:
        self.lock = threading.RLock()
        self.nodes: dict[int, Node] = {}
        self.holds: dict[int, Hold] = {}
        self.rsis: dict[str, dict[str, Any]] = {}
        self.xref_types: dict[str, dict[str, Any]] = {}
        self.codes: dict[str, list[dict[str, Any]]] = {}
        self.category_defs: dict[int, Any] = {}
        self.workspace_types: dict[int, dict[str, Any]] = {}
        self.file_plan_id = 0
        # Permissions withheld from a member on a node (node id, member id) → names; the
        # admin API sets them, everything else is granted (see permissions.py).
        self.withheld: dict[tuple[int, int], frozenset[str]] = {}
        self._workspace_ids: set[int] = set()
        self._ids = itertools.count(first_dynamic_id)
        self._hold_ids = itertools.count(1)
        self._seq = itertools.count(1)

    def next_hold_id(self) -> int:
        return next(self._hold_ids)

    def get(self, node_id: int, status: int = 400) -> Node:
        node = self.nodes.get(node_id)
        if node is None:
            raise node_not_found(node_id, status)
        return node

    def add(
        self,
        parent_id: int,
        name: str,
        node_type: int,
        *,
        user_id: int,
        node_id: int | None = None,
        collision_status: int = 400,
        seeded: bool = False,
        **attrs: Any,
    ) -> Node:
        """Create a node; the name check and insert are atomic (collision contract)."""
        name = name.strip()
        if not name:
            raise ApiError(400, "Missing required parameter 'name'")
        with self.lock:
            parent = self.nodes.get(parent_id)
            if parent_id != -1:
                if parent is None:
                    raise ApiError(400, f"Could not get a node for {parent_id}")
                if not parent.is_container:
                    raise ApiError(400, f"The node {parent_id} cannot contain items")
                self._ensure_free(parent, name, collision_status)
            node = Node(
                id=node_id if node_id is not None else next(self._ids),
                parent_id=parent_id,
                name=name,
                type=node_type,
                owner_user_id=user_id,
                created_seq=next(self._seq),
                seeded=seeded,
                **attrs,
            )
            self.nodes[node.id] = node
            if parent is not None:
                _inherit_categories(parent, node)
            if node.workspace is not None:
                self._workspace_ids.add(node.id)
            if parent is not None:
                parent.children[name.lower()] = node.id
                parent.touch()
            return node

    def _ensure_free(self, parent: Node, name: str, status: int) -> None:
        if name.lower() in parent.children:
            suffix = "." if status == 500 else ""
            raise ApiError(status, f"An item with the name '{name}' already exists{suffix}")

    def workspaces(self) -> list[Node]:
        """Business workspaces only, so searches do not scan every document."""
        with self.lock:
            return [self.nodes[node_id] for node_id in self._workspace_ids]

    def child_named(self, parent_id: int, name: str) -> Node | None:
        with self.lock:
            parent = self.nodes.get(parent_id)
            child_id = parent.children.get(name.strip().lower()) if parent else None
            return self.nodes.get(child_id) if child_id is not None else None

    def children(self, node: Node) -> list[Node]:
        with self.lock:
            return [self.nodes[child_id] for child_id in node.children.values()]

    def descendants(self, node: Node) -> Iterator[Node]:
        for child in self.children(node):
            yield child
            yield from self.descendants(child)

    def ancestors(self, node: Node) -> Iterator[Node]:
        current = self.nodes.get(node.parent_id)
        while current is not None:
            yield current
            current = self.nodes.get(current.parent_id)

    def path(self, node: Node) -> str:
        names = [n.name for n in reversed(list(self.ancestors(node)))]
        return "/".join([*names, node.name])

    def volume_id(self, node: Node) -> int:
        root = node
        for root in self.ancestors(node):  # noqa: B007 - the last ancestor is the volume
            pass
        return -root.id

    def rename_or_move(
        self, node: Node, name: str | None, parent_id: int | None, collision_status: int
    ) -> None:
        with self.lock:
            new_name = (name or node.name).strip()
            new_parent_id = node.parent_id if parent_id is None else parent_id
            if new_parent_id != node.parent_id:
                self.ensure_mutable(node, "moved")
            target = self.get(new_parent_id)
            if not target.is_container:
                raise ApiError(400, f"The node {new_parent_id} cannot contain items")
            if node.id == new_parent_id or any(a.id == node.id for a in self.ancestors(target)):
                raise ApiError(400, "An item cannot be moved into itself")
            if new_name.lower() != node.name.lower() or new_parent_id != node.parent_id:
                self._ensure_free(target, new_name, collision_status)
            old_parent = self.nodes[node.parent_id]
            del old_parent.children[node.name.lower()]
            node.name, node.parent_id = new_name, new_parent_id
            target.children[new_name.lower()] = node.id
            node.touch()

    def delete(self, node: Node) -> None:
        with self.lock:
            self.ensure_mutable(node, "deleted")
            self.discard(node)

    def discard(self, node: Node) -> None:
        """Remove a subtree without RM checks: rollback of a half-made create, admin reset."""
        with self.lock:
            for item in [node, *self.descendants(node)]:
                self.nodes.pop(item.id, None)
                self._workspace_ids.discard(item.id)
            parent = self.nodes.get(node.parent_id)
            if parent is not None:
                parent.children.pop(node.name.lower(), None)
                parent.touch()

    def effective_holds(self, node: Node) -> list[tuple[int, Node]]:
        """Holds on the node and, inherited, on every container above it."""
        with self.lock:
            owners = [node, *self.ancestors(node)]
            return [(hold_id, owner) for owner in owners for hold_id in sorted(owner.holds)]

    def ensure_mutable(self, node: Node, action: str) -> None:
        """Refuse what an RM system refuses: touching official records or held items.

        A container counts as blocked when anything inside it is, because deleting or
        moving it would delete or move that record too.
        """
        with self.lock:
            blockers = [node, *self.descendants(node)] if node.is_container else [node]
            if self.effective_holds(node):
                hold_id, _ = self.effective_holds(node)[0]
                hold = self.holds.get(hold_id)
                hold_name = hold.name if hold else str(hold_id)
                raise ApiError(
                    400, f"'{node.name}' cannot be {action}: it is under hold '{hold_name}'."
                )
            for item in blockers:
                if item.holds:
                    raise ApiError(
                        400, f"'{node.name}' cannot be {action}: '{item.name}' is under hold."
                    )
                if item.classification is not None and item.classification.official:
                    raise ApiError(
                        400,
                        f"'{node.name}' cannot be {action}: '{item.name}' is an official record.",
                    )

    def add_version(self, node: Node, upload: UploadedFile, description: str) -> Version:
        with self.lock:
            if node.type != DOCUMENT:
                raise ApiError(400, f"The node {node.id} does not accept versions")
            if node.versions:
                self.ensure_mutable(node, "given a new version")
            version = Version(
                number=len(node.versions) + 1,
                file_name=upload.filename,
                mime_type=upload.content_type,
                data=upload.data,
                sha256=sha256_hex(upload.data),
                description=description,
                create_date=now_iso(),
            )
            node.versions.append(version)
            node.touch()
            return version
