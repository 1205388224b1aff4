"""What the account is and may do: who it is, its effective permissions on a node, and
its Records Management rights there (reference §2.1, §7.1 and "Permissions").

Only `bcrm ecm check` asks: the pipeline itself learns of a missing right from the
refusal of the call that needed it.
"""

from __future__ import annotations

from dataclasses import dataclass

from pipeline.integrations.otcs import envelopes
from pipeline.integrations.otcs.errors import OTCSUnavailable
from pipeline.integrations.otcs.transport import Transport


@dataclass(frozen=True)
class Member:
    """A Content Server user, as `GET /v1/auth` describes the ticket's owner."""

    id: int
    name: str


@dataclass(frozen=True)
class RecordsRights:
    """The RM flags `GET /v1/nodes/{id}/rmclassifications` reports for the caller (S2)."""

    can_classify: bool
    classification_volume_id: int | None


class AccessOperations(Transport):
    def current_member(self) -> Member:
        """The account the client logs in as (and proof that the login works)."""
        data = self.request("GET", "v1/auth").get("data")
        if not isinstance(data, dict) or "id" not in data:
            raise OTCSUnavailable("GET /v1/auth: answer carried no data.id")
        return Member(id=int(data["id"]), name=str(data.get("name", "")))

    def effective_permissions(self, node_id: int, member_id: int) -> frozenset[str]:
        """`GET /v2/nodes/{id}/permissions/effective/{right_id}` (S1, pyxecm get_permission):
        the member's own and its groups' permissions on the node, by name."""
        payload = self.request("GET", f"v2/nodes/{node_id}/permissions/effective/{member_id}")
        return envelopes.permission_names(payload)

    def records_rights(self, node_id: int) -> RecordsRights:
        payload = self.request("GET", f"v1/nodes/{node_id}/rmclassifications")
        volume = payload.get("classVolumeID")
        return RecordsRights(
            can_classify=bool(payload.get("canRMClassify")),
            classification_volume_id=int(volume) if volume else None,
        )
