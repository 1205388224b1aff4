"""Inspection and fault control, over HTTP for other processes and in Python for tests.

Besides inventory, counters, faults and reset, it can take seeded pieces away (an RSI,
a workspace type, a category attribute, a node) and withhold permissions from the account
on a node (`removals.py`), as a server set up incompletely would be.

The admin API sits outside the Content Server base path, needs no ticket and is
never subject to injected faults: it is the test harness's side door.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from aiohttp import web

from sandbox.otcs import removals
from sandbox.otcs.context import EmulatorState
from sandbox.otcs.holds import hold_row, node_hold_rows
from sandbox.otcs.records import record_row
from sandbox.otcs.repository import TYPE_NAMES, Node, Repository
from sandbox.otcs.rsis import rsi_rows
from sandbox.otcs.seed import build_repository
from sandbox.otcs.transport import json_response
from sandbox.otcs.xrefs import node_xref_rows


def _node_entry(repo: Repository, node: Node) -> dict[str, Any]:
    latest = node.latest
    return {
        "id": node.id,
        "parent_id": node.parent_id,
        "path": repo.path(node),
        "name": node.name,
        "type": node.type,
        "type_name": TYPE_NAMES.get(node.type, "Unknown"),
        "creation_order": node.created_seq,
        "seeded": node.seeded,
        "create_date": node.create_date,
        "size": len(latest.data) if latest else None,
        "sha256": latest.sha256 if latest else None,
        "mime_type": latest.mime_type if latest else None,
        "versions": [
            {
                "version_number": v.number,
                "file_name": v.file_name,
                "size": len(v.data),
                "sha256": v.sha256,
                "mime_type": v.mime_type,
            }
            for v in node.versions
        ],
        "categories": {
            str(cat_id): {"name": repo.category_defs[cat_id].name, "values": values}
            for cat_id, values in node.categories.items()
        },
        "classification": record_row(repo, node) if node.classification else None,
        "holds": node_hold_rows(repo, node),
        "xrefs": node_xref_rows(repo, node),
        "workspace": node.workspace,
        "related_workspaces": list(node.extra.get("related_workspaces", [])),
    }


def inventory(repo: Repository) -> dict[str, Any]:
    """The whole repository as JSON-ready data, nodes in creation order."""
    with repo.lock:
        ordered = sorted(repo.nodes.values(), key=lambda n: n.created_seq)
        return {
            "nodes": [_node_entry(repo, n) for n in ordered],
            "holds": [hold_row(h) for h in repo.holds.values()],
            "rsis": [row for rsi in repo.rsis.values() for row in rsi_rows(rsi)],
        }


def reset_repository(state: EmulatorState) -> None:
    """Back to the seed: a fresh repository, no pending uploads (tickets stay valid)."""
    state.repo = build_repository()
    state.pending_uploads.clear()


def register(app: web.Application, admin_path: str, state: EmulatorState) -> None:
    base = "/" + admin_path.strip("/")

    async def get_inventory(_: web.Request) -> web.Response:
        return json_response(inventory(state.repo))

    async def get_counters(_: web.Request) -> web.Response:
        return json_response(state.counters.snapshot())

    async def reset_counters(_: web.Request) -> web.Response:
        state.counters.reset()
        return json_response({})

    async def get_faults(_: web.Request) -> web.Response:
        return json_response(state.faults.describe())

    async def put_faults(request: web.Request) -> web.Response:
        try:
            body = await request.json() if request.body_exists else {}
            state.faults.configure(body)
        except (ValueError, TypeError, json.JSONDecodeError) as error:
            return json_response({"error": str(error)}, 400)
        return json_response(state.faults.describe())

    async def clear_faults(_: web.Request) -> web.Response:
        state.faults.configure({})
        return json_response(state.faults.describe())

    async def reset(_: web.Request) -> web.Response:
        reset_repository(state)
        return json_response({"nodes": len(state.repo.nodes)})

    async def expire_tickets(_: web.Request) -> web.Response:
        return json_response({"expired": state.tickets.expire_all()})

    def removal(remove: Callable[[web.Request], None]) -> web.Handler:
        async def handler(request: web.Request) -> web.Response:
            try:
                remove(request)
            except removals.NotSeeded as error:
                return json_response({"error": str(error)}, 404)
            return json_response({})

        return handler

    async def put_permissions(request: web.Request) -> web.Response:
        try:
            body = await request.json()
            names = [str(name) for name in body["withhold"]]
            member = int(body.get("member_id", state.credentials.user.id))
            removals.withhold_permissions(state.repo, int(request.match_info["id"]), member, names)
        except removals.NotSeeded as error:
            return json_response({"error": str(error)}, 404)
        except (ValueError, TypeError, KeyError, json.JSONDecodeError) as error:
            return json_response({"error": f"expected {{'withhold': [names]}}: {error}"}, 400)
        return json_response({})

    def match(request: web.Request, name: str) -> str:
        return request.match_info[name]

    app.router.add_get(base + "/inventory", get_inventory)
    app.router.add_get(base + "/counters", get_counters)
    app.router.add_delete(base + "/counters", reset_counters)
    app.router.add_get(base + "/faults", get_faults)
    app.router.add_put(base + "/faults", put_faults)
    app.router.add_delete(base + "/faults", clear_faults)
    app.router.add_post(base + "/expire-tickets", expire_tickets)
    app.router.add_post(base + "/reset", reset)
    app.router.add_delete(
        base + "/rsis/{code}",
        removal(lambda r: removals.remove_rsi(state.repo, match(r, "code"))),
    )
    app.router.add_delete(
        base + "/workspace-types/{bo_type}",
        removal(lambda r: removals.remove_workspace_type(state.repo, match(r, "bo_type"))),
    )
    app.router.add_delete(
        base + "/categories/{id:\\d+}/attributes/{name}",
        removal(
            lambda r: removals.remove_attribute(state.repo, int(match(r, "id")), match(r, "name"))
        ),
    )
    app.router.add_delete(
        base + "/nodes/{id:\\d+}",
        removal(lambda r: removals.remove_node(state.repo, int(match(r, "id")))),
    )
    app.router.add_put(base + "/permissions/{id:\\d+}", put_permissions)
