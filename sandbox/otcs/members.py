"""Members: users and groups under `/v2/members`, as pyxecm calls them (S4 otcs.py).

- `GET /v2/members?where_type=0|1&where_name=...` lists users (0) or groups (1) in the v2
  collection envelope, each `{"data": {"properties": {...}}}` (pyxecm `get_user`,
  `get_group`; its example shows `id, name, type, type_name, first_name, last_name,
  group_id, deleted, name_formatted`). `where_name` matches the login name exactly,
  case-insensitively (pyxecm re-filters for equality; the real matching is unconfirmed).
- `GET /v2/members/{id}`: one member in the v2 single-object envelope (pyxecm `get_user`
  with `user_id`).
- `GET /v2/members/{id}/members?where_type=0|1`: a group's members (pyxecm
  `get_group_members`), the same collection shape.
- `POST /v2/members` with `type` 0 (user: `name`, `password`, `first_name`, `last_name`)
  or 1 (group: `name`) (pyxecm `add_user`, `add_group`: "only supports type 0 (user) and
  type 1 (group)"); `POST /v2/members/{id}/members` with `member_id` (pyxecm
  `add_group_member`). Both answer the new or changed member like `GET /v2/members/{id}`.
- `DELETE /v2/members/{group_id}/members/{member_id}` removes a membership (S1 lists it;
  pyxecm does not call it; the answer `{}` is ours).
- An unknown member is 400 "Could not get a member for {id}" (the wording follows the
  node errors of S1; unconfirmed).
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from sandbox.otcs.context import Call, Route
from sandbox.otcs.directory import DEFAULT_GROUP_ID, Directory, Group, User
from sandbox.otcs.transport import ApiError, json_response, paginate, v2_collection, v2_item

USER, GROUP = 0, 1


def _user_properties(user: User) -> dict[str, Any]:
    return {
        "id": user.id,
        "name": user.name,
        "type": USER,
        "type_name": "User",
        "first_name": user.first_name,
        "last_name": user.last_name,
        "name_formatted": f"{user.first_name} {user.last_name}".strip() or user.name,
        "group_id": DEFAULT_GROUP_ID,
        "deleted": False,
        "privilege_login": True,
    }


def _group_properties(group: Group) -> dict[str, Any]:
    return {
        "id": group.id,
        "name": group.name,
        "type": GROUP,
        "type_name": "Group",
        "deleted": False,
        "leader_id": None,
    }


def _properties(directory: Directory, member_id: int) -> dict[str, Any]:
    if member_id in directory.users:
        return _user_properties(directory.users[member_id])
    return _group_properties(directory.group(member_id))


def _listing(call: Call, member_ids: list[int]) -> web.Response:
    directory = call.state.credentials.members
    wanted_type = call.params.int("where_type", USER)
    name = call.params.text("where_name").lower()
    rows = [_properties(directory, member_id) for member_id in sorted(member_ids)]
    rows = [r for r in rows if r["type"] == wanted_type and (not name or r["name"].lower() == name)]
    page = paginate(rows, call.params, default_limit=25)
    results = [{"data": {"properties": row}} for row in page.items]
    return v2_collection(call.request, results, page, sort="asc_id")


def list_members(call: Call) -> web.Response:
    directory = call.state.credentials.members
    return _listing(call, [*directory.users, *directory.groups])


def one_member(call: Call) -> web.Response:
    directory = call.state.credentials.members
    properties = _properties(directory, call.match_int("id"))
    return v2_item(call.request, {"data": {"properties": properties}})


def add_member(call: Call) -> web.Response:
    directory = call.state.credentials.members
    params = call.params
    member_type = params.int("type", required=True)
    if member_type == USER:
        member_id = directory.add_user(
            params.text("name"),
            params.text("password"),
            params.text("first_name"),
            params.text("last_name"),
        ).id
    elif member_type == GROUP:
        member_id = directory.add_group(params.text("name")).id
    else:
        raise ApiError(400, "Only users (type 0) and groups (type 1) can be added.")
    return v2_item(call.request, {"data": {"properties": _properties(directory, member_id)}})


def group_members(call: Call) -> web.Response:
    group = call.state.credentials.members.group(call.match_int("id"))
    return _listing(call, list(group.member_ids))


def add_group_member(call: Call) -> web.Response:
    directory = call.state.credentials.members
    group_id = call.match_int("id")
    member_id = call.params.int("member_id", required=True)
    assert member_id is not None
    directory.add_member(group_id, member_id)
    return v2_item(call.request, {"data": {"properties": _properties(directory, group_id)}})


def remove_group_member(call: Call) -> web.Response:
    directory = call.state.credentials.members
    directory.remove_member(call.match_int("id"), call.match_int("member_id"))
    return json_response({})


ROUTES = [
    Route("GET", "/members", list_members, versions=(2,)),
    Route("POST", "/members", add_member, versions=(2,)),
    Route("GET", "/members/{id:\\d+}", one_member, versions=(2,)),
    Route("GET", "/members/{id:\\d+}/members", group_members, versions=(2,)),
    Route("POST", "/members/{id:\\d+}/members", add_group_member, versions=(2,)),
    Route(
        "DELETE", "/members/{id:\\d+}/members/{member_id:\\d+}", remove_group_member, versions=(2,)
    ),
]
