"""Node audit: who created a node and who changed its categories, `GET /v2/nodes/{id}/audit`.

The shape is pyxecm's (S4 `get_node_audit`, whose docstring shows a real answer): the v2
collection paging under `collection.paging`, the entries under `results.data.audit` as
`{id (the node), event_type, audit_date, user_id, agent_id, audit_language_code,
target_user_id, audit_name}`, and the event types seen under
`results.data.audit_event_types` as `{id, name}`. Query: `where_type` (an event type),
`where_user_id`, `sort` `desc_audit_date` (pyxecm's default) or `asc_audit_date`,
`limit`, `page`.

Event types: 10 "Attribute Value Changed" is pyxecm's list; 1 "Create" is ours (pyxecm
names no id for creation; unconfirmed). Category applied, changed or removed through
the REST API is event 10 under the calling user; a node created is event 1 under its
creator, also when `roles.categories` set its first values (the creation is one event).
Entries with the same second keep the order they happened in.
"""

from __future__ import annotations

from aiohttp import web

from sandbox.otcs.audit_trail import EVENT_NAMES
from sandbox.otcs.context import Call, Route
from sandbox.otcs.transport import ApiError, json_response, paginate, self_links

SORTS = ("desc_audit_date", "asc_audit_date")


def node_audit(call: Call) -> web.Response:
    node = call.node(status=400)
    sort = call.params.text("sort") or SORTS[0]
    if sort not in SORTS:
        raise ApiError(400, f"Invalid value for parameter 'sort': {sort}")
    event_type = call.params.int("where_type")
    user_id = call.params.int("where_user_id")
    rows = [
        e
        for e in call.repo.audit_of(node.id)
        if (event_type is None or e.event_type == event_type)
        and (user_id is None or e.user_id == user_id)
    ]
    rows.sort(key=lambda e: e.seq, reverse=sort == SORTS[0])
    page = paginate(rows, call.params, default_limit=100)
    types = sorted({e.event_type for e in rows})
    return json_response(
        {
            "collection": {
                "paging": page.paging(call.request),
                "sorting": {"sort": [{"key": "sort", "value": sort}]},
            },
            "links": self_links(call.request),
            "results": {
                "data": {
                    "audit": [e.wire() for e in page.items],
                    "audit_event_types": [{"id": t, "name": EVENT_NAMES[t]} for t in types],
                }
            },
        }
    )


ROUTES = [Route("GET", "/nodes/{id:\\d+}/audit", node_audit, versions=(2,))]
