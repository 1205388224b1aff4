"""Flow 7's records as archival PDF/A-3b documents, each with its item's canonical JSON
embedded: a promotion version (its rules in words and the whole body) and an exception
(the check failed and why); the evidence and closeout records are rendered from their
own sources (`prices.render`). Rendered from the item alone, so every look that owes one
renders the same bytes."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from pipeline.core import names
from pipeline.core.contract import DocumentSpec
from pipeline.flows.campaigns.items import (
    CampaignException,
    Item,
    PromotionVersion,
    closeout_id,
    dumps,
    evidence_id,
    version_id,
)
from pipeline.flows.campaigns.look import CampaignLook
from pipeline.flows.campaigns.prices.kinds import PRIOR_PRICE_EVIDENCE
from pipeline.flows.campaigns.render.rules import action_words, condition_words
from pipeline.flows.campaigns.workspace import bo_id
from pipeline.records.pdf.sheet import Column, DocumentMeta, RenderedDocument, Sheet

TEMPLATE_VERSION = "campaigns-1"
RULE_COLUMNS = (Column("#", 10), Column("Action", 60), Column("Condition", 80), Column("Stop", 25))


def _shown(value: Any) -> str:
    if value is None or value == "" or value == []:
        return "-"
    return value if isinstance(value, str) else json.dumps(value, sort_keys=True)


def _sheet(spec: DocumentSpec, title: str, heading: str, at: str) -> Sheet:
    return Sheet(
        DocumentMeta(
            title=title,
            heading=heading,
            subject=f"{title}, BigCommerce store {spec.store_hash}",
            author="bcrm",
            date=datetime.fromisoformat(at),
            template_version=TEMPLATE_VERSION,
            filename=names.filename(spec),
        )
    )


def _where(store_hash: str, campaign_id: str) -> str:
    return bo_id(store_hash, campaign_id) if campaign_id else "unlinked promotions"


def _rules(rules: Sequence[dict[str, Any]]) -> list[list[str]]:
    return [
        [
            str(n),
            action_words(rule.get("action")),
            condition_words(rule.get("condition")),
            _shown(rule.get("stop")),
        ]
        for n, rule in enumerate(rules, 1)
    ]


def _version(version: PromotionVersion, spec: DocumentSpec) -> Sheet:
    body = version.body
    title = f"{version.subject} version {version.number}"
    sheet = _sheet(spec, title, "PROMOTION VERSION", version.first_seen)
    sheet.title_block(
        ["bcrm look at promotions", f"BigCommerce store {spec.store_hash}"],
        [
            ("Promotion", f"{version.subject} {body.get('name', '')}"),
            ("Campaign", _where(version.store_hash, version.campaign_id)),
            ("First seen by bcrm", version.first_seen),
            ("Version", f"{version.number} ({version.fingerprint[:16]})"),
        ],
    )
    sheet.section("Scope and schedule")
    fields = (
        "status",
        "redemption_type",
        "start_date",
        "end_date",
        "schedule",
        "channels",
        "customer",
        "shipping_address",
        "currency_code",
        "max_uses",
        "stop",
        "can_be_used_with_other_promotions",
        "created_from",
        "enabled",
        "expires",
        "type",
        "amount",
        "min_purchase",
        "applies_to",
        "restricted_to",
    )
    sheet.key_values([(f, _shown(body[f])) for f in fields if f in body], label_width=60)
    if version.codes:
        sheet.key_values([("Coupon codes", ", ".join(version.codes))], label_width=60)
    if body.get("rules"):
        sheet.section("Rules")
        sheet.ruled_table(RULE_COLUMNS, _rules(body["rules"]))
    sheet.note(
        "Usage counters are not part of a version; the JSON embedded is the whole "
        "version as read from the store's API."
    )
    return sheet


def _exception(exception: CampaignException, spec: DocumentSpec) -> Sheet:
    title = f"Campaign exception {exception.id}"
    sheet = _sheet(spec, title, "CAMPAIGN EXCEPTION", exception.found_at)
    sheet.title_block(
        ["bcrm compliance checks of promotions", f"BigCommerce store {spec.store_hash}"],
        [
            ("Check failed", exception.check),
            ("Promotion", f"{exception.subject} {exception.name}"),
            ("Version", exception.fingerprint[:16]),
            ("Campaign", _where(exception.store_hash, exception.campaign_id)),
            ("Found by bcrm at", exception.found_at),
        ],
    )
    sheet.section("Why")
    sheet.note(exception.detail)
    return sheet


def render_item(look: CampaignLook, spec: DocumentSpec) -> RenderedDocument:
    item: Item = look.item(item_id_of(spec))
    if isinstance(item, PromotionVersion):
        sheet = _version(item, spec)
    elif isinstance(item, CampaignException):
        sheet = _exception(item, spec)
    else:
        raise LookupError(f"{item.id} is rendered from its own source, not from a look")
    return sheet.finish(dumps(item).encode(), f"{item.type}.json")


def item_id_of(spec: DocumentSpec) -> str:
    """The item a spec files: a version by its subject and fingerprint (its part names
    only what it is a version of, so every version shares a stem and supersedes the one
    before), a closeout by its campaign, an evidence and an exception by their part."""
    if spec.part in ("promotion", "coupon"):
        return version_id(f"{spec.part}/{spec.subject.id}", spec.fingerprint)
    if spec.kind == PRIOR_PRICE_EVIDENCE:
        return evidence_id(str(spec.part))
    if spec.part is None:
        return closeout_id(spec.subject.id)
    return spec.part
