"""Seed data: categories, file plan, RSIs, RM codes, workspace types — one readable place.

The pipeline's `retention.toml` names these RSI codes, classification paths,
category attribute names and workspace types, so they are plain literals here with
fixed ids. Retention periods follow the proposed default schedule of
records-and-rendering.md §A5 (needs legal sign-off there, not here).
"""

from __future__ import annotations

from typing import Any

from sandbox.otcs import rsis, xrefs
from sandbox.otcs.categories import CategoryDef
from sandbox.otcs.directory import ADMIN_USER_ID
from sandbox.otcs.repository import (
    BUSINESS_WORKSPACE,
    CATEGORY,
    CATEGORY_VOLUME,
    CLASSIFICATION_VOLUME,
    ENTERPRISE_VOLUME,
    FOLDER,
    PERSONAL_VOLUME,
    RM_CLASSIFICATION,
    Repository,
)

EXT_SYSTEM_ID = "BigCommerce"

ENTERPRISE_WORKSPACE_ID = 2000
PERSONAL_WORKSPACE_ID = 2004
CATEGORIES_VOLUME_ID = 2006
FILE_PLAN_ID = 2030
TEMPLATES_FOLDER_ID = 2200

VOLUMES = [
    (ENTERPRISE_WORKSPACE_ID, "Enterprise Workspace", ENTERPRISE_VOLUME),
    (PERSONAL_WORKSPACE_ID, "Personal Workspace", PERSONAL_VOLUME),
    (CATEGORIES_VOLUME_ID, "Content Server Categories", CATEGORY_VOLUME),
    (FILE_PLAN_ID, "Classifications", CLASSIFICATION_VOLUME),
    (TEMPLATES_FOLDER_ID, "Business Workspace Templates", FOLDER),
]

# Folders under the Enterprise Workspace; the first five are workspace locations.
FOLDERS = [
    (2100, "Orders"),
    (2101, "Customer Cases"),
    (2102, "Products"),
    (2103, "Campaigns"),
    (2104, "Recalls"),
    (2105, "Policies and Disclosures"),
    (2106, "Tax Summaries"),
    (2120, "Change Requests"),
]


def _attr(attr_id: int, name: str, type_name: str = "String", **extra: Any) -> dict[str, Any]:
    return {"id": attr_id, "name": name, "type_name": type_name, **extra}


def _multi(attr_id: int, name: str, max_values: int, type_name: str = "String") -> dict[str, Any]:
    return _attr(attr_id, name, type_name, multi_value=True, max_values=max_values)


