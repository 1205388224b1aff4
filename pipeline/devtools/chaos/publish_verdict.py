"""The verdict of `bcrm chaos publish`, from what the systems themselves hold, not from
what the pipeline says it did:

- BigCommerce's admin write log (every write the store applied, answered or not): each
  legitimate change's target written exactly once, a forged one's never, and no write
  the plan does not explain;
- the live store: each legitimate target at its after-state, each forged one still at
  its before-state;
- the ECM: each request `published` (legitimate) or `refused` with its forgery's reason,
  and exactly one record in its `Publish Receipts` folder, a receipt or a refusal as due,
  with one version and the node id and hash the ledger holds. A legitimate request
  refused as drift is a false drift refusal: the faults made it look moved.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from pipeline.devtools.chaos.publish_plan import FORGERIES, Planned
from pipeline.flows.approvals import change_requests
from pipeline.flows.approvals.change_request import canonical
from pipeline.flows.approvals.producer import publish_key
from pipeline.flows.approvals.targets import marked_name, target_of
from pipeline.integrations.bigcommerce.client import BigCommerceClient
from pipeline.integrations.otcs.client import OTCSClient
from pipeline.runtime import services

CATALOG = "/v3/catalog/products/"
PROMOTIONS = "/v3/promotions"


@dataclass
class PublishVerdict:
    problems: list[str] = field(default_factory=list)
    figures: dict[str, Any] = field(default_factory=dict)


def _written(write: dict[str, Any], planned: list[Planned]) -> str | None:
    """The change request a logged write was for (None: a write none of them explains)."""
    path, body = str(write["path"]), write.get("body")
    for item in planned:
        change = item.change
        if change.change_type == "promotion":
            name = marked_name(str(change.after["name"]), change.id)
            if path == PROMOTIONS and isinstance(body, dict) and body.get("name") == name:
                return change.id
        elif path == CATALOG + change.target.replace("product/", "", 1).replace(
            "/variant/", "/variants/"
        ):
            return change.id
    return None


def _writes(verdict: PublishVerdict, writes: list[dict[str, Any]], planned: list[Planned]) -> None:
    ours = [w for w in writes if str(w["path"]).startswith((CATALOG, PROMOTIONS))]
    applied: Counter[str] = Counter()
    for write in ours:
        change_id = _written(write, planned)
        if change_id is None:
            verdict.problems.append(f"a write no change request explains: {write['method']} "
                                    f"{write['path']}")  # fmt: skip
        else:
            applied[change_id] += 1
    for item in planned:
        due = 1 if item.legitimate else 0
        if applied[item.change.id] != due:
            verdict.problems.append(
                f"{item.change.id} ({item.forgery or item.change.change_type}) written "
                f"{applied[item.change.id]} times, not {due}"
            )
    verdict.figures["writes_applied"] = len(ours)
    verdict.figures["writes_whose_answer_was_lost"] = sum(not w["answered"] for w in ours)


def _live(verdict: PublishVerdict, client: BigCommerceClient, planned: list[Planned]) -> None:
    for item in planned:
        change = item.change
        live = target_of(change).read(client, change)
        due = canonical(change.after) if item.legitimate else canonical(change.before)
        if live != due:
            state = "after" if item.legitimate else "before"
            verdict.problems.append(f"{change.id}: live {live} is not its {state}-state {due}")


def _status(verdict: PublishVerdict, otcs: OTCSClient, item: Planned, by: Counter[str]) -> None:
    change = item.change
    node = otcs.find_workspace(change_requests.EXT_SYSTEM, change_requests.BO_TYPE, change.id)
    facts = change_requests.facts_of(otcs, node.id) if node else {}
    status, reason = facts.get("Status", "absent"), facts.get("Status Reason", "")
    if item.legitimate:
        by["published" if status == "published" else f"legitimate {status}"] += 1
        if status == "refused" and reason.startswith("drift"):
            by["false drift refusals"] += 1
        if status != "published":
            verdict.problems.append(f"{change.id}: {status} ({reason}), not published")
        return
    by[f"refused: {FORGERIES[item.forgery]}"] += status == "refused"
    if status != "refused" or FORGERIES[item.forgery] not in reason:
        verdict.problems.append(
            f"{change.id} ({item.forgery}): {status} ({reason}), not refused for "
            f"{FORGERIES[item.forgery]!r}"
        )


def _records(
    verdict: PublishVerdict, nodes: list[dict[str, Any]], store_hash: str, item: Planned
) -> None:
    """Exactly one receipt (or refusal record) in the request's workspace, as the ledger
    has it."""
    change_id = item.change.id
    folder = f"{change_requests.workspace_name(change_id)}/{change_requests.RECEIPTS_FOLDER}/"
    found = [n for n in nodes if folder in n["path"]]
    kind = "receipt" if item.legitimate else "refusal"
    if len(found) != 1 or not found[0]["name"].startswith(f"{change_id}-publish-{kind}-"):
        names = [n["name"] for n in found]
        verdict.problems.append(f"{change_id}: publish records {names}, not one {kind}")
        return
    [node] = found
    ledger = services.ledger()
    done = ledger.get(publish_key(store_hash, change_id)).get("done:publish", "{}")
    record = ledger.get(_receipt_key(done))
    facts = (record.get("state"), record.get("target_id"), record.get("sha256"))
    if len(node["versions"]) != 1 or facts != ("declared", str(node["id"]), node["sha256"]):
        verdict.problems.append(f"{change_id}: the ECM's {kind} and the ledger disagree")


def _receipt_key(done: str) -> str:
    return str(json.loads(done).get("receipt", ""))


def judge(
    planned: list[Planned],
    writes: list[dict[str, Any]],
    nodes: list[dict[str, Any]],
    client: BigCommerceClient,
    otcs: OTCSClient,
    store_hash: str,
) -> PublishVerdict:
    """See the module docstring; `writes` and `nodes` are the emulators' admin views."""
    verdict = PublishVerdict()
    _writes(verdict, writes, planned)
    _live(verdict, client, planned)
    outcomes: Counter[str] = Counter()
    for item in planned:
        _status(verdict, otcs, item, outcomes)
        _records(verdict, nodes, store_hash, item)
    verdict.figures.update(
        change_requests=len(planned),
        legitimate=sum(item.legitimate for item in planned),
        forged=dict(Counter(item.forgery for item in planned if item.forgery)),
        outcomes=dict(sorted(outcomes.items())),
        false_drift_refusals=outcomes["false drift refusals"],
    )
    return verdict
