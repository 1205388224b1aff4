"""Where declare files a record: the workspace or folder path its placement names and the
folders below it, their node ids remembered in Redis for the whole fleet.

Finding a container costs Content Server calls (a workspace search, a listing per
folder), and every record of an order would ask again what the first one learnt, while
the fleet declares an order's documents at the same time. So an id, once found or made,
is kept in Redis, shared by every worker, for `TTL_S`. It is kept under the container's
business identity (workspace type and business object, or the folder path from the
root) and the server's URL, never under a bare parent id: a node id means nothing on
another server, or on an emulator started afresh, which numbers its nodes from the same
seed again.

One resolution at a time per container: the first worker to miss takes a short lock and
finds or makes it; the others wait (up to `WAIT_S`) for its answer instead of searching
and racing it to create. A holder that dies frees the lock after `LOCK_S`, and a waiter
that gives up resolves on its own, which `find_or_create` keeps safe anyway. A folder
is looked up by listing its parent's containers, and every one listed is remembered (a
workspace's template makes its folders together); sibling folders share the parent's
lock, so one listing answers for all of them.

What someone else changes in the ECM: a remembered node that is gone (deleted, or inside
a deleted workspace) answers "not found" where declare uses it; declare then forgets the
placement's ids and finds or makes them again (`fresh_on_not_found`). A renamed or moved
folder keeps its id, so records go on being filed where the earlier ones of that order
are; once the id is no longer remembered, a lookup by name makes the folder anew beside
it (as it always did).
"""

from __future__ import annotations

import hashlib
import logging
import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import partial
from typing import Protocol, TypeVar, cast
from urllib.parse import quote

import redis

from pipeline.core import keys
from pipeline.core.contract import Placement
from pipeline.core.errors import PermanentError
from pipeline.integrations.otcs.client import OTCSClient
from pipeline.integrations.otcs.errors import NodeNotFound
from pipeline.integrations.otcs.nodes import same_name
from pipeline.runtime.log import log_event

EXTERNAL_SYSTEM = "BigCommerce"
# Long enough for an order's documents, which arrive within minutes of each other, and
# its refunds and shipments days later; short enough that ids of old orders leave Redis.
TTL_S = 7 * 24 * 3600
LOCK_S = 10.0
# Below every task's soft time limit, so a waiter still has time to resolve on its own.
WAIT_S = 3.0
POLL_S = 0.02

# `where_type` for containers only (S1 browse).
CONTAINERS = -1
Address = tuple[str, ...]
T = TypeVar("T", bound=int | None)
R = TypeVar("R")

# Compare-and-delete: free the lock only if this resolution still holds it.
_RELEASE = """
if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end
return 0
"""


class ContainerMissing(PermanentError):
    """A folder path a placement names does not exist in the ECM: its set-up is incomplete,
    and creating a top-level records folder is a records manager's decision, not ours."""


def server_scope(base_url: str) -> str:
    """A stable key part per Content Server: node ids are only unique on one server."""
    return hashlib.sha256(base_url.rstrip("/").encode()).hexdigest()[:16]


class ContainerIds(Protocol):
    """Where declare gets container ids: remembered, or asked of the ECM every time."""

    def resolved(
        self, address: Address, resolve: Callable[[], T], lock: Address | None = None
    ) -> T:
        """The id at `address`, from `resolve()` unless known (None is never kept); one
        resolution at a time per `lock` (default: the address itself)."""
        ...

    def remember(self, address: Address, node_id: int) -> None:
        """Keep an id learnt on the way (a folder beside the one looked up)."""
        ...

    def forget(self, addresses: Iterable[Address]) -> None:
        """The ECM said one of these nodes is gone: look them up again next time."""
        ...


class AskEveryTime:
    """No memory: every declare looks its containers up (the sequence before issue 18)."""

    def resolved(
        self, address: Address, resolve: Callable[[], T], lock: Address | None = None
    ) -> T:
        return resolve()

    def remember(self, address: Address, node_id: int) -> None:
        return None

    def forget(self, addresses: Iterable[Address]) -> None:
        return None


