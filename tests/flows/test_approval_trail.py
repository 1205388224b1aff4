"""Requester and approver come from the ECM's audit trail of the change request, checked
against the approver group's membership, never from free-text fields."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator

import pytest

from pipeline.flows.approvals.approval import refusal, trail_of
from pipeline.integrations.otcs.client import OTCSClient
from sandbox.otcs.directory import ADMIN_USER_ID
from sandbox.otcs.server import OTCSEmulator

CATEGORY = 9750


@pytest.fixture(scope="module")
def ecm() -> Iterator[OTCSEmulator]:
    with OTCSEmulator(password="svc-pw") as emulator:
        yield emulator


def client(ecm: OTCSEmulator, name: str, password: str) -> OTCSClient:
    return OTCSClient(ecm.base_url, name, password)


def members(otcs: OTCSClient, group: int) -> frozenset[int]:
    answer = otcs.request("GET", f"v2/members/{group}/members", params={"where_type": 0})
    return frozenset(r["data"]["properties"]["id"] for r in answer["results"])


def change_request(maker: OTCSClient) -> int:
    body = {
        "wksp_type_id": 510,
        "bo_type": "CHANGE_REQUEST",
        "bo_id": f"s-CR-{uuid.uuid4().hex[:6]}",
    }
    node = maker.request("POST", "v2/businessworkspaces", fields={"body": json.dumps(body)})
    node_id = int(node["results"]["id"])
    maker.request("POST", f"v2/nodes/{node_id}/categories",
                  fields={"category_id": CATEGORY, f"{CATEGORY}_13": "requested"})  # fmt: skip
    return node_id


def decide(otcs: OTCSClient, node_id: int, user_id: int) -> None:
    otcs.request("PUT", f"v2/nodes/{node_id}/categories/{CATEGORY}",
                 fields={f"{CATEGORY}_8": "approved", f"{CATEGORY}_9": str(user_id)})  # fmt: skip


def test_the_trail_names_requester_and_approver_and_checks_them(ecm: OTCSEmulator) -> None:
    tag = uuid.uuid4().hex[:6]
    maker_id = ecm.add_user(f"maker-{tag}", "m")
    checker_id = ecm.add_user(f"checker-{tag}", "c")
    outsider_id = ecm.add_user(f"outsider-{tag}", "o")
    group = ecm.add_group(f"finance-{tag}", (checker_id,))
    maker = client(ecm, f"maker-{tag}", "m")
    checker = client(ecm, f"checker-{tag}", "c")
    outsider = client(ecm, f"outsider-{tag}", "o")
    service = client(ecm, "admin", "svc-pw")
    approvers = members(service, group)

    def verdict(node_id: int, decided_by: int) -> str | None:
        audit = service.request(
            "GET", f"v2/nodes/{node_id}/audit", params={"sort": "asc_audit_date"}
        )["results"]["data"]["audit"]
        return refusal(trail_of(audit, ADMIN_USER_ID), decided_by, "approved", approvers)

    legit = change_request(maker)
    decide(checker, legit, checker_id)
    assert verdict(legit, checker_id) is None

    own = change_request(maker)
    decide(maker, own, checker_id)  # the requester approves, naming someone else
    assert verdict(own, checker_id) == "separation of duties: decided by the requester"

    foreign = change_request(maker)
    decide(outsider, foreign, outsider_id)
    assert "not in the approver group" in str(verdict(foreign, outsider_id))

    edited = change_request(maker)
    decide(checker, edited, checker_id)
    decide(maker, edited, checker_id)  # the requester edits after approval
    assert verdict(edited, checker_id) == "separation of duties: decided by the requester"
    assert maker_id != checker_id
