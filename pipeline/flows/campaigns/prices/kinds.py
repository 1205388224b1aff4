"""The document kinds of flow 7's price records, for the campaigns flow to file (its
`kinds` takes them as they are): the prior-price evidence of a promotion version (part:
`promotion-<id>-<version>`) and a campaign's closeout. Their names are ECM names of
declared records once filed: they must never change."""

from __future__ import annotations

from pipeline.core.contract import DocumentKind
from pipeline.flows.campaigns.prices.render.closeout import render_closeout
from pipeline.flows.campaigns.prices.render.evidence import render_evidence

PRIOR_PRICE_EVIDENCE = "campaign_prior_price_evidence"
CLOSEOUT = "campaign_closeout"
# The sources they render from: a staged `PriorPriceEvidence` / `CampaignUsage` (their
# `to_json_bytes`, loaded with `from_json_bytes`).
EVIDENCE_SOURCE = "campaign_evidence"
CLOSEOUT_SOURCE = "campaign_usage"

PRICE_KINDS: dict[str, DocumentKind] = {
    PRIOR_PRICE_EVIDENCE: DocumentKind(
        PRIOR_PRICE_EVIDENCE,
        "campaign-{subject}-prior-price-{part}",
        EVIDENCE_SOURCE,
        render_evidence,
    ),
    CLOSEOUT: DocumentKind(
        CLOSEOUT, "campaign-{subject}-closeout", CLOSEOUT_SOURCE, render_closeout
    ),
}
