"""Holds (legal/administrative): the table, applying them to nodes, and inheritance.

A hold on a container covers everything beneath it (reference A1, S8); the node
hold list reports such holds as `Inherited` and not removable from the child.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from sandbox.otcs.context import Call, Route
from sandbox.otcs.repository import Hold, Node, Repository, now_iso
from sandbox.otcs.transport import (
    ApiError,
    json_response,
    paginate,
    rm_collection,
    to_iso_date,
    v2_item,
)


def hold_row(hold: Hold) -> dict[str, Any]:
    return {
        "HoldID": hold.id,
        "HoldName": hold.name,
        "ActiveHold": 1 if hold.active else 0,
        "HoldType": hold.type,
        "HoldComment": hold.comment,
        "DateApplied": hold.date_applied,
        "DateToRemove": hold.date_to_remove,
        "DateRemoved": None,
        "ApplyPatron": "",
        "AlternateHoldID": hold.alternate_id,
        "ParentID": hold.parent_id,
    }


def create_hold(repo: Repository, fields: dict[str, Any]) -> Hold:
    """Insert a hold; names are unique and the type must be an RM hold-type code."""
    for required in ("type", "name", "date_applied"):
        if not fields.get(required):
            raise ApiError(400, f"Missing required parameter '{required}'")
    name = str(fields["name"]).strip()
    hold_type = str(fields["type"])
    with repo.lock:
        known_types = {row["holdtype"] for row in repo.codes.get("rmholdtype", [])}
        if hold_type not in known_types or any(h.name == name for h in repo.holds.values()):
            raise ApiError(400, "Could not insert into the Hold Disposition table")
        hold = Hold(
            id=repo.next_hold_id(),
            name=name,
            type=hold_type,
            comment=str(fields.get("comment") or ""),
            date_applied=to_iso_date(fields["date_applied"]) or now_iso(),
            date_to_remove=to_iso_date(fields.get("date_to_remove")) or "",
            alternate_id=str(fields.get("alternate_id") or ""),
            parent_id=int(fields.get("parent_id") or 0),
        )
        repo.holds[hold.id] = hold
        return hold


def post_hold(call: Call) -> web.Response:
    hold = create_hold(call.repo, call.params.values)
    return json_response({"holdID": hold.id})


def list_holds_v1(call: Call) -> web.Response:
    with call.repo.lock:
        rows = [
            {"HoldID": h.id, "HoldName": h.name, "ActiveHold": h.active}
            for h in call.repo.holds.values()
        ]
    return json_response({"data": rows})


def list_holds_v2(call: Call) -> web.Response:
    with call.repo.lock:
        rows = [hold_row(h) for h in call.repo.holds.values()]
    return rm_collection(call.request, "holds", paginate(rows, call.params))


def _find_hold(repo: Repository, hold_id: int | None, name: str | None) -> Hold:
    with repo.lock:
        if hold_id is not None and hold_id in repo.holds:
            return repo.holds[hold_id]
        for hold in repo.holds.values():
            if name and hold.name == name:
                return hold
    raise ApiError(400, "Hold may not exist or is in use")


def _hold_from_query(call: Call) -> Hold:
    return _find_hold(call.repo, call.params.int("id"), call.params.text("holdname") or None)


def get_hold(call: Call) -> web.Response:
    hold = (
        _find_hold(call.repo, call.match_int("hold_id"), None)
        if "hold_id" in call.request.match_info
        else _hold_from_query(call)
    )
    return v2_item(call.request, {"data": {"hold": hold_row(hold)}})


def update_hold(call: Call) -> web.Response:
    hold = _find_hold(call.repo, call.params.int("id", required=True), None)
    params = call.params
    with call.repo.lock:
        hold.comment = params.text("comment", hold.comment)
        hold.date_to_remove = to_iso_date(params.get("date_to_remove")) or hold.date_to_remove
        hold.alternate_id = params.text("alternate_id", hold.alternate_id)
        if params.get("name"):
            hold.name = params.text("name")
    return json_response({"data": hold_row(hold)})


def _holders(repo: Repository, hold: Hold) -> list[Node]:
    return [n for n in repo.nodes.values() if hold.id in n.holds]


def _delete(call: Call, hold: Hold) -> web.Response:
    with call.repo.lock:
        if _holders(call.repo, hold):
            raise ApiError(400, "Hold may not exist or is in use")
        del call.repo.holds[hold.id]
    return json_response({})


def delete_hold_v1(call: Call) -> web.Response:
    return _delete(call, _find_hold(call.repo, call.match_int("hold_id"), None))


def delete_hold_v2(call: Call) -> web.Response:
    return _delete(call, _hold_from_query(call))


def apply_hold(repo: Repository, node: Node, hold_id: int) -> None:
    with repo.lock:
        hold = _find_hold(repo, hold_id, None)
        node.holds.add(hold.id)


def remove_hold(repo: Repository, node: Node, hold_id: int) -> None:
    with repo.lock:
        if hold_id not in node.holds:
            raise ApiError(400, "Object does not have this Hold")
        node.holds.discard(hold_id)


def _hold_id_param(call: Call) -> int:
    for key in ("hold_id", "holdID"):
        value = call.params.int(key)
        if value is not None:
            return value
    raise ApiError(400, "Missing LLPARAMS_LIST")


def post_node_hold(call: Call) -> web.Response:
    node = call.node()
    apply_hold(call.repo, node, _hold_id_param(call))
    return node_holds(call)


def delete_node_hold(call: Call) -> web.Response:
    remove_hold(call.repo, call.node(), call.match_int("hold_id"))
    return json_response({})


def node_hold_rows(repo: Repository, node: Node) -> list[dict[str, Any]]:
    rows = []
    for hold_id, owner in repo.effective_holds(node):
        hold = repo.holds.get(hold_id)
        if hold is None:
            continue
        direct = owner is node
        rows.append(
            {
                "hold_id": hold.id,
                "hold_name": hold.name,
                "hold_type": hold.type,
                "hold_comment": hold.comment,
                "active": hold.active,
                "applied_by": node.owner_user_id,
                "date_applied": hold.date_applied,
                "hold_appliedmethod": "Direct" if direct else "Inherited",
                "inherited_from": None if direct else owner.id,
                "removable": direct,
                "queryid": 0,
                "userid": 0,
                "docxreftyp": "",
            }
        )
    return rows


def node_holds(call: Call) -> web.Response:
    node = call.node()
    with call.repo.lock:
        return json_response({"data": node_hold_rows(call.repo, node)})


def _batch(call: Call, apply: bool) -> web.Response:
    ids = call.params.int_list("ids")
    hold_id = _hold_id_param(call)
    if not ids:
        raise ApiError(400, "Missing required parameter 'ids'")
    with call.repo.lock:
        targets = [call.repo.get(node_id, status=400) for node_id in ids]
        for node in targets:
            if apply:
                apply_hold(call.repo, node, hold_id)
            else:
                node.holds.discard(hold_id)
    return json_response({"results": {"ok": True, "count": len(targets)}})


def batch_apply(call: Call) -> web.Response:
    return _batch(call, apply=True)


def batch_remove(call: Call) -> web.Response:
    return _batch(call, apply=False)


def hold_items(call: Call) -> web.Response:
    repo = call.repo
    with repo.lock:
        hold = _find_hold(repo, call.match_int("hold_id"), None)
        items = [{"id": n.id, "name": n.name, "type": n.type} for n in _holders(repo, hold)]
    return rm_collection(call.request, "items", paginate(items, call.params))


ROUTES = [
    Route("POST", "/holds", post_hold, versions=(1,)),
    Route("PUT", "/holds", update_hold, versions=(1,)),
    Route("GET", "/holds", list_holds_v1, versions=(1,)),
    Route("GET", "/holds", list_holds_v2, versions=(2,)),
    Route("GET", "/holds/{hold_id:\\d+}", get_hold, versions=(2,)),
    Route("DELETE", "/holds/{hold_id:\\d+}", delete_hold_v1, versions=(1,)),
    Route("GET", "/hold", get_hold, versions=(2,)),
    Route("DELETE", "/hold", delete_hold_v2, versions=(2,)),
    Route("GET", "/holditems/{hold_id:\\d+}", hold_items, versions=(2,)),
    Route("GET", "/nodes/{id:\\d+}/holds", node_holds, versions=(1,)),
    Route("POST", "/nodes/{id:\\d+}/holds", post_node_hold, versions=(1,)),
    Route("DELETE", "/nodes/{id:\\d+}/holds/{hold_id:\\d+}", delete_node_hold, versions=(1,)),
    Route("POST", "/rmclassifications/applyhold", batch_apply, versions=(1,)),
    Route("POST", "/rmclassifications/removehold", batch_remove, versions=(1,)),
]
