"""Records Management: declare with the token round trip, RM rules, RSIs, codes, xrefs."""

from __future__ import annotations

import json

import pytest

from sandbox.otcs.seed import FILE_PLAN, RSIS
from tests.otcs_emulator.conftest import Api

INVOICES = 3020
GROUPING = 3000
EDIT_CONFLICT = {"error": "Could not update metadata (edit conflict)."}


def rm(api: Api, node: int) -> dict:
    return api.ok(api.get(f"/v1/nodes/{node}/rmclassifications"))


def declare(api: Api, node: int, **fields: object) -> dict:
    token = rm(api, node)["rm_metadataToken"]
    body = {"class_id": INVOICES, "rm_metadataToken": token, **fields}
    return api.ok(api.post(f"/v1/nodes/{node}/rmclassifications", data={"body": json.dumps(body)}))


def test_unclassified_node_offers_a_token(api: Api, folder: int) -> None:
    doc = api.document(folder)
    state = rm(api, doc)
    assert state["data"] == []
    assert state["canRMClassify"] is True
    assert state["rm_metadataToken"]


def test_declare_official_record_with_defaults(api: Api, folder: int) -> None:
    doc = api.document(folder)
    result = declare(api, doc, official=True, record_date="2025-03-31")
    row = result["data"][0]
    assert row["rmclassification_id"] == INVOICES
    assert (row["rsi"], row["official"], row["record_date"]) == (
        "BCRM-FIN-INV",
        True,
        "2025-03-31T00:00:00",
    )
    assert row["status"] == row["file_status"] == "ACTIVE"
    assert (row["essential"], row["storage"], row["file_number"]) == ("NR", "EL", "COM-FIN-INV")
    assert result["canBeUnclassified"] is False


def test_rm_token_rotates_and_stale_token_conflicts(api: Api, folder: int) -> None:
    doc = api.document(folder)
    before = rm(api, doc)["rm_metadataToken"]
    declare(api, doc)
    after = rm(api, doc)["rm_metadataToken"]
    assert after != before
    stale = api.put(
        f"/v1/nodes/{doc}/rmclassifications", data={"rm_metadataToken": before, "official": "true"}
    )
    assert (stale.status_code, stale.json()) == (409, EDIT_CONFLICT)
    updated = api.put(
        f"/v1/nodes/{doc}/rmclassifications",
        data={"rm_metadataToken": after, "file_status": "CLOSED", "rsi": "BCRM-FIN-INV-DE"},
    )
    row = api.ok(updated)["data"][0]
    assert (row["status"], row["rsi"]) == ("CLOSED", "BCRM-FIN-INV-DE")
    missing = api.put(f"/v1/nodes/{doc}/rmclassifications", data={"official": "true"})
    assert missing.status_code == 400


def test_changing_a_classification_needs_the_token(api: Api, folder: int) -> None:
    doc = api.document(folder)
    declare(api, doc)
    without = api.post(f"/v1/nodes/{doc}/rmclassifications", data={"class_id": 3021})
    assert without.status_code == 400
    token = rm(api, doc)["rm_metadataToken"]
    changed = api.post(
        f"/v1/nodes/{doc}/rmclassifications", data={"class_id": 3021, "rm_metadataToken": token}
    )
    assert api.ok(changed)["data"][0]["rsi"] == "BCRM-FIN-CRN"


def test_invalid_codes_and_grouping_classes_are_refused(api: Api, folder: int) -> None:
    doc = api.document(folder)
    grouping = api.post(f"/v1/nodes/{doc}/rmclassifications", data={"class_id": GROUPING})
    assert grouping.status_code == 400
    assert "has no RSI" in grouping.json()["error"]
    for field, value in (("rsi", "NOPE"), ("storage", "XX"), ("cycle_period", "5")):
        bad = api.post(
            f"/v1/nodes/{doc}/rmclassifications", data={"class_id": INVOICES, field: value}
        )
        assert bad.status_code == 400, field
    assert rm(api, doc)["data"] == []


@pytest.mark.parametrize("operation", ["delete", "move", "version", "unclassify"])
def test_official_record_is_protected(api: Api, folder: int, operation: str) -> None:
    doc = api.document(folder, "official.pdf")
    declare(api, doc, official=True)
    token = rm(api, doc)["rm_metadataToken"]
    other = api.folder(folder)
    response = {
        "delete": lambda: api.delete(f"/v2/nodes/{doc}"),
        "move": lambda: api.put(f"/v2/nodes/{doc}", data={"parent_id": other}),
        "version": lambda: api.post(
            f"/v2/nodes/{doc}/versions", files={"file": ("official.pdf", b"new", "application/pdf")}
        ),
        "unclassify": lambda: api.delete(
            f"/v1/nodes/{doc}/rmclassifications/{INVOICES}", params={"rm_metadataToken": token}
        ),
    }[operation]()
    assert response.status_code == 400
    assert "official record" in response.json()["error"]
    assert api.get(f"/v2/nodes/{doc}").status_code == 200