CATEGORIES: list[dict[str, Any]] = [
    {
        "id": 9100,
        "name": "Commerce Record",
        "attributes": [
            _attr(2, "Source System"),
            _attr(3, "Store Hash"),
            _attr(4, "Object Type"),
            _attr(5, "Object ID"),
            _attr(6, "Order Number"),
            _attr(7, "Customer ID"),
            _attr(8, "Currency", max_length=3),
            _attr(9, "Amount", "Real"),
            _attr(10, "Document Date", "Date"),
            _attr(11, "SHA-256", max_length=64),
            _attr(12, "Template Version"),
            _attr(13, "Document Kind"),
            _attr(14, "Record Key"),
            _multi(15, "Related Object IDs", 100),
            _attr(16, "Jurisdiction", max_length=2),
            _attr(17, "Source Modified Date", "Date"),
            _attr(18, "Trigger Event"),
            _attr(19, "Trigger Date", "Date"),
            _attr(
                20,
                "Lines",
                "Set",
                max_rows=500,
                children=[
                    _attr(21, "SKU"),
                    _attr(22, "Quantity", "Integer"),
                    _attr(23, "Line Amount", "Real"),
                    _attr(24, "Tax Amount", "Real"),
                ],
            ),
            # Names used by pipeline/records/classify.py's category attributes.
            _attr(25, "Order ID"),
            _attr(26, "Source ID"),
            _attr(27, "Source Fingerprint"),
            _attr(28, "File Plan Version"),
        ],
    },
    {
        "id": 9200,
        "name": "Customer Case",
        "attributes": [
            _attr(2, "Case ID"),
            _attr(3, "Case Type"),
            _attr(4, "Case Status"),
            _multi(5, "Order Numbers", 100),
            _attr(6, "Customer ID"),
            _attr(7, "Opened Date", "Date"),
            _attr(8, "Closed Date", "Date"),
            _attr(9, "Channel"),
        ],
    },
    {
        "id": 9300,
        "name": "Approval",
        "attributes": [
            _attr(2, "Approval ID"),
            _attr(3, "Change Type"),
            _attr(4, "Subject Object Type"),
            _attr(5, "Subject Object ID"),
            _attr(6, "Decision"),
            _multi(7, "Approvers", 20),
            _attr(8, "Decided Date", "Date"),
            _attr(9, "Effective Date", "Date"),
            _attr(10, "Publish Receipt ID"),
            _attr(11, "Published Date", "Date"),
        ],
    },
    {
        "id": 9400,
        "name": "Policy Version",
        "attributes": [
            _attr(2, "Policy Type"),
            _attr(3, "Page ID"),
            _attr(4, "Version Number", "Integer"),
            _attr(5, "Published Date", "Date"),
            _attr(6, "Superseded Date", "Date"),
            _attr(7, "Storefront URL"),
            _attr(8, "Content SHA-256", max_length=64),
            _attr(9, "Channel ID"),
        ],
    },
    {
        "id": 9500,
        "name": "Recall",
        "attributes": [
            _attr(2, "Recall ID"),
            _multi(3, "Affected SKUs", 500),
            _multi(4, "Affected Product IDs", 500),
            _attr(5, "Supplier"),
            _attr(6, "Notice Date", "Date"),
            _attr(7, "Affected Order Count", "Integer"),
            _attr(8, "Takedown Date", "Date"),
            _attr(9, "Severity"),
            # Flow 6 (issue 16): what the recall names and its decision. Who decided is
            # the audit trail's to say; "Decided By" is cross-checked against it.
            _multi(10, "GTINs", 500),
            _multi(11, "MPNs", 500),
            _multi(12, "Lots", 500),
            _attr(13, "Sold From", "Date"),
            _attr(14, "Sold To", "Date"),
            _attr(15, "Hazard"),
            _attr(16, "Remedy"),
            _attr(17, "Decision"),
            _attr(18, "Decided By"),
            _attr(19, "Decided At"),
            _attr(20, "Opened By"),
            _attr(21, "Closed At"),
            _attr(22, "Holds Released At"),
        ],
    },
    {
        "id": 9600,
        "name": "Campaign",
        "attributes": [
            _attr(2, "Campaign ID"),
            _multi(3, "Promotion IDs", 100),
            _multi(4, "Coupon Codes", 100),
            _attr(5, "Start Date", "Date"),
            _attr(6, "End Date", "Date"),
            _attr(7, "Discount Rule Summary"),
            _attr(8, "Legal Approval ID"),
            # Flow 7 (issue 17): the approved scope and its decision; the decider is read
            # from the workspace's audit trail, "Decided By" is cross-checked against it.
            _attr(9, "Campaign Name"),
            _multi(10, "Channels", 50),
            _multi(11, "Countries", 250),
            _multi(12, "Currencies", 50),
            _attr(13, "Largest Discount Approved"),
            _attr(14, "Requested By"),
            _attr(15, "Decision"),
            _attr(16, "Decided By"),
            _attr(17, "Decided At"),
            _attr(18, "Campaign Status"),
            _attr(19, "Closed At"),
        ],
    },
    {
        # Flow 3's change request (issue 15): what was asked, bound by hashes, and its
        # decision; the approver is read from the workspace's audit trail, not from here.
        "id": 9750,
        "name": "Change Request",
        "attributes": [
            _attr(2, "Change Request ID"),
            _attr(3, "Change Type"),
            _attr(4, "Target"),
            _attr(5, "Payload SHA-256", max_length=64),
            _attr(6, "Before SHA-256", max_length=64),
            _attr(7, "Requested By"),
            _attr(8, "Decision"),
            _attr(9, "Decided By"),
            _attr(10, "Decided At"),
            _attr(11, "Effective From"),
            _attr(12, "Expires At"),
            _attr(13, "Status"),
            _attr(14, "Status Reason"),
        ],
    },
]


