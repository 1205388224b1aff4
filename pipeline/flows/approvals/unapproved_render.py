"""The unapproved change record as an archival PDF/A-3b document: what changed in
BigCommerce outside the workflow, from what to what, against the last approved values,
when bcrm saw it, with the change's canonical JSON embedded. Rendered from the change
alone, so every look that owes it renders the same bytes."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from pipeline.core import names
from pipeline.core.contract import DocumentSpec
from pipeline.flows.approvals.unapproved import UnapprovedChange
from pipeline.flows.approvals.watch import GovernedLook
from pipeline.records.pdf.sheet import Column, DocumentMeta, RenderedDocument, Sheet

TEMPLATE_VERSION = "unapproved-change-1"
COLUMNS = (Column("Field", 40), Column("Last approved", 45), Column("Before", 45),
           Column("Now", 45))  # fmt: skip


def _shown(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value, sort_keys=True)


def render_unapproved(look: GovernedLook, spec: DocumentSpec) -> RenderedDocument:
    change: UnapprovedChange = look.change(str(spec.part))
    title = f"Unapproved change {change.id}"
    sheet = Sheet(
        DocumentMeta(
            title=title,
            heading="UNAPPROVED CHANGE",
            subject=f"{title}, BigCommerce store {spec.store_hash}",
            author="bcrm",
            date=datetime.fromisoformat(change.observed_at),
            template_version=TEMPLATE_VERSION,
            filename=names.filename(spec),
        )
    )
    sheet.title_block(
        ["bcrm watch of governed fields", f"BigCommerce store {spec.store_hash}"],
        [
            ("Changed", change.target),
            ("Change type", change.change_type),
            ("Seen by bcrm at", change.observed_at),
            ("Store's date modified", change.modified or "-"),
        ],
    )
    sheet.section("What changed, with no approved change request to explain it")
    states = (change.sanctioned, change.before, change.after)
    rows = [[name, *(_shown(state[name]) for state in states)] for name in sorted(change.after)]
    sheet.ruled_table(COLUMNS, rows)
    sheet.note(
        "Made in BigCommerce directly (its control panel or another app), not published "
        "by bcrm from an approval. A revert, where approvals.toml asks for one, is a "
        "change request of its own with its own receipt."
    )
    raw = json.dumps(change.to_json(), sort_keys=True, separators=(",", ":")).encode()
    return sheet.finish(raw, "unapproved-change.json")
