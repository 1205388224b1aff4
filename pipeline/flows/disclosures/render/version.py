"""A disclosure version as a record a person can read: what it is and where it was live,
the hash of its text, when bcrm saw it, then the text itself (a page's HTML drawn as
headings, paragraphs, lists, links and tables; terms and privacy as their fields), with
the raw API JSON attached, and a page's HTML verbatim. Hostile or oversized HTML is drawn
as text or refused by `draw_html` (a dead letter naming the limit), never dropped."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pipeline.core.contract import DocumentSpec
from pipeline.core.names import filename
from pipeline.records.pdf import format as fmt
from pipeline.records.pdf.html import draw_html
from pipeline.records.pdf.sheet import Attachment, DocumentMeta, RenderedDocument, Sheet
from schemas.disclosures import PAGE, Disclosure, DisclosureLook
from schemas.snapshot import canonical_json

TEMPLATE_VERSION = "disclosure-version-1.0"
HEADINGS = {
    "page": "STOREFRONT PAGE",
    "checkout_terms": "CHECKOUT TERMS",
    "privacy": "PRIVACY SETTINGS",
}


def _value(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, dict):
        return ", ".join(f"{k}: {_value(v)}" for k, v in sorted(value.items())) or "-"
    return "-" if value in (None, "") else str(value)


def _draw_text(sheet: Sheet, item: Disclosure) -> None:
    if item.kind == PAGE:
        sheet.section("Page body (as a shopper read it; the HTML is attached verbatim)")
        draw_html(sheet, item.text)
        return
    sheet.section("Settings as the API returned them")
    facts = sorted(item.facts.items())
    sheet.key_values([(key, _value(value)) for key, value in facts], label_width=70)
    sheet.section("Text shown to shoppers")
    sheet.note(item.text or "(none)")


def first_seen(look: DisclosureLook, item: Disclosure) -> datetime:
    """When bcrm first saw the version: the same whichever look owes its record (a look
    not recorded in the index, e.g. a reconciliation read, has only its own time)."""
    return item.first_seen or look.looked_at


def attachment(look: DisclosureLook, item: Disclosure) -> bytes:
    """What the record embeds: the disclosure's raw API JSON, where and when first seen."""
    return canonical_json(
        {
            "store_hash": look.store_hash,
            "channel_id": look.channel_id,
            "first_seen": first_seen(look, item).isoformat(),
            "kind": item.kind,
            "subject": item.subject,
            "state": item.state,
            "content_sha256": item.content_sha256,
            "fingerprint": item.fingerprint,
            "api": item.raw,
        }
    )


def render_version(look: DisclosureLook, spec: DocumentSpec) -> RenderedDocument:
    item = look.disclosure(spec.kind.removeprefix("disclosure_"), spec.subject.id)
    title = f"{item.name} ({item.kind} {item.subject}), version {item.fingerprint[:8]}"
    sheet = Sheet(
        DocumentMeta(
            title=title,
            heading=HEADINGS[item.kind],
            subject=f"{title}, BigCommerce store {look.store_hash}",
            author=f"BigCommerce store {look.store_hash}",
            date=first_seen(look, item),
            template_version=TEMPLATE_VERSION,
            filename=filename(spec),
        )
    )
    sheet.title_block(
        [f"BigCommerce store {look.store_hash}", f"Channel {item.channel_id}"],
        [
            ("Kind", item.kind),
            ("Subject", item.subject),
            ("State", item.state),
            ("First seen", fmt.timestamp(first_seen(look, item))),
        ],
    )
    sheet.key_values(
        [
            ("Name", item.name or "-"),
            ("URL", item.url or "-"),
            ("Content SHA-256", item.content_sha256),
            ("Version", item.fingerprint),
        ]
    )
    sheet.note(
        "First observed by bcrm at the time above. BigCommerce keeps no history of this "
        "text: when it was live is what bcrm's looks and the store's change webhooks show "
        "(bcrm disclosures history)."
    )
    _draw_text(sheet, item)
    html = (
        Attachment(
            item.text.encode(),
            f"{spec.kind}-{item.subject}.html",
            "text/html",
            "The page body exactly as the BigCommerce API returned it",
        )
        if item.kind == PAGE
        else None
    )
    name = f"{spec.kind}-{item.subject}.json"
    return sheet.finish(attachment(look, item), name, () if html is None else (html,))
