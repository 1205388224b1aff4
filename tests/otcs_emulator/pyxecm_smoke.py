"""Acceptance check with OpenText's own client, pyxecm, driving the emulator unchanged.

Not collected by pytest: pyxecm needs Python >= 3.12 and a heavy dependency set
that the project does not carry. Run it by hand against a running emulator:

    python -m venv /tmp/pyxecm && /tmp/pyxecm/bin/pip install pyxecm   # Python 3.12+
    bcrm sandbox otcs --password pw        # or: python -m sandbox.otcs.cli --password pw
    /tmp/pyxecm/bin/python tests/otcs_emulator/pyxecm_smoke.py BASE_URL pw

It logs in, creates a folder and a document with a category, sets attributes, adds
a version, declares an official record, applies a hold (and sees deletion refused),
and creates and finds a business workspace; it exits non-zero on the first failure.
"""

from __future__ import annotations

import sys
from urllib.parse import urlparse

from pyxecm import OTCS


def main(base_url: str, password: str) -> None:
    url = urlparse(base_url)
    cs = OTCS(
        protocol=url.scheme,
        hostname=url.hostname,
        port=url.port,
        username="admin",
        password=password,
        base_path=url.path.removesuffix("/api"),
    )
    assert cs.authenticate(), "login"
    folder = cs.get_result_value(cs.create_item(2000, 0, "pyxecm-smoke"), "id")
    upload = cs.upload_file_to_parent(
        folder,
        file_name="invoice.pdf",
        mime_type="application/pdf",
        file_content=b"%PDF-1.7 smoke",
        category_data={"9100": {"9100_1": {}, "9100_3": "store-x"}},
    )
    doc = cs.get_result_value(upload, "id")
    assert cs.get_node_by_parent_and_name(folder, "invoice.pdf"), "find by name"
    assert cs.set_category_value(doc, "ORDER-1", 9100, 25), "set attribute"
    assert cs.assign_category(doc, 9200, inheritance=None, attribute_values={"9200_2": "C-9"})
    assert cs.add_document_version(doc, file_name="invoice.pdf", file_content=b"%PDF v2")
    assert len(cs.get_document_versions(doc)) == 2, "versions"
    assert cs.assign_rm_classification(doc, 3020), "classify"
    token = cs.get_node_records_details(doc)["rm_metadataToken"]
    assert cs.set_node_records_details(doc, metadata_token=token, official=True), "official"
    hold_id = cs.create_records_management_hold(
        "LEGAL", "smoke hold", "", date_applied="2026-01-01"
    )["holdID"]
    assert cs.get_hold_by_name("smoke hold"), "hold lookup"
    assert cs.assign_hold(folder, hold_id), "apply hold"
    assert cs.delete_node(doc) is None, "deletion of a held record must be refused"
    workspace = cs.create_workspace(
        2201, None, "", 501, external_system_id="BigCommerce", bo_type="ORDER", bo_id="smoke-1"
    )
    workspace_id = cs.get_result_value(workspace, "id")
    found = cs.get_workspace_by_business_object("BigCommerce", "ORDER", "smoke-1")
    assert cs.get_result_value(found, "id") == workspace_id, "workspace search"
    print("pyxecm smoke: all steps passed")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
