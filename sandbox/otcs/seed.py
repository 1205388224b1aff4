"""Seed data: categories, file plan, RSIs, RM codes, workspace types — one readable place.

The pipeline's `retention.toml` names these RSI codes, classification paths,
category attribute names and workspace types, so they are plain literals here with
fixed ids. Retention periods follow the proposed default schedule of
records-and-rendering.md §A5 (needs legal sign-off there, not here).
"""

from __future__ import annotations

from typing import Any

from sandbox.otcs import records
from sandbox.otcs.categories import CategoryDef
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

ADMIN_USER_ID = 1000
EXT_SYSTEM_ID = "BigCommerce"

ENTERPRISE_WORKSPACE_ID = 2000
PERSONAL_WORKSPACE_ID = 2004
CATEGORIES_VOLUME_ID = 2006
FILE_PLAN_ID = 2030
TEMPLATES_FOLDER_ID = 2200

VOLUMES = [
    (ENTERPRISE_WORKSPACE_ID, "Enterprise Workspace", ENTERPRISE_VOLUME),
    (PERSONAL_WORKSPACE_ID, "Personal Workspace", PERSONAL_VOLUME),
    (CATEGORIES_VOLUME_ID, "Categories", CATEGORY_VOLUME),
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
    (2106, "Tax Reports"),
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
            _attr(2, "Source System", required=True),
            _attr(3, "Store Hash", required=True),
            _attr(4, "Object Type", required=True),
            _attr(5, "Object ID", required=True),
            _attr(6, "Order Number"),
            _attr(7, "Customer ID"),
            _attr(8, "Currency", max_length=3),
            _attr(9, "Amount", "Real"),
            _attr(10, "Document Date", "Date"),
            _attr(11, "SHA-256", max_length=64, required=True),
            _attr(12, "Template Version"),
            _attr(13, "Document Kind", required=True),
            _attr(14, "Record Key"),
            _multi(15, "Related Object IDs", 100),
            _multi(16, "Jurisdictions", 20),
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
        ],
    },
    {
        "id": 9200,
        "name": "Customer Case",
        "attributes": [
            _attr(2, "Case ID", required=True),
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
            _attr(2, "Approval ID", required=True),
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
            _attr(2, "Policy Type", required=True),
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
            _attr(2, "Recall ID", required=True),
            _multi(3, "Affected SKUs", 500),
            _multi(4, "Affected Product IDs", 500),
            _attr(5, "Supplier"),
            _attr(6, "Notice Date", "Date"),
            _attr(7, "Affected Order Count", "Integer"),
            _attr(8, "Takedown Date", "Date"),
            _attr(9, "Severity"),
        ],
    },
    {
        "id": 9600,
        "name": "Campaign",
        "attributes": [
            _attr(2, "Campaign ID", required=True),
            _multi(3, "Promotion IDs", 100),
            _multi(4, "Coupon Codes", 100),
            _attr(5, "Start Date", "Date"),
            _attr(6, "End Date", "Date"),
            _attr(7, "Discount Rule Summary"),
            _attr(8, "Legal Approval ID"),
        ],
    },
]


def _rsi(rsi_id: int, code: str, title: str, years: int, event: str, **kw: Any) -> dict[str, Any]:
    """An RSI with one event-based stage: record date = trigger, fiscal-year-end cutoff."""
    return {"id": rsi_id, "code": code, "title": title, "years": years, "event": event, **kw}


# Event based (EventType 3) on the record date (DateToUse 95), cutoff 31 Dec, then
# destroy (ActionCode 32) under disposition review ("REVIEW"), as §A5 proposes.
RSIS: list[dict[str, Any]] = [
    _rsi(1, "BCRM-ORDER", "Order records", 7, "ORDER_CLOSED"),
    _rsi(2, "BCRM-INVOICE", "Invoices, credit notes and refunds", 10, "INVOICE_ISSUED"),
    _rsi(3, "BCRM-PAYMENT", "Payment records (booking vouchers)", 10, "PAYMENT_SETTLED"),
    _rsi(4, "BCRM-FULFILMENT", "Packing slips and shipping proofs", 2, "ORDER_CLOSED"),
    _rsi(5, "BCRM-TAX", "Tax breakdowns and tax summaries", 10, "PERIOD_FILED"),
    _rsi(6, "BCRM-CASE", "Customer-service case files", 7, "CASE_CLOSED"),
    _rsi(7, "BCRM-APPROVAL", "Approvals and publish receipts", 10, "PARENT_CUTOFF"),
    _rsi(8, "BCRM-POLICY", "Policies and storefront disclosures", 6, "POLICY_SUPERSEDED"),
    _rsi(9, "BCRM-RECALL", "Recalls, certifications and safety bulletins", 10, "PRODUCT_WITHDRAWN"),
    _rsi(10, "BCRM-CAMPAIGN", "Campaign briefs, approvals and discount rules", 6, "CAMPAIGN_ENDED"),
    # Jurisdiction overrides of §A5 (the pipeline picks the max over a store's jurisdictions).
    _rsi(11, "BCRM-INVOICE-DE", "Invoices (Germany, §147 AO)", 8, "INVOICE_ISSUED"),
    _rsi(12, "BCRM-INVOICE-UK", "Invoices (United Kingdom)", 6, "INVOICE_ISSUED"),
    _rsi(13, "BCRM-INVOICE-US", "Invoices (United States)", 7, "INVOICE_ISSUED"),
    _rsi(14, "BCRM-INVOICE-NL", "Invoices (Netherlands)", 7, "INVOICE_ISSUED"),
    _rsi(15, "BCRM-INVOICE-ES", "Invoices (Spain)", 6, "INVOICE_ISSUED"),
    _rsi(16, "BCRM-ORDER-DE", "Order records (Germany, business letters)", 6, "ORDER_CLOSED"),
    _rsi(17, "BCRM-POLICY-US", "Policies (United States, UCC 2-725)", 4, "POLICY_SUPERSEDED"),
]

