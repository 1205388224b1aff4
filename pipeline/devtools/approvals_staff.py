"""The people of an emulated approvals run (`bcrm chaos publish`, `bcrm bench publish`):
a maker who files change requests, an approver in every group `approvals.toml` names, a
user in no approver group, and a clerk who holds no right to decide anything. Each is an
OTCS user of its own, created by the service account through the Content Server REST API
(`POST /v2/members` with `type` 0 or 1, `POST /v2/members/{group}/members` with
`member_id`: pyxecm `add_user`, `add_group`, `add_group_member`; the OTCS emulator's
`members` module), so the ECM's audit trail names who did what.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from pipeline.flows.approvals.policy import ApprovalsPolicy
from pipeline.integrations.otcs.client import OTCSClient

USER, GROUP = 0, 1


@dataclass(frozen=True)
class Person:
    """An OTCS user and a client logged in as them (a ticket of their own)."""

    id: int
    name: str
    otcs: OTCSClient


@dataclass(frozen=True)
class ApprovalsStaff:
    maker: Person
    approver: Person
    outsider: Person
    clerk: Person


def _member(service: OTCSClient, **fields: object) -> int:
    answer = service.request("POST", "v2/members", fields=fields)
    return int(answer["results"]["data"]["properties"]["id"])


def person(service: OTCSClient, name: str) -> Person:
    """A new OTCS user named `name`, logged in as themselves."""
    password = secrets.token_urlsafe(12)
    user_id = _member(service, type=USER, name=name, password=password)
    return Person(user_id, name, OTCSClient(service.base_url, name, password))


def hire(service: OTCSClient, policy: ApprovalsPolicy) -> ApprovalsStaff:
    """Create the four users and every approver group of `policy`, with the approver (and
    only the approver) a member of each."""
    staff = ApprovalsStaff(
        person(service, "mia.maker"),
        person(service, "cy.checker"),
        person(service, "otto.outsider"),
        person(service, "cleo.clerk"),
    )
    for group in sorted({rule.approver_group for rule in policy.types.values()}):
        group_id = _member(service, type=GROUP, name=group)
        service.request(
            "POST", f"v2/members/{group_id}/members", fields={"member_id": staff.approver.id}
        )
    return staff