class RememberedIds:
    """Container ids in Redis, shared by the fleet; see the module docstring."""

    def __init__(self, client: redis.Redis, server: str) -> None:
        self._redis = client
        self._server = server
        self._release = client.register_script(_RELEASE)

    @staticmethod
    def _text(address: Address) -> str:
        return "/".join(quote(part, safe="") for part in address)

    def _key(self, address: Address) -> str:
        return keys.otcs_node_id(self._server, self._text(address))

    def _known(self, key: str) -> int | None:
        value = self._redis.get(key)
        return int(value) if value is not None else None

    def resolved(
        self, address: Address, resolve: Callable[[], T], lock: Address | None = None
    ) -> T:
        key = self._key(address)
        known = self._known(key)
        if known is not None:
            return cast(T, known)  # a kept id is an int, which every T admits
        lock_key = keys.otcs_node_id_lock(self._server, self._text(lock or address))
        owner = uuid.uuid4().hex
        held = bool(self._redis.set(lock_key, owner, nx=True, px=int(LOCK_S * 1000)))
        if not held:
            known = self._awaited(key, lock_key)
            if known is not None:
                return cast(T, known)
        try:
            value = resolve()
            if value is not None:
                self._redis.set(key, value, ex=TTL_S)
            return value
        finally:
            if held:
                self._release(keys=[lock_key], args=[owner])

    def _awaited(self, key: str, lock: str) -> int | None:
        """What the lock holder found, once it has; None if it found nothing or took
        longer than `WAIT_S`."""
        deadline = time.monotonic() + WAIT_S
        while time.monotonic() < deadline:
            if not self._redis.exists(lock):
                return self._known(key)
            time.sleep(POLL_S)
        log_event("declare.container_wait_timeout", logging.INFO, key=key)
        return None

    def remember(self, address: Address, node_id: int) -> None:
        self._redis.set(self._key(address), node_id, ex=TTL_S)

    def forget(self, addresses: Iterable[Address]) -> None:
        stale = [self._key(address) for address in addresses]
        if stale:
            self._redis.delete(*stale)
            log_event("declare.container_ids_forgotten", logging.INFO, count=len(stale))


def workspace_address(workspace_type: str, business_object_id: str) -> Address:
    return ("workspace", EXTERNAL_SYSTEM, workspace_type, business_object_id)


def base_address(placement: Placement, root_id: int) -> Address:
    """The container's identity: its workspace's business object, or its path."""
    if placement.workspace is not None:
        workspace = placement.workspace
        return workspace_address(workspace.type, workspace.business_object_id)
    return ("path", str(root_id), placement.root_path or "")


def _find_or_make(otcs: OTCSClient, placement: Placement, root_id: int) -> int:
    if placement.workspace is not None:
        workspace = placement.workspace
        return otcs.ensure_workspace(
            EXTERNAL_SYSTEM, workspace.type, workspace.business_object_id, workspace.name
        )
    path = placement.root_path or ""
    node = otcs.resolve_path(root_id, path)
    if node is None:
        raise ContainerMissing(f"no folder {path!r} under node {root_id} in the ECM")
    return node.id


def container(otcs: OTCSClient, ids: ContainerIds, placement: Placement, root_id: int) -> int:
    """The workspace (found or created) or existing folder path the record goes under."""
    return ids.resolved(
        base_address(placement, root_id), lambda: _find_or_make(otcs, placement, root_id)
    )


def addresses(placement: Placement, root_id: int) -> list[Address]:
    """The container's address, then each folder's below it."""
    found = [base_address(placement, root_id)]
    for name in placement.folders:
        found.append((*found[-1], name))
    return found


@dataclass(frozen=True)
class Place:
    """The container and innermost folder of a placement."""

    container_id: int
    folder_id: int


def _folder(otcs: OTCSClient, ids: ContainerIds, address: Address, parent_id: int) -> int:
    """The folder at `address` in `parent_id`, made when missing. One listing of the
    parent's containers answers for its other folders too, which are remembered with it:
    a workspace's template makes them all at once, and its records fill them soon after."""
    listed = list(otcs.children(parent_id, where_type=CONTAINERS))
    for node in listed:
        ids.remember((*address[:-1], node.name), node.id)
    found = next((node.id for node in listed if same_name(node.name, address[-1])), None)
    return found if found is not None else otcs.ensure_folder(parent_id, address[-1])


def place(otcs: OTCSClient, ids: ContainerIds, placement: Placement, root_id: int) -> Place:
    """The placement's container and its folders, each made when missing."""
    container_id = folder_id = container(otcs, ids, placement, root_id)
    for address in addresses(placement, root_id)[1:]:
        # Sibling folders share the parent's lock: its one listing answers for them all.
        resolve = partial(_folder, otcs, ids, address, folder_id)
        folder_id = ids.resolved(address, resolve, lock=address[:-1])
    return Place(container_id, folder_id)


def existing_folder(
    otcs: OTCSClient, ids: ContainerIds, address: Address, parent_id: int
) -> int | None:
    """A folder someone else files into (never made here; `address` ends in its name,
    `parent_id` is the node it is in): its id, or None if there is none."""
    return ids.resolved(
        address, lambda: node.id if (node := otcs.find_child(parent_id, address[-1])) else None
    )


def existing_workspace(
    otcs: OTCSClient, ids: ContainerIds, workspace_type: str, business_object_id: str
) -> int | None:
    """The workspace of a business object if there is one (never made here)."""
    return ids.resolved(
        workspace_address(workspace_type, business_object_id),
        lambda: (
            node.id
            if (node := otcs.find_workspace(EXTERNAL_SYSTEM, workspace_type, business_object_id))
            else None
        ),
    )


def fresh_on_not_found(ids: ContainerIds, stale: Iterable[Address], act: Callable[[], R]) -> R:
    """`act()`, and once more after forgetting the ids at `stale` if the ECM says a node
    it used is gone: a remembered container deleted by someone else is found or made
    again. A second "not found" is the ECM's answer."""
    try:
        return act()
    except NodeNotFound as error:
        log_event("declare.container_gone", logging.WARNING, error=str(error))
        ids.forget(stale)
        return act()