INVOICE_OVERRIDES = {"DE": 8, "GB": 6, "US": 7, "NL": 7, "ES": 6}


def _rsi(code: str, title: str, years: int, event: str, **overrides: int) -> dict[str, Any]:
    """An RSI with one event-based stage; `overrides` add `{code}-{CC}` jurisdiction RSIs."""
    return {"code": code, "title": title, "years": years, "event": event, "overrides": overrides}


# Codes, periods and trigger events mirror the repository's `retention.toml` (flows 1
# and 5) and extend it for flows 2, 3, 4, 6 and 7 along §A5. Each stage is event based
# (EventType 3) on the record date (DateToUse 95), cut off at 31 December, then
# destroy (ActionCode 32) under disposition review ("REVIEW").
RSIS: list[dict[str, Any]] = [
    _rsi("BCRM-ORD-REC", "Order records", 7, "order_closed", DE=6, US=7),
    _rsi("BCRM-FIN-INV", "Invoices", 10, "invoice_issued", **INVOICE_OVERRIDES),
    _rsi("BCRM-FIN-CRN", "Credit notes and refunds", 10, "refund_settled", **INVOICE_OVERRIDES),
    _rsi("BCRM-FIN-PAY", "Payment records", 10, "payment_settled", **INVOICE_OVERRIDES),
    _rsi("BCRM-FUL-PCK", "Packing slips", 2, "order_closed"),
    _rsi("BCRM-FUL-SHP", "Shipping proofs", 2, "order_closed"),
    _rsi("BCRM-TAX-ORD", "Order tax breakdowns", 10, "invoice_issued", **INVOICE_OVERRIDES),
    _rsi("BCRM-TAX-MON", "Monthly tax summaries", 10, "tax_period_filed"),
    _rsi("BCRM-CS-CASE", "Customer-service case files", 7, "case_closed"),
    _rsi("BCRM-GOV-APR", "Approvals and publish receipts", 10, "parent_cutoff"),
    # Kept as long as the longest-kept order record that could cite a version: an order
    # placed just before a version was superseded keeps its invoice 10 years (the longest
    # invoice period, retention.toml), so 10 years from supersession, in every country.
    _rsi("BCRM-POL-PAG", "Storefront page versions", 10, "policy_superseded"),
    _rsi("BCRM-POL-TRM", "Checkout terms versions", 10, "policy_superseded"),
    _rsi("BCRM-POL-PRV", "Privacy settings versions", 10, "policy_superseded"),
    # An order's disclosure receipt supports its invoice: kept as the invoice.
    _rsi("BCRM-ORD-DIS", "Order disclosure receipts", 10, "invoice_issued", **INVOICE_OVERRIDES),
    _rsi("BCRM-PS-RCL", "Recalls, certifications, safety bulletins", 10, "product_withdrawn"),
    _rsi("BCRM-MKT-CMP", "Campaign briefs, approvals, discount rules", 6, "campaign_ended"),
]

