"""Recalls: a recall decided while the store keeps selling the recalled SKU, workers are
SIGKILLed, BigCommerce loses the answers of the catalog writes it applies and Content
Server fails the calls that apply holds.

The driver picks the product the store's own orders sell most, opens a recall of its
SKU in the ECM as one person and decides it as another (`demo_recalls.open_and_decide`),
then, for 10 s (120 s long), places an order of it every 1–2 s while a worker node or
pool process is SIGKILLed every 3–6 s, every catalog write is applied with its answer
lost (the takedown's), and Content Server answers 20 % of the hold calls (`applyhold`,
`holditems`, node holds) with a 503 and 5 % with an HTML error page. Once the takedown
has ended, someone asks to sell the product again: a `product_launch` request, approved
by another person, which the recall gate must refuse. The faults stay on until then.

The verdict, beyond the runner's inventory (every record exactly once), from what the
systems hold themselves:

- every order of the store that sold the product (its own order data, read through the
  API, not our index) is one of the recall's affected orders;
- every record of every affected order, and the recall's workspace, carries the recall's
  hold directly exactly once (the OTCS emulator's hold records);
- the product was written exactly once (the BigCommerce emulator's write log: the
  takedown, no re-enabling write), is off sale, and its takedown has one receipt;
- the re-enable request is refused by the recall gate, with one refusal record.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable
from typing import Any

from pipeline.devtools.approvals_staff import hire, person
from pipeline.devtools.chaos.deliveries import place_order
from pipeline.devtools.chaos.scenario import Scenario
from pipeline.devtools.chaos.scenarios.workers import killing
from pipeline.devtools.chaos.world import ChaosWorld
from pipeline.devtools.demo_approvals import settled
from pipeline.devtools.demo_recalls import (
    DECIDER,
    OPENER,
    held_as,
    open_and_decide,
    receipt_node,
    request_reenable,
    takedown_results,
)
from pipeline.flows.approvals import change_requests
from pipeline.flows.approvals.policy import policy
from pipeline.index.recalls import ORDER
from pipeline.integrations.bigcommerce.client import BigCommerceClient
from pipeline.runtime import clients, services

RUN_S = {False: 10.0, True: 120.0}
ORDER_EVERY_S = (1.0, 2.0)
KILL_S = (3.0, 6.0)
# The takedown and the re-enable's refusal, under the faults, at most this long each.
OUTCOME_S = 120.0
HOLD_ROUTES = [
    "POST /v1/rmclassifications/applyhold", "GET /v2/holditems/{hold_id}",
    "GET /v1/holds", "GET /v2/holds", "POST /v1/holds",
    "GET /v1/nodes/{id}/holds", "POST /v1/nodes/{id}/holds",
]  # fmt: skip
CATALOG = "/v3/catalog/products/"


def _orders_selling(
    client: BigCommerceClient, product_id: int | None = None
) -> dict[int, set[int]]:
    """The store's own order data: by product, the orders that sold it (every product,
    or only `product_id`)."""
    found: dict[int, set[int]] = {}
    for order in client.iter_orders(include=(), sort="id:asc"):
        for line in client.get_v2(f"/orders/{order['id']}/products"):
            product = int(line["product_id"])
            if product_id is None or product == product_id:
                found.setdefault(product, set()).add(int(order["id"]))
    return found


def _wait(condition: Callable[[], bool], seconds: float) -> bool:
    until = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > until:
            return False
        time.sleep(0.5)
    return True


def drive(world: ChaosWorld, long: bool) -> list[str]:
    store = world.store_hash
    client, service = clients.bigcommerce(store), clients.otcs()
    staff = hire(service, policy())
    opener, decider = person(service, OPENER), person(service, DECIDER)
    selling = _orders_selling(client)
    product_id = max(selling, key=lambda p: (len(selling[p]), -p))
    sku = str(client.get_v3(f"/catalog/products/{product_id}")["sku"])
    kills: Counter[str] = Counter()
    placed: list[int] = []
    problems: list[str] = []
    with killing(world, KILL_S, kills):
        world.set_faults("bigcommerce", {"lost_answer_rate": 1.0, "families": ["catalog"]},
                         "every catalog write applied, its answer lost")  # fmt: skip
        faults = {"error_rate": 0.2, "error_status": 503, "html_error_rate": 0.05,
                  "routes": HOLD_ROUTES, "seed": world.rng.randrange(2**31)}  # fmt: skip
        world.set_faults("otcs", faults, "20 % of hold calls 503, 5 % HTML 200")
        try:
            recall_id = open_and_decide(opener, decider, store, sku)
            world.kept.update(recall_id=recall_id, product_id=product_id)
            world.note(f"recall {recall_id} of {sku} (product {product_id}) opened and decided")
            end = time.monotonic() + RUN_S[long]
            while time.monotonic() < end:
                placed.append(place_order(world, 1, product_id))
                world.pause(*ORDER_EVERY_S)
            if not _wait(lambda: takedown_results(store, recall_id) is not None, OUTCOME_S):
                problems.append(f"recall {recall_id}: no takedown within {OUTCOME_S:.0f} s")
            change = request_reenable(staff, store, product_id)
            world.kept["reenable"] = change.id
            world.note(f"{change.id}: product {product_id} back on sale, approved")
            _wait(lambda: settled(store, service, change.id, "refused"), OUTCOME_S)
        finally:
            for system in ("bigcommerce", "otcs"):
                world.sandbox.admin(system, "DELETE", "/faults")
            world.note("bigcommerce and otcs: faults cleared")
    world.figures.update(kills=dict(kills), orders_of_the_sku_placed=len(placed))
    return problems


def _found(world: ChaosWorld, recall_id: str, product_id: int) -> list[str]:
    """Every order the store says sold the product is an affected order of the recall."""
    store = world.store_hash
    sold = _orders_selling(clients.bigcommerce(store), product_id).get(product_id, set())
    found = set(services.archive_index().recalls.orders(store, recall_id))
    world.figures.update(affected_orders=len(found), orders_selling_the_sku=len(sold))
    missing = sorted(sold - found)
    return [f"recall {recall_id}: orders {missing} sold the product, not found"] if missing else []


def _held(world: ChaosWorld, recall_id: str, nodes: dict[int, dict[str, Any]]) -> list[str]:
    """The workspace and every record of every affected order hold the hold once."""
    store = world.store_hash
    index = services.archive_index()
    recall = index.recalls.get(store, recall_id)
    if recall is None:
        return [f"recall {recall_id} is not in the archive index"]
    wanted = {recall.workspace_id} if recall.workspace_id else set()
    for order_id in index.recalls.orders(store, recall_id):
        wanted |= {r.ecm_node_id for r in index.records_of_subject(store, ORDER, str(order_id))}
    problems = []
    for node_id in sorted(wanted):
        how = held_as(nodes[node_id], recall.hold_name) if node_id in nodes else []
        if how != ["Direct"]:
            problems.append(f"node {node_id} carries {recall.hold_name} as {how}, not once")
    world.figures["records_on_hold"] = len(wanted - {recall.workspace_id})
    return problems


def _off_sale_once(
    world: ChaosWorld, recall_id: str, product_id: int, nodes: dict[int, dict[str, Any]]
) -> list[str]:
    """One write of the product (the takedown), off sale now, one receipt."""
    store = world.store_hash
    writes = world.sandbox.admin("bigcommerce", "GET", "/writes")["writes"]
    ours = [w for w in writes if w["path"] == f"{CATALOG}{product_id}"]
    live = clients.bigcommerce(store).get_v3(f"/catalog/products/{product_id}")
    results = takedown_results(store, recall_id) or {}
    receipts = [receipt_node(list(nodes.values()), change_id) for change_id in results]
    world.figures.update(
        product_writes=len(ours),
        writes_whose_answer_was_lost=sum(not w["answered"] for w in ours),
        takedown=sorted(str(r["result"]) for r in results.values()),
    )
    problems = []
    if len(ours) != 1:
        problems.append(f"product {product_id} written {len(ours)} times, not once")
    if live["availability"] != "disabled" or live["is_visible"]:
        problems.append(f"product {product_id} is on sale: {live['availability']}")
    if not results or any(r is None for r in receipts):
        problems.append(f"recall {recall_id}: takedown {results} without one receipt each")
    return problems


def _reenable_refused(world: ChaosWorld, change_id: str, nodes: list[dict[str, Any]]) -> list[str]:
    service = clients.otcs()
    node = change_requests.read_request(service, change_id).node_id
    facts = change_requests.facts_of(service, node)
    folder = f"{change_requests.workspace_name(change_id)}/{change_requests.RECEIPTS_FOLDER}/"
    records = [n["name"] for n in nodes if folder in n["path"]]
    refused = facts["Status"] == "refused" and facts["Status Reason"].startswith("recall gate")
    world.figures["reenable_refused"] = int(refused)
    if not refused or len(records) != 1 or "-refusal-" not in records[0]:
        return [f"{change_id}: {facts['Status']} ({facts['Status Reason']}), records {records}"]
    return []


def _hold_answers(world: ChaosWorld) -> dict[str, int]:
    """Content Server's answers to the hold calls, by status (the faults' share shows)."""
    totals: Counter[str] = Counter()
    for route, counts in world.sandbox.admin("otcs", "GET", "/counters").items():
        if route in HOLD_ROUTES:
            totals.update({status: int(n) for status, n in counts["status"].items()})
    return dict(sorted(totals.items()))


def verify(world: ChaosWorld) -> list[str]:
    kept = world.kept
    if "reenable" not in kept:
        return [f"the drive did not get through (kept: {kept})"]
    recall_id, product_id = kept["recall_id"], kept["product_id"]
    listed = world.sandbox.admin("otcs", "GET", "/inventory")["nodes"]
    nodes = {n["id"]: n for n in listed}
    world.figures["hold_call_answers"] = _hold_answers(world)
    return [
        *_found(world, recall_id, product_id),
        *_held(world, recall_id, nodes),
        *_off_sale_once(world, recall_id, product_id, nodes),
        *_reenable_refused(world, kept["reenable"], listed),
    ]


SCENARIO = Scenario(
    name="recalls",
    injected=(
        "a recall decided while the store keeps selling its SKU, workers SIGKILLed every "
        "3–6 s, every catalog write's answer lost, OTCS failing 25 % of hold calls; a "
        "re-enable approved meanwhile"
    ),
    short_orders=8,
    long_orders=60,
    drive=drive,
    verify=verify,
    env={"BCRM_RETRY_BACKOFF_MAX": "3"},
    redrive_suffices=True,
)
