"""Cross-reference types and node cross-references (reference §7.5).

They link related records (order ↔ invoice ↔ refund ↔ shipment), and corrections to
the record they supersede, since declared records are never overwritten.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from sandbox.otcs.context import Call, Route
from sandbox.otcs.repository import Node, Repository
from sandbox.otcs.transport import ApiError, json_response


def list_xref_types(call: Call) -> web.Response:
    with call.repo.lock:
        return json_response({"data": list(call.repo.xref_types.values())})


def create_xref_type(call: Call) -> web.Response:
    params = call.params
    xref_type = params.text("xref_type").strip().upper()
    if not xref_type:
        raise ApiError(400, "Missing required parameter 'xref_type'")
    with call.repo.lock:
        if xref_type in call.repo.xref_types:
            raise ApiError(400, f"Cross-reference type '{xref_type}' already exists")
        call.repo.xref_types[xref_type] = xref_type_row(
            xref_type,
            params.text("desc"),
            params.text("related_code") or xref_type,
            params.text("related_desc"),
        )
        return json_response({"data": call.repo.xref_types[xref_type]})


def xref_type_row(
    xref_type: str, desc: str, related_code: str, related_desc: str
) -> dict[str, Any]:
    return {
        "xref_type": xref_type,
        "desc": desc,
        "related_code": related_code,
        "related_desc": related_desc,
        "hold_id": 0,
        "disabled": False,
    }


def _xref_type(call: Call) -> dict[str, Any]:
    row = call.repo.xref_types.get(call.match("xref_type").upper())
    if row is None:
        raise ApiError(400, f"Cross-reference type '{call.match('xref_type')}' does not exist")
    return row


def get_xref_type(call: Call) -> web.Response:
    return json_response({"data": _xref_type(call)})


def delete_xref_type(call: Call) -> web.Response:
    with call.repo.lock:
        row = _xref_type(call)
        if any(
            x["xref_type"] == row["xref_type"] for n in call.repo.nodes.values() for x in n.xrefs
        ):
            raise ApiError(400, f"Cross-reference type '{row['xref_type']}' is in use")
        del call.repo.xref_types[row["xref_type"]]
    return json_response({})


def node_xref_rows(repo: Repository, node: Node) -> list[dict[str, Any]]:
    rows = []
    for xref in node.xrefs:
        target = repo.nodes.get(xref["xref_id"])
        type_row = repo.xref_types.get(xref["xref_type"], {})
        rows.append(
            {
                **xref,
                "related_code": type_row.get("related_code", ""),
                "id": xref["xref_id"],
                "name": target.name if target else "",
                "type": target.type if target else None,
            }
        )
    return rows


def list_node_xrefs(call: Call) -> web.Response:
    node = call.node()
    with call.repo.lock:
        return json_response({"data": node_xref_rows(call.repo, node)})


def add_node_xref(call: Call) -> web.Response:
    node = call.node()
    xref_type = call.params.text("xref_type").upper()
    target_id = call.params.int("xref_id", required=True)
    with call.repo.lock:
        if xref_type not in call.repo.xref_types:
            raise ApiError(400, f"Cross-reference type '{xref_type}' does not exist")
        assert target_id is not None
        call.repo.get(target_id, status=400)
        link = {
            "xref_type": xref_type,
            "xref_id": target_id,
            "comment": call.params.text("comment"),
        }
        if any(x["xref_type"] == xref_type and x["xref_id"] == target_id for x in node.xrefs):
            raise ApiError(400, "This cross-reference already exists")
        node.xrefs.append(link)
        return json_response({"data": node_xref_rows(call.repo, node)})


def delete_node_xref(call: Call) -> web.Response:
    node = call.node()
    xref_type, target_id = call.match("xref_type").upper(), call.match_int("xref_id")
    with call.repo.lock:
        kept = [x for x in node.xrefs if (x["xref_type"], x["xref_id"]) != (xref_type, target_id)]
        if len(kept) == len(node.xrefs):
            raise ApiError(400, "Object does not have this cross-reference")
        node.xrefs = kept
    return json_response({})


XREF = "/nodes/{id:\\d+}/xrefs"
ROUTES = [
    Route("GET", "/xrefs", list_xref_types, versions=(1,)),
    Route("POST", "/xrefs", create_xref_type, versions=(1,)),
    Route("GET", "/xrefs/{xref_type}", get_xref_type, versions=(1,)),
    Route("DELETE", "/xrefs/{xref_type}", delete_xref_type, versions=(1,)),
    Route("GET", XREF, list_node_xrefs, versions=(1,)),
    Route("POST", XREF, add_node_xref, versions=(1,)),
    Route("DELETE", XREF + "/{xref_type}/refnodes/{xref_id:\\d+}", delete_node_xref, versions=(1,)),
]
