"""What a look of flow 7 finds, each owing one record: a promotion's new version, a
failed check (an exception), a campaign's closeout. Each has an id that derives from its
facts (the version's fingerprint, the check and the version, the campaign), which is its
record's identity, so two looks that find it file one record.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Any, ClassVar

from pipeline.flows.campaigns.checks import ONCE_PER_OFFER

VERSION, EXCEPTION, CLOSEOUT = "version", "exception", "closeout"


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
class Closeout:
    """A campaign that ended or was closed: its facts and each linked promotion's usage
    counter as read at the look that found it over. The orders that used it and their
    discount total (`campaign_usage`, from the archived order lines) are added to this
    document kind when that computation is merged (issue 17 §6)."""

    type: ClassVar[str] = CLOSEOUT
    store_hash: str
    campaign_id: str
    name: str
    starts_at: str
    ends_at: str
    closed_at: str
    decision: str
    decided_by: str
    final_uses: dict[str, int] = field(default_factory=dict)
    coupons: list[str] = field(default_factory=list)
    read_at: str = ""

    @property
    def id(self) -> str:
        return closeout_id(self.campaign_id)


def closeout_id(campaign_id: str) -> str:
    return f"closeout-{campaign_id}"


Item = PromotionVersion | CampaignException | Closeout
TYPES: dict[str, type[PromotionVersion] | type[CampaignException] | type[Closeout]] = {
    VERSION: PromotionVersion,
    EXCEPTION: CampaignException,
    CLOSEOUT: Closeout,
}


def dumps(item: Item) -> str:
    return json.dumps({"type": item.type, **asdict(item)}, sort_keys=True, separators=(",", ":"))


def loads(raw: str | bytes) -> Item:
    data = json.loads(raw)
    return TYPES[data.pop("type")](**data)