COMMERCE = 3000
# File plan: (id, parent id, name, file number, RSI or None for grouping classes, vital).
# A classification without an RSI groups others and cannot classify records (MoReq2010).
# Paths below the "Classifications" volume equal `classification` in retention.toml.
FILE_PLAN: list[tuple[int, int, str, str, str | None, bool]] = [
    (COMMERCE, FILE_PLAN_ID, "Commerce Records", "COM", None, False),
    (3001, COMMERCE, "Orders", "COM-ORD", None, False),
    (3010, 3001, "Order Records", "COM-ORD-REC", "BCRM-ORD-REC", False),
    (3011, 3001, "Disclosure Receipts", "COM-ORD-DIS", "BCRM-ORD-DIS", False),
    (3002, COMMERCE, "Finance", "COM-FIN", None, False),
    (3020, 3002, "Invoices", "COM-FIN-INV", "BCRM-FIN-INV", False),
    (3021, 3002, "Credit Notes", "COM-FIN-CRN", "BCRM-FIN-CRN", False),
    (3022, 3002, "Payment Records", "COM-FIN-PAY", "BCRM-FIN-PAY", False),
    (3003, COMMERCE, "Fulfilment", "COM-FUL", None, False),
    (3030, 3003, "Packing Slips", "COM-FUL-PCK", "BCRM-FUL-PCK", False),
    (3031, 3003, "Shipping Proofs", "COM-FUL-SHP", "BCRM-FUL-SHP", False),
    (3004, COMMERCE, "Tax", "COM-TAX", None, False),
    (3040, 3004, "Order Tax Breakdowns", "COM-TAX-ORD", "BCRM-TAX-ORD", False),
    (3041, 3004, "Monthly Tax Summaries", "COM-TAX-MON", "BCRM-TAX-MON", True),
    (3005, COMMERCE, "Customer Service", "COM-CS", None, False),
    (3050, 3005, "Case Files", "COM-CS-CASE", "BCRM-CS-CASE", False),
    (3051, 3005, "Communication Logs", "COM-CS-COM", "BCRM-CS-CASE", False),
    (3006, COMMERCE, "Governance", "COM-GOV", None, False),
    (3060, 3006, "Approvals", "COM-GOV-APR", "BCRM-GOV-APR", False),
    (3061, 3006, "Publish Receipts", "COM-GOV-PUB", "BCRM-GOV-APR", False),
    (3066, 3006, "Unapproved Changes", "COM-GOV-UNA", "BCRM-GOV-APR", False),
    (3062, 3006, "Policies and Disclosures", "COM-GOV-POL", None, False),
    (3063, 3062, "Storefront Pages", "COM-GOV-POL-PAG", "BCRM-POL-PAG", False),
    (3064, 3062, "Checkout Terms", "COM-GOV-POL-TRM", "BCRM-POL-TRM", False),
    (3065, 3062, "Privacy Settings", "COM-GOV-POL-PRV", "BCRM-POL-PRV", False),
    (3007, COMMERCE, "Product Safety", "COM-PS", None, False),
    (3070, 3007, "Recall Notices", "COM-PS-RCL", "BCRM-PS-RCL", True),
    (3071, 3007, "Supplier Certifications", "COM-PS-CRT", "BCRM-PS-RCL", False),
    (3072, 3007, "Safety Bulletins", "COM-PS-BUL", "BCRM-PS-RCL", True),
    (3073, 3007, "Storefront Takedowns", "COM-PS-TKD", "BCRM-PS-RCL", False),
    (3008, COMMERCE, "Marketing", "COM-MKT", None, False),
    (3080, 3008, "Campaign Briefs", "COM-MKT-BRF", "BCRM-MKT-CMP", False),
    (3081, 3008, "Campaign Approvals", "COM-MKT-APR", "BCRM-MKT-CMP", False),
    (3082, 3008, "Discount Rules", "COM-MKT-DSC", "BCRM-MKT-CMP", False),
    (3083, 3008, "Campaign Exceptions", "COM-MKT-EXC", "BCRM-MKT-CMP", False),
    (3084, 3008, "Campaign Closeouts", "COM-MKT-CLO", "BCRM-MKT-CMP", False),
    (3085, 3008, "Prior-Price Evidence", "COM-MKT-PPE", "BCRM-MKT-CMP", False),
]

