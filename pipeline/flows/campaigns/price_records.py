"""The price records a look of flow 7 finds: the prior-price evidence a new promotion
version owes when it lowers prices in the EU (`prices.evidence`), and a campaign's
closeout with its usage (`prices.usage`). Each is computed once, when the look first
finds it, and kept with the item (see `items`).

Which reductions are EU ones (`prices.eu.eu_reason`): a promotion's own countries,
channels and currency say so; one with no restriction is taken to sell into the EU when
the store's own country (`GET /v2/store` `country_code`) is a member state. BigCommerce
channels carry no country (channels.v3.yml), so no channel is taken to be an EU one by
itself: `eu_channels` stays empty (our reading, written down here). A disabled version
lowers no price: only an enabled one (`status` ENABLED, promotions.v3.yml) owes evidence,
so a promotion created disabled and enabled at its campaign's start owes it once, for
the version that runs.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from functools import cached_property

from pipeline.flows.campaigns.items import Closeout, PriceEvidence, PromotionVersion
from pipeline.flows.campaigns.offers import PROMOTION
from pipeline.flows.campaigns.prices.eu import EU_MEMBERS, lowers_prices
from pipeline.flows.campaigns.prices.evidence import prior_price_evidence
from pipeline.flows.campaigns.prices.usage import campaign_usage
from pipeline.index.campaigns import COUPON, Campaign
from pipeline.index.records import ArchiveIndex
from pipeline.integrations.bigcommerce.client import BigCommerceClient

ENABLED = "ENABLED"


class PriceRecords:
    """What a store's look needs to compute its price records: the archive index (price
    history, archived order discounts) and the store's API (counters, its country)."""

    def __init__(self, index: ArchiveIndex, client: BigCommerceClient, store_hash: str) -> None:
        self.index = index
        self.client = client
        self.store_hash = store_hash

    @cached_property
    def sells_to_eu(self) -> bool:
        """Asked once per look, and only when a new version lowers prices."""
        country = str(self.client.store_information().get("country_code") or "").upper()
        return country in EU_MEMBERS

    def evidence_of(self, version: PromotionVersion, now: datetime) -> PriceEvidence | None:
        """The evidence a new version owes, or None (a legacy coupon, or no EU reduction)."""
        body = version.body
        promotion = version.subject.startswith(f"{PROMOTION}/")
        if not promotion or body.get("status") != ENABLED or not lowers_prices(body):
            return None
        evidence = prior_price_evidence(
            self.index, self.store_hash, body, sells_to_eu=self.sells_to_eu, now=now
        )
        if evidence is None:
            return None
        return PriceEvidence(
            self.store_hash,
            version.subject,
            version.fingerprint,
            version.campaign_id,
            version.number,
            evidence.to_json_bytes().decode(),
        )

    def closeout_of(
        self, campaign: Campaign, links: Mapping[tuple[str, str], list[str]]
    ) -> Closeout:
        """The closeout of a campaign that is over: its linked promotions' and codes'
        orders in its window, to when it ended, and their final counters."""
        mine = sorted(
            (kind, ref) for (kind, ref), ids in links.items() if campaign.campaign_id in ids
        )
        ended = campaign.closed_at or campaign.ends_at
        usage = campaign_usage(
            self.index,
            self.client,
            self.store_hash,
            [ref for kind, ref in mine if kind == PROMOTION],
            [ref for kind, ref in mine if kind == COUPON],
            campaign.starts_at,
            min(ended, campaign.ends_at),
        )
        return Closeout(
            self.store_hash,
            campaign.campaign_id,
            ended.isoformat(),
            usage.to_json_bytes().decode(),
        )
