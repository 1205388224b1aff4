"""Taking seeded pieces away, so a test can show what a server that lacks them looks like.

Each function removes one thing the seed provides (an RSI, a workspace type, a category
attribute, a node) or withholds permissions from the account on a node; `bcrm ecm check`
must then name exactly that. Only the admin API calls these: a real server's
administrators do the same in its admin pages, not through the REST API.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from sandbox.otcs.repository import Repository


class NotSeeded(LookupError):
    """The thing to remove is not there."""


def remove_rsi(repo: Repository, code: str) -> None:
    with repo.lock:
        if repo.rsis.pop(code, None) is None:
            raise NotSeeded(f"no RSI {code!r}")


def remove_workspace_type(repo: Repository, bo_type: str) -> None:
    with repo.lock:
        ids = [i for i, t in repo.workspace_types.items() if t["bo_type"] == bo_type]
        if not ids:
            raise NotSeeded(f"no workspace type for business object type {bo_type!r}")
        for type_id in ids:
            del repo.workspace_types[type_id]


def remove_attribute(repo: Repository, category_id: int, name: str) -> None:
    with repo.lock:
        definition: Any = repo.category_defs.get(category_id)
        if definition is None:
            raise NotSeeded(f"no category {category_id}")
        kept = tuple(a for a in definition.attributes if a.name != name)
        if len(kept) == len(definition.attributes):
            raise NotSeeded(f"category {definition.name!r} has no attribute {name!r}")
        repo.category_defs[category_id] = replace(definition, attributes=kept)


def remove_node(repo: Repository, node_id: int) -> None:
    """The node and everything below it, without RM checks (an administrator's purge)."""
    with repo.lock:
        node = repo.nodes.get(node_id)
        if node is None:
            raise NotSeeded(f"no node {node_id}")
        repo.discard(node)


def withhold_permissions(repo: Repository, node_id: int, member_id: int, names: list[str]) -> None:
    """From now on the member lacks `names` on the node (an empty list restores all)."""
    with repo.lock:
        if node_id not in repo.nodes:
            raise NotSeeded(f"no node {node_id}")
        repo.withheld[(node_id, member_id)] = frozenset(names)
