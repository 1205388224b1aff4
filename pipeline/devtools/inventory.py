"""The ECM emulator's inventory against what the store owes: the exactly-once check that
ends `bcrm demo` and every `bcrm chaos` scenario.

It reads the emulator's admin inventory (every node, wherever it was filed), so it sees
what a REST walk of the order workspaces cannot: a second workspace for one order, a
document filed twice, a declared record that gained a version.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import requests

from pipeline.core.errors import PermanentError
from pipeline.flows.commerce.documents import DocumentRef
from pipeline.ops.reconcile import owed_documents
from pipeline.records.declare import ecm_name
from pipeline.runtime import clients, services

WORKSPACE_TYPE = 848
DOCUMENT_TYPE = 144


@dataclass
class InventoryCheck:
    """Due documents by outcome. `lost` are neither in the ECM nor dead-lettered: the
    pipeline dropped them. A dead-lettered document waits for a person, with its reason."""

    orders: int = 0
    due: int = 0
    present_once: int = 0
    # Orders no document can be made from, refused at fetch: each is one dead letter
    # standing for documents nobody can count yet (so not in `due`).
    orders_refused: int = 0
    lost: list[str] = field(default_factory=list)
    dead_lettered: list[str] = field(default_factory=list)
    duplicated: list[str] = field(default_factory=list)
    disagree: list[str] = field(default_factory=list)
    records_declared: int = 0
    earlier_versions: int = 0
    records_per_kind: dict[str, int] = field(default_factory=dict)
    records_per_rsi: dict[str, int] = field(default_factory=dict)

    @property
    def problems(self) -> list[str]:
        return [*self.lost, *self.duplicated, *self.disagree, *self.dead_lettered]


@dataclass
class Owed:
    """What the store owes now: ECM name → reference of every due document, and the
    orders whose data no document can be made from (the fetch refuses them too)."""

    documents: dict[str, DocumentRef] = field(default_factory=dict)
    orders: int = 0
    unreadable: dict[int, str] = field(default_factory=dict)


def owed_by_store(store_hash: str) -> Owed:
    client = clients.bigcommerce(store_hash)
    owed = Owed()
    for order in client.iter_orders(include=()):
        owed.orders += 1
        order_id = int(order["id"])
        try:
            refs = owed_documents(client, store_hash, order_id)
        except PermanentError as exc:
            owed.unreadable[order_id] = f"{type(exc).__name__}: {exc}"
            continue
        owed.documents.update((ecm_name(ref), ref) for ref in refs)
    return owed


def _fetch_states(store_hash: str, order_id: int) -> dict[str, set[str]]:
    """Ledger states of every fetch of the order (one per event that triggered one)."""
    return services.ledger().states_with_prefix(f"{store_hash}:order:{order_id}:")


def check_inventory(otcs_admin_url: str, store_hash: str) -> InventoryCheck:
    """Every due document present exactly once, as a declared record with the ledger's
    node id and hash; nothing filed twice anywhere in the store's workspaces."""
    nodes = requests.get(otcs_admin_url + "/inventory", timeout=120).json()["nodes"]
    marker = f"Order {store_hash}-"
    documents = [n for n in nodes if n["type"] == DOCUMENT_TYPE and marker in n["path"]]
    workspaces = [n for n in nodes if n["type"] == WORKSPACE_TYPE and marker in n["name"]]
    by_name: dict[str, list[dict[str, Any]]] = {}
    for node in documents:
        by_name.setdefault(node["name"], []).append(node)
    owed = owed_by_store(store_hash)
    expected = owed.documents
    check = InventoryCheck(orders=owed.orders, due=len(expected), records_declared=len(documents))
    for order_id, reason in sorted(owed.unreadable.items()):
        fetches = _fetch_states(store_hash, order_id)
        refused = bool(fetches.get("dead_lettered"))
        check.orders_refused += refused
        target = check.dead_lettered if refused else check.lost
        target.append(f"order {order_id}: no documents can be made ({reason})")
    check.duplicated = _filed_twice(by_name, workspaces)
    ledger = services.ledger()
    names = sorted(expected)
    records = ledger.get_many(expected[name].record_key for name in names)
    for name, record in zip(names, records, strict=True):
        found = by_name.get(name, [])
        state = record.get("state", "absent")
        if not found:
            target = check.dead_lettered if state == "dead_lettered" else check.lost
            target.append(f"{name}: not in the ECM (ledger: {state})")
        elif state != "declared" or (record.get("sha256"), record.get("target_id")) != (
            found[0]["sha256"],
            str(found[0]["id"]),
        ):
            check.disagree.append(f"{name}: ledger ({state}) and ECM disagree")
        elif len(found) == 1:
            check.present_once += 1
    check.earlier_versions = len(set(by_name) - set(expected))
    kinds = Counter(ref.kind.value for name, ref in expected.items() if name in by_name)
    rsis = Counter((n.get("classification") or {}).get("rsi", "none") for n in documents)
    check.records_per_kind = dict(sorted(kinds.items()))
    check.records_per_rsi = dict(sorted(rsis.items()))
    return check


def _filed_twice(
    by_name: dict[str, list[dict[str, Any]]], workspaces: list[dict[str, Any]]
) -> list[str]:
    """A name filed more than once, a document with a second version, a second workspace
    for one order: each is a record the pipeline made twice."""
    found = [
        f"{name}: present {len(nodes)} times" for name, nodes in by_name.items() if len(nodes) > 1
    ]
    for nodes in by_name.values():
        found += [
            f"{n['path']}: {len(n['versions'])} versions" for n in nodes if len(n["versions"]) > 1
        ]
    counts = Counter(w["name"] for w in workspaces)
    return found + [
        f"workspace {name}: {count} times" for name, count in counts.items() if count > 1
    ]