WORKSPACE_TYPES: list[dict[str, Any]] = [
    {
        "id": 501,
        "name": "Order",
        "bo_type": "ORDER",
        "bo_type_id": 601,
        "template_id": 2201,
        "location_id": 2100,
        "name_pattern": "Order {bo_id}",
        "folders": [
            "Order Records",
            "Invoices",
            "Credit Notes",
            "Payments",
            "Fulfilment",
            "Tax",
            "Approvals",
            "Correspondence",
            "Disclosures",
        ],
    },
    {
        "id": 502,
        "name": "Customer Case",
        "bo_type": "CASE",
        "bo_type_id": 602,
        "template_id": 2202,
        "location_id": 2101,
        "name_pattern": "Case {bo_id}",
        "folders": [
            "Case Summary",
            "Order History",
            "Refunds",
            "Communications",
            "Attachments",
            "Approvals",
        ],
    },
    {
        "id": 503,
        "name": "Product",
        "bo_type": "PRODUCT",
        "bo_type_id": 603,
        "template_id": 2203,
        "location_id": 2102,
        "name_pattern": "Product {bo_id}",
        "folders": [
            "Launch Approvals",
            "Price Changes",
            "Certifications",
            "Safety",
            "Unapproved Changes",
        ],
    },
    {
        "id": 504,
        "name": "Campaign",
        "bo_type": "CAMPAIGN",
        "bo_type_id": 604,
        "template_id": 2204,
        "location_id": 2103,
        "name_pattern": "Campaign {bo_id}",
        "folders": [
            "Briefs",
            "Legal Approvals",
            "Discount Rules",
            "Publish Receipts",
            "Unapproved Changes",
            "Promotion Versions",
            "Exceptions",
            "Closeout",
            "Prior-Price Evidence",
        ],
    },
    {
        "id": 505,
        "name": "Recall",
        "bo_type": "RECALL",
        "bo_type_id": 605,
        "template_id": 2205,
        "location_id": 2104,
        "name_pattern": "Recall {bo_id}",
        "folders": [
            "Recall Notices",
            "Supplier Certifications",
            "Safety Bulletins",
            "Affected Orders",
            "Takedowns",
            "Status Reports",
        ],
    },
    {
        "id": 506,
        "name": "Storefront Disclosures",
        "bo_type": "DISCLOSURES",
        "bo_type_id": 606,
        "template_id": 2206,
        "location_id": 2105,
        "name_pattern": "Storefront Disclosures {bo_id}",
        "folders": ["Pages", "Checkout Terms", "Privacy Settings"],
    },
    {
        "id": 510,
        "name": "Change Request",
        "bo_type": "CHANGE_REQUEST",
        "bo_type_id": 610,
        "template_id": 2210,
        "location_id": 2120,
        "name_pattern": "Change Request {bo_id}",
        "folders": ["Request", "Publish Receipts"],
    },
]

RM_CODES: dict[str, list[dict[str, Any]]] = {
    "rmaccession": [{"accession": "BCRM", "description": "Captured by bcrm from BigCommerce"}],
    "rmcycleperiod": [
        {"cycleperiod": 1, "description": "Monthly"},
        {"cycleperiod": 2, "description": "Semi-annual"},
        {"cycleperiod": 3, "description": "Quarterly"},
        {"cycleperiod": 7, "description": "Weekly"},
        {"cycleperiod": 12, "description": "Annual"},
        {"cycleperiod": 365, "description": "Daily"},
    ],
    "rmesscode": [
        {"essential": "NR", "description": "Non-essential record"},
        {"essential": "VR", "description": "Vital record"},
    ],
    "rmholdtype": [
        {"holdtype": "LEGAL", "description": "Legal hold"},
        {"holdtype": "ADMIN", "description": "Administrative hold"},
        {"holdtype": "AUDIT", "description": "Tax or financial audit"},
        {"holdtype": "FOIA", "description": "Freedom of information request"},
    ],
    "rmstatuscode": [
        {"status": "ACTIVE", "description": "Active"},
        {"status": "CLOSED", "description": "Closed (trigger event occurred)"},
        {"status": "SUPERSEDED", "description": "Superseded by a newer record"},
        {"status": "WITHDRAWN", "description": "Withdrawn"},
    ],
    "rmstorage": [
        {"storage": "EL", "description": "Electronic"},
        {"storage": "PH", "description": "Physical"},
    ],
}