# File plan: (id, parent id, name, file number, RSI or None for grouping classes, vital).
# A classification without an RSI groups others and cannot classify records (MoReq2010).
FILE_PLAN: list[tuple[int, int, str, str, str | None, bool]] = [
    (3000, FILE_PLAN_ID, "Commerce", "COM", None, False),
    (3001, 3000, "Sales", "COM-SAL", None, False),
    (3010, 3001, "Order Records", "COM-SAL-ORD", "BCRM-ORDER", False),
    (3002, 3000, "Finance", "COM-FIN", None, False),
    (3020, 3002, "Invoices", "COM-FIN-INV", "BCRM-INVOICE", False),
    (3021, 3002, "Credit Notes and Refunds", "COM-FIN-CRN", "BCRM-INVOICE", False),
    (3022, 3002, "Payment Records", "COM-FIN-PAY", "BCRM-PAYMENT", False),
    (3003, 3000, "Fulfilment", "COM-FUL", None, False),
    (3030, 3003, "Packing Slips", "COM-FUL-PCK", "BCRM-FULFILMENT", False),
    (3031, 3003, "Shipping Confirmations", "COM-FUL-SHP", "BCRM-FULFILMENT", False),
    (3004, 3000, "Tax", "COM-TAX", None, False),
    (3040, 3004, "Tax Breakdowns", "COM-TAX-BRK", "BCRM-TAX", True),
    (3041, 3004, "Monthly Tax Summaries", "COM-TAX-SUM", "BCRM-TAX", True),
    (3100, FILE_PLAN_ID, "Customer Service", "CS", None, False),
    (3110, 3100, "Case Files", "CS-CASE", "BCRM-CASE", False),
    (3111, 3100, "Communication Logs", "CS-COMM", "BCRM-CASE", False),
    (3200, FILE_PLAN_ID, "Governance", "GOV", None, False),
    (3210, 3200, "Approvals", "GOV-APR", "BCRM-APPROVAL", False),
    (3211, 3200, "Publish Receipts", "GOV-PUB", "BCRM-APPROVAL", False),
    (3220, 3200, "Policies and Disclosures", "GOV-POL", "BCRM-POLICY", False),
    (3300, FILE_PLAN_ID, "Product Safety", "PS", None, False),
    (3310, 3300, "Recall Notices", "PS-RCL", "BCRM-RECALL", True),
    (3311, 3300, "Supplier Certifications", "PS-CRT", "BCRM-RECALL", False),
    (3312, 3300, "Safety Bulletins", "PS-BUL", "BCRM-RECALL", True),
    (3313, 3300, "Storefront Takedowns", "PS-TKD", "BCRM-RECALL", False),
    (3400, FILE_PLAN_ID, "Marketing", "MKT", None, False),
    (3410, 3400, "Campaign Briefs", "MKT-BRF", "BCRM-CAMPAIGN", False),
    (3411, 3400, "Campaign Approvals", "MKT-APR", "BCRM-CAMPAIGN", False),
    (3412, 3400, "Discount Rules", "MKT-DSC", "BCRM-CAMPAIGN", False),
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
            "Credit Notes and Refunds",
            "Payments",
            "Fulfilment",
            "Tax",
            "Approvals",
            "Correspondence",
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
        "folders": ["Order History", "Refunds", "Communications", "Approvals"],
    },
    {
        "id": 503,
        "name": "Product",
        "bo_type": "PRODUCT",
        "bo_type_id": 603,
        "template_id": 2203,
        "location_id": 2102,
        "name_pattern": "Product {bo_id}",
        "folders": ["Launch Approvals", "Price Changes", "Certifications", "Safety"],
    },
    {
        "id": 504,
        "name": "Campaign",
        "bo_type": "CAMPAIGN",
        "bo_type_id": 604,
        "template_id": 2204,
        "location_id": 2103,
        "name_pattern": "Campaign {bo_id}",
        "folders": ["Briefs", "Legal Approvals", "Discount Rules", "Publish Receipts"],
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
        ],
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
        repo.rsis[rsi["code"]] = records.new_rsi(rsi["id"], rsi["code"], title=rsi["title"])
        stage = {
            "stage": "Retention",
            "event_type": 3,
            "years": rsi["years"],
            "event_condition": rsi["event"],
        }
        repo.rsis[rsi["code"]]["stages"].append(records.new_stage(rsi["id"], stage))
    repo.file_plan_id = FILE_PLAN_ID
    for node_id, parent, name, file_number, rsi, vital in FILE_PLAN:
        extra = {"file_number": file_number, "rsi": rsi, "essential": "VR" if vital else "NR"}
        seeded(parent, name, RM_CLASSIFICATION, node_id, extra=extra)
    repo.codes = {table: list(rows) for table, rows in RM_CODES.items()}
    for code, desc, related in XREF_TYPES:
        repo.xref_types[code] = records.xref_type_row(code, desc, related, "")
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
