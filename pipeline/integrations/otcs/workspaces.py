"""Business workspaces: one per business object (an order, a case), found or created,
and related to each other (`relateditems`, reference §8: a case to its orders).

Concurrent declares for one order must end in one workspace. Creating under a
deterministic name in the type's fixed location makes the server's name check the
arbiter, whether or not it also enforces one workspace per business object; the
loser of the race re-searches by business object and adopts the winner's workspace.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from pipeline.integrations.otcs import envelopes
from pipeline.integrations.otcs.envelopes import Node
from pipeline.integrations.otcs.errors import NotConfigured, OTCSRefused
from pipeline.integrations.otcs.nodes import find_or_create
from pipeline.integrations.otcs.transport import Transport

BUSINESS_WORKSPACE = 848


@dataclass(frozen=True)
class WorkspaceType:
    id: int
    name: str
    template_id: int | None
    location_id: int | None


def _workspace_type(item: Mapping[str, Any]) -> WorkspaceType:
    data = item.get("data") or {}
    props = data.get("properties") or {}
    templates = data.get("templates") or []
    location = (props.get("wksp_creation") or {}).get("location")
    return WorkspaceType(
        id=int(props["wksp_type_id"]),
        name=str(props.get("wksp_type_name", "")),
        template_id=int(templates[0]["id"]) if templates else None,
        location_id=int(location) if location else None,
    )


class WorkspaceOperations(Transport):
    def workspace_type(self, ext_system_id: str, bo_type: str) -> WorkspaceType:
        """The workspace type (with template and location) for a business object type."""

        def load() -> WorkspaceType:
            params = {
                "ext_system_id": ext_system_id,
                "bo_type": bo_type,
                "expand_templates": "true",
            }
            payload = self.request("GET", "v2/businessworkspacetypes", params=params)
            for item in payload.get("results") or []:
                props = (item.get("data") or {}).get("properties") or {}
                if props.get("bo_type", bo_type) == bo_type:
                    return _workspace_type(item)
            raise NotConfigured(f"no workspace type for {ext_system_id}/{bo_type}")

        return self._lookup(("workspace-type", ext_system_id, bo_type), load)

    def find_workspace(self, ext_system_id: str, bo_type: str, bo_id: str) -> Node | None:
        """The workspace of a business object; the oldest if the server holds several."""
        params = {
            "where_ext_system_id": ext_system_id,
            "where_bo_type": bo_type,
            "where_bo_id": bo_id,
            "expanded_view": 0,
        }
        found = [
            n for page in self.pages("v2/businessworkspaces", params) for n in envelopes.nodes(page)
        ]
        return min(found, key=lambda n: n.id, default=None)

    def workspaces(self, ext_system_id: str, bo_type: str) -> Iterator[Node]:
        """Every workspace of a business object type, page by page (for rebuilding the
        archive index; callers filter by name, whose form they chose on creation)."""
        params = {
            "where_ext_system_id": ext_system_id,
            "where_bo_type": bo_type,
            "expanded_view": 0,
        }
        for page in self.pages("v2/businessworkspaces", params):
            yield from envelopes.nodes(page)

    def create_workspace(
        self,
        ext_system_id: str,
        bo_type: str,
        bo_id: str,
        name: str,
        *,
        categories: Mapping[int, Mapping[str, Any]] | None = None,
        description: str | None = None,
    ) -> int:
        """Form `body` as pyxecm sends it (S4); categories nested by id, as BW expects (S3)."""
        wtype = self.workspace_type(ext_system_id, bo_type)
        body: dict[str, Any] = {
            "type": BUSINESS_WORKSPACE,
            "wksp_type_id": wtype.id,
            "template_id": wtype.template_id,
            "parent_id": wtype.location_id,
            "name": name,
            "description": description,
            "ext_system_id": ext_system_id,
            "bo_type": bo_type,
            "bo_id": bo_id,
        }
        if categories:
            nested = {str(cat): {f"{cat}_1": {}, **values} for cat, values in categories.items()}
            body["roles"] = {"categories": nested}
        return envelopes.created_id(self.request("POST", "v2/businessworkspaces", body=body))

    def ensure_workspace(
        self,
        ext_system_id: str,
        bo_type: str,
        bo_id: str,
        name: str,
        *,
        categories: Mapping[int, Mapping[str, Any]] | None = None,
        description: str | None = None,
    ) -> int:
        """Find-or-create; `name` must be deterministic per business object (see module)."""
        return find_or_create(
            f"workspace {bo_type} {bo_id!r}",
            lambda: n.id if (n := self.find_workspace(ext_system_id, bo_type, bo_id)) else None,
            lambda: self.create_workspace(
                ext_system_id, bo_type, bo_id, name, categories=categories, description=description
            ),
        )

    def related_workspaces(self, workspace_id: int) -> list[tuple[int, str]]:
        """(workspace id, relation type) of the workspaces related to this one."""
        payload = self.request("GET", f"v2/businessworkspaces/{workspace_id}/relateditems")
        related = []
        for item in payload.get("results") or []:
            data = item.get("data") or {}
            props = data.get("properties") or {}
            related.append((int(props["id"]), str(data.get("rel_type", ""))))
        return related

    def relate_workspaces(self, workspace_id: int, related_id: int, rel_type: str) -> None:
        """Relate `related_id` to the workspace as its `child` or `parent` (S3, S8);
        idempotent: a relation already there counts as done."""
        body = {"rel_bw_id": related_id, "rel_type": rel_type}
        try:
            self.request("POST", f"v2/businessworkspaces/{workspace_id}/relateditems", body=body)
        except OTCSRefused:
            if (related_id, rel_type) not in self.related_workspaces(workspace_id):
                raise