# (type, description, reciprocal type) — links between related commerce records.
XREF_TYPES = [
    ("SUPERSEDES", "Supersedes", "SUPERSEDED_BY"),
    ("SUPERSEDED_BY", "Superseded by", "SUPERSEDES"),
    ("INVOICE_FOR", "Invoice for order", "HAS_INVOICE"),
    ("HAS_INVOICE", "Order has invoice", "INVOICE_FOR"),
    ("REFUND_OF", "Refund / credit note of", "HAS_REFUND"),
    ("HAS_REFUND", "Has refund / credit note", "REFUND_OF"),
    ("SHIPMENT_OF", "Shipment document of order", "HAS_SHIPMENT"),
    ("HAS_SHIPMENT", "Order has shipment document", "SHIPMENT_OF"),
    ("PAYMENT_FOR", "Payment for order", "HAS_PAYMENT"),
    ("HAS_PAYMENT", "Order has payment", "PAYMENT_FOR"),
    ("APPROVAL_FOR", "Approval for", "APPROVED_BY"),
    ("APPROVED_BY", "Approved by", "APPROVAL_FOR"),
    ("CASE_MEMBER", "Collected into case", "CASE_CONTAINS"),
    ("CASE_CONTAINS", "Case contains", "CASE_MEMBER"),
    ("RELATED", "Related record", "RELATED"),
    ("CITES_DISCLOSURE", "Receipt cites disclosure version", "CITED_BY_RECEIPT"),
    ("CITED_BY_RECEIPT", "Disclosure version cited by receipt", "CITES_DISCLOSURE"),
]


def build_repository() -> Repository:
    """A fresh repository holding exactly the seed above."""
    repo = Repository()
    add = repo.add

    def seeded(parent: int, name: str, node_type: int, node_id: int, **kw: Any) -> None:
        add(parent, name, node_type, user_id=ADMIN_USER_ID, node_id=node_id, seeded=True, **kw)

    for node_id, name, node_type in VOLUMES:
        seeded(-1, name, node_type, node_id)
    for node_id, name in FOLDERS:
        seeded(ENTERPRISE_WORKSPACE_ID, name, FOLDER, node_id)
    for data in CATEGORIES:
        repo.category_defs[data["id"]] = CategoryDef.from_dict(data)
        seeded(CATEGORIES_VOLUME_ID, data["name"], CATEGORY, data["id"])
    for rsi in RSIS:
        variants = [("", rsi["years"]), *((f"-{cc}", y) for cc, y in rsi["overrides"].items())]
        for suffix, years in variants:
            code = rsi["code"] + suffix
            rsi_id = len(repo.rsis) + 1
            repo.rsis[code] = rsis.new_rsi(rsi_id, code, title=rsi["title"] + suffix)
            stage = {
                "stage": "Retention",
                "event_type": 3,
                "years": years,
                "event_condition": rsi["event"],
            }
            repo.rsis[code]["stages"].append(rsis.new_stage(rsi_id, stage))
    repo.file_plan_id = FILE_PLAN_ID
    for node_id, parent, name, file_number, rsi, vital in FILE_PLAN:
        extra = {"file_number": file_number, "rsi": rsi, "essential": "VR" if vital else "NR"}
        seeded(parent, name, RM_CLASSIFICATION, node_id, extra=extra)
    repo.codes = {table: list(rows) for table, rows in RM_CODES.items()}
    for code, desc, related in XREF_TYPES:
        repo.xref_types[code] = xrefs.xref_type_row(code, desc, related, "")
    for wtype in WORKSPACE_TYPES:
        template_name = f"{wtype['name']} Workspace Template"
        seeded(TEMPLATES_FOLDER_ID, template_name, BUSINESS_WORKSPACE, wtype["template_id"])
        for folder in wtype["folders"]:
            add(wtype["template_id"], folder, FOLDER, user_id=ADMIN_USER_ID, seeded=True)
        repo.workspace_types[wtype["id"]] = {
            **{k: v for k, v in wtype.items() if k != "folders"},
            "ext_system_id": EXT_SYSTEM_ID,
        }
    return repo
