"""What a look of flow 7 finds, each owing one record: a promotion's new version, a
failed check (an exception), the prior-price evidence of a version that lowers prices in
the EU, a campaign's closeout. Each has an id that derives from its facts (the version's
fingerprint, the check and the version, the campaign), which is its record's identity,
so two looks that find it file one record.

Evidence and closeouts are computed once, when first found (they read the price history,
the archived orders and the store's counters, which move on), and kept as the canonical
JSON their record is rendered from (`source`), so every look that owes them again owes
the same bytes.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from typing import Any, ClassVar

from pipeline.flows.campaigns.checks import ONCE_PER_OFFER

VERSION, EXCEPTION, EVIDENCE, CLOSEOUT = "version", "exception", "evidence", "closeout"


def _slug(subject: str) -> str:
    return subject.replace("/", "-")


@dataclass(frozen=True)
class PromotionVersion:
    """One distinct version of a promotion or legacy coupon (`subject` `promotion/7`),
    the campaign it was filed with ("" for the store's unlinked promotions) and its
    number among the distinct versions seen."""

    type: ClassVar[str] = VERSION
    store_hash: str
    subject: str
    fingerprint: str
    body: dict[str, Any]
    codes: list[str]
    first_seen: str
    campaign_id: str
    number: int

    @property
    def id(self) -> str:
        return version_id(self.subject, self.fingerprint)


def version_id(subject: str, fingerprint: str) -> str:
    return f"{_slug(subject)}-{fingerprint[:12]}"


@dataclass(frozen=True)
class CampaignException:
    """A failed check of one version (`fingerprint`) of a promotion."""

    type: ClassVar[str] = EXCEPTION
    store_hash: str
    check: str
    subject: str
    fingerprint: str
    campaign_id: str
    detail: str
    found_at: str
    name: str = ""

    @property
    def id(self) -> str:
        base = f"{self.check.replace('_', '-')}-{_slug(self.subject)}"
        return base if self.check in ONCE_PER_OFFER else f"{base}-{self.fingerprint[:12]}"


@dataclass(frozen=True)
class PriceEvidence:
    """The prior-price evidence of one version (`number`) of a promotion that lowers
    prices in the EU: `source` is its `PriorPriceEvidence` as canonical JSON."""

    type: ClassVar[str] = EVIDENCE
    store_hash: str
    subject: str
    fingerprint: str
    campaign_id: str
    number: int
    source: str

    @property
    def part(self) -> str:
        """`promotion-7-2`: the promotion and its version number."""
        return f"{_slug(self.subject)}-{self.number}"

    @property
    def id(self) -> str:
        return evidence_id(self.part)


def evidence_id(part: str) -> str:
    return f"evidence-{part}"


@dataclass(frozen=True)
class Closeout:
    """A campaign that ended or was closed: `source` is its `CampaignUsage` as canonical
    JSON (the orders that used it, their discount totals, the final use counters), read
    at the look that found it over (`closed_at`: when it ended)."""

    type: ClassVar[str] = CLOSEOUT
    store_hash: str
    campaign_id: str
    closed_at: str
    source: str

    @property
    def id(self) -> str:
        return closeout_id(self.campaign_id)


def closeout_id(campaign_id: str) -> str:
    return f"closeout-{campaign_id}"


Item = PromotionVersion | CampaignException | PriceEvidence | Closeout
# Items whose record is rendered from their own `source`, not from the look.
PriceItem = PriceEvidence | Closeout
TYPES: dict[str, type[Item]] = {
    VERSION: PromotionVersion,
    EXCEPTION: CampaignException,
    EVIDENCE: PriceEvidence,
    CLOSEOUT: Closeout,
}


def dumps(item: Item) -> str:
    return json.dumps({"type": item.type, **asdict(item)}, sort_keys=True, separators=(",", ":"))


def loads(raw: str | bytes) -> Item:
    data = json.loads(raw)
    return TYPES[data.pop("type")](**data)