def test_folder_with_official_record_cannot_be_deleted(api: Api, folder: int) -> None:
    doc = api.document(folder)
    declare(api, doc, official=True)
    assert api.delete(f"/v1/nodes/{folder}").status_code == 400
    token = rm(api, doc)["rm_metadataToken"]
    api.ok(
        api.put(
            f"/v1/nodes/{doc}/rmclassifications",
            data={"rm_metadataToken": token, "official": "false"},
        )
    )
    token = rm(api, doc)["rm_metadataToken"]
    api.ok(
        api.delete(
            f"/v1/nodes/{doc}/rmclassifications/{INVOICES}", params={"rm_metadataToken": token}
        )
    )
    assert api.ok(api.delete(f"/v1/nodes/{folder}")) == {}


def test_rsi_lists(api: Api) -> None:
    names = api.ok(api.get("/v1/rsis"))["data"]["fast_codes"]
    assert {"name": "BCRM-ORD-REC"} in names
    assert len(names) == len(RSIS) + sum(len(r["overrides"]) for r in RSIS)
    rows = api.ok(api.get("/v2/rsis", params={"limit": 100}))["results"]["data"]["rsis"]
    invoice = next(r for r in rows if r["RSI"] == "BCRM-FIN-INV")
    assert (invoice["EventType"], invoice["DateToUse"], invoice["RetYears"]) == (3, 95, 10)
    assert invoice["ActionCode"] == 32
    one = api.ok(api.get(f"/v2/rsis/{invoice['RSIID']}"))["results"]["data"]["rsis"]
    assert one[0]["RSI"] == "BCRM-FIN-INV"
    filtered = api.ok(api.post("/v1/rsis", data={"query": "-DE"}))["data"]["fast_codes"]
    assert all(n["name"].endswith("-DE") for n in filtered) and filtered


def test_rsi_schedule_create_stage_and_assign(api: Api, folder: int) -> None:
    created = api.ok(api.post("/v2/rsischedules", data={"name": "TEST-RSI", "status": "ACTIVE"}))
    rsi_id = created["results"]["id"]
    stage = api.post(
        f"/v2/rsischedules/{rsi_id}/stages",
        data={"eventType": 1, "retentionYears": 3, "actionCode": 32, "objectType": "LIV"},
    )
    assert api.ok(stage)["results"]["ok"] is True
    doc = api.document(folder)
    declare(api, doc)
    api.ok(api.post(f"/v1/nodes/{doc}/rmclassifications/{INVOICES}/rsis", data={"rsi": "TEST-RSI"}))
    assert api.ok(api.get(f"/v1/nodes/{doc}/rsis"))["data"] == [
        {"class_id": INVOICES, "rsi": "TEST-RSI"}
    ]
    assert api.delete(f"/v2/rsischedules/{rsi_id}").status_code == 400


def test_rm_codes(api: Api) -> None:
    v1 = api.ok(api.get("/v1/recordsmanagement/rmcodes"))
    v2 = api.ok(api.get("/v2/recordsmanagement/rmcodes"))["results"]["data"]
    assert v1 == v2
    assert {"essential": "VR", "description": "Vital record"} in v1["rmesscode"]
    assert {r["holdtype"] for r in v1["rmholdtype"]} >= {"LEGAL", "AUDIT"}
    assert any(r["rsi"] == "BCRM-TAX-MON" for r in v1["rmrsi"])


def test_file_plan_is_browsable(api: Api) -> None:
    paths = {name for _, _, name, _, _, _ in FILE_PLAN}
    finance = api.ok(api.get("/v1/nodes/3002/nodes"))["data"]
    assert {n["name"] for n in finance} == {"Invoices", "Credit Notes", "Payment Records"}
    assert {n["type"] for n in finance} == {551}
    assert "Monthly Tax Summaries" in paths


def test_cross_references(api: Api, folder: int) -> None:
    order, invoice = api.document(folder), api.document(folder)
    types = api.ok(api.get("/v1/xrefs"))["data"]
    assert any(t["xref_type"] == "INVOICE_FOR" for t in types)
    linked = api.post(
        f"/v1/nodes/{invoice}/xrefs", data={"xref_type": "INVOICE_FOR", "xref_id": order}
    )
    assert api.ok(linked)["data"][0]["related_code"] == "HAS_INVOICE"
    rows = api.ok(api.get(f"/v1/nodes/{invoice}/xrefs"))["data"]
    assert [(r["xref_type"], r["xref_id"], r["id"]) for r in rows] == [
        ("INVOICE_FOR", order, order)
    ]
    assert api.delete("/v1/xrefs/INVOICE_FOR").status_code == 400
    api.ok(api.delete(f"/v1/nodes/{invoice}/xrefs/INVOICE_FOR/refnodes/{order}"))
    assert api.ok(api.get(f"/v1/nodes/{invoice}/xrefs"))["data"] == []
    created = api.post("/v1/xrefs", data={"xref_type": "test_link", "desc": "Test"})
    assert api.ok(created)["data"]["xref_type"] == "TEST_LINK"
    assert api.ok(api.delete("/v1/xrefs/TEST_LINK")) == {}


def test_roles_rmclassifications_on_create(api: Api, folder: int) -> None:
    roles = {"rmclassifications": {"class_id": 3041, "official": True}}
    doc = api.document(folder, roles=roles)
    row = rm(api, doc)["data"][0]
    assert (row["rsi"], row["official"], row["essential"]) == ("BCRM-TAX-MON", True, "VR")
