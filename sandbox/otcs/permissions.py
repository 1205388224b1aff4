"""Effective permissions of a member on a node (S1 getNodePermissionEffective).

The emulator has one account, which holds every permission on every node unless the
admin API withholds some (`PUT /otcs-admin/permissions/{node_id}`), so a test can show
what `bcrm ecm check` says about an account that lacks a right. They are reported,
not enforced: the other routes still let the account do everything.
"""

from __future__ import annotations

from aiohttp import web

from sandbox.otcs.context import Call, Route
from sandbox.otcs.transport import NO_ACCESS, ApiError, v2_item

# pyxecm's OTCS.PERMISSION_TYPES, in its order (S4).
PERMISSION_TYPES = (
    "see",
    "see_contents",
    "modify",
    "edit_attributes",
    "add_items",
    "reserve",
    "add_major_version",
    "delete_versions",
    "delete",
    "edit_permissions",
)


def effective(call: Call) -> web.Response:
    """`results.data.permissions` = `{permissions, right_id}` (S1's schema with its arrays
    read as objects, reference §3; `type` is left out: an aggregate has no one right
    type). A member the emulator does not know holds nothing; an unknown node is S1's 500."""
    node_id = call.match_int("id")
    right_id = call.match_int("right_id")
    with call.repo.lock:
        if node_id not in call.repo.nodes:
            raise ApiError(500, NO_ACCESS)
        withheld = call.repo.withheld.get((node_id, right_id), frozenset())
    granted = (
        []
        if right_id != call.user.id
        else [name for name in PERMISSION_TYPES if name not in withheld]
    )
    return v2_item(
        call.request, {"data": {"permissions": {"permissions": granted, "right_id": right_id}}}
    )


ROUTES = [
    Route(
        "GET", "/nodes/{id:\\d+}/permissions/effective/{right_id:\\d+}", effective, versions=(2,)
    ),
]
