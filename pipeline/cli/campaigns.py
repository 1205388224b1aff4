"""`bcrm campaigns`: campaigns filed, linked, decided and closed in the ECM as the user of
the configured OTCS credentials (BCRM_OTCS_USERNAME/PASSWORD: the marketer's own when
filing, the approver's when deciding), so the ECM's audit trail records who did what;
`list`, `show` and `exceptions` read what bcrm saw (the archive index as of the last poll
of the ECM, the promotion looks). Bad input is one line, exit 2.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import click

from pipeline.cli.ecm_user import as_user
from pipeline.cli.options import OperatorError, parse_moment, unknown_store
from pipeline.flows.campaigns import memory, workspace
from pipeline.flows.campaigns.items import CampaignException
from pipeline.flows.campaigns.offers import read_promotion
from pipeline.flows.campaigns.workspace import Scope, UnknownCampaign
from pipeline.index.campaigns import COUPON, PROMOTION
from pipeline.integrations.bigcommerce.errors import NotFound
from pipeline.integrations.otcs.errors import NotConfigured, OTCSRefused
from pipeline.runtime import clients, redis_client, services
from pipeline.runtime.settings import Settings, load_settings


class _CampaignsGroup(click.Group):
    """The ECM refusing the user, or a campaign it does not hold, is one line, exit 2."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (OTCSRefused, NotConfigured) as exc:
            raise OperatorError(f"the ECM refused: {exc}") from None
        except UnknownCampaign as exc:
            raise OperatorError(str(exc)) from None


@click.group(cls=_CampaignsGroup)
def campaigns() -> None:
    """Campaigns: briefs and approvals in the ECM, linked to the promotions that run."""


def _store(config: Settings, store_hash: str) -> str:
    if store_hash not in config.store_tokens:
        raise unknown_store(store_hash)
    return store_hash


def _fingerprints(store_hash: str, promotion_ids: tuple[str, ...]) -> dict[str, str]:
    """Each promotion's current version, read live: what the campaign asks approval of."""
    client = clients.bigcommerce(store_hash)
    found = {}
    for text in promotion_ids:
        if not text.isdigit():
            raise OperatorError(f"--promotion {text!r}: a promotion id is a whole number")
        try:
            offer = read_promotion(client, int(text))
        except NotFound:
            raise OperatorError(f"promotion {text} does not exist in store {store_hash}") from None
        found[offer.subject] = offer.approval_fingerprint
    return found


def _percent(text: str | None) -> str:
    if text is None:
        return ""
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise OperatorError(f"--max-discount {text!r} is not a percentage") from None
    if not value.is_finite() or not 0 <= value <= 100:
        raise OperatorError(f"--max-discount {text!r} must be 0 to 100")
    return format(value.normalize(), "f")


def _codes(values: tuple[str, ...], option: str, length: int) -> tuple[str, ...]:
    bad = [v for v in values if len(v) != length or not v.isalpha()]
    if bad:
        raise OperatorError(f"{option} {bad[0]!r}: expected a {length}-letter code")
    return tuple(sorted({v.upper() for v in values}))


@campaigns.command(name="file")
@click.option("--store", "store_hash", required=True, help="Store hash.")
@click.option("--name", required=True, help="The campaign's name.")
@click.option("--start", required=True, help="ISO start (naive means UTC).")
@click.option("--end", required=True, help="ISO end.")
@click.option("--promotion", "promotions", multiple=True, help="A promotion id it covers.")
@click.option("--coupon", "coupons", multiple=True, help="A coupon code it covers.")
@click.option("--channel", "channels", multiple=True, type=int, help="A channel id approved.")
@click.option("--country", "countries", multiple=True, help="An ISO country code approved.")
@click.option("--currency", "currencies", multiple=True, help="An ISO currency approved.")
@click.option("--max-discount", default=None, help="The largest discount approved, percent.")
@click.option("--brief", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--approval", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--creative", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def campaigns_file(
    store_hash: str,
    name: str,
    start: str,
    end: str,
    promotions: tuple[str, ...],
    coupons: tuple[str, ...],
    channels: tuple[int, ...],
    countries: tuple[str, ...],
    currencies: tuple[str, ...],
    max_discount: str | None,
    brief: Path | None,
    approval: Path | None,
    creative: Path | None,
) -> None:
    """File a campaign in the ECM as the configured user, for an approver to decide."""
    config = load_settings()
    _store(config, store_hash)
    starts, ends = parse_moment(start), parse_moment(end)
    if ends <= starts:
        raise OperatorError(f"--end ({ends.isoformat()}) is not after --start")
    if not name.strip():
        raise OperatorError("--name must not be empty")
    maximum = _percent(max_discount)
    approved_countries = _codes(countries, "--country", 2)
    approved_currencies = _codes(currencies, "--currency", 3)
    otcs = as_user(config)
    scope = Scope(
        store_hash=store_hash,
        campaign_id=workspace.next_campaign_id(otcs, store_hash),
        name=name.strip(),
        starts_at=starts.isoformat(),
        ends_at=ends.isoformat(),
        promotions=_fingerprints(store_hash, promotions),
        coupons=tuple(sorted(set(coupons))),
        channels=tuple(sorted(set(channels))),
        countries=approved_countries,
        currencies=approved_currencies,
        max_discount_percent=maximum,
    )
    documents = {
        k: p
        for k, p in (("brief", brief), ("approval", approval), ("creative", creative))
        if p is not None
    }
    workspace.file_campaign(otcs, scope, documents)
    click.echo(f"filed campaign {scope.campaign_id} ({scope.bo_id}): {scope.name}")


@campaigns.command(name="link")
@click.option("--store", "store_hash", required=True, help="Store hash.")
@click.argument("campaign_id")
@click.option("--promotion", "promotions", multiple=True, help="A promotion id to add.")
@click.option("--coupon", "coupons", multiple=True, help="A coupon code to add.")
def campaigns_link(
    store_hash: str, campaign_id: str, promotions: tuple[str, ...], coupons: tuple[str, ...]
) -> None:
    """Add promotions or coupon codes to a campaign (an approval given before must be
    given again: the scope it bound changed)."""
    config = load_settings()
    _store(config, store_hash)
    if not promotions and not coupons:
        raise OperatorError("nothing to link: give --promotion or --coupon")
    scope = workspace.link(
        as_user(config),
        store_hash,
        campaign_id,
        _fingerprints(store_hash, promotions),
        tuple(coupons),
    )
    click.echo(
        f"campaign {campaign_id}: promotions {', '.join(sorted(scope.promotions)) or '-'}; "
        f"coupons {', '.join(scope.coupons) or '-'}"
    )


@campaigns.command(name="decide")
@click.option("--store", "store_hash", required=True, help="Store hash.")
@click.argument("campaign_id")
@click.option("--approve/--reject", required=True)
def campaigns_decide(store_hash: str, campaign_id: str, approve: bool) -> None:
    """Approve or reject a campaign as the configured user (an approver)."""
    config = load_settings()
    _store(config, store_hash)
    workspace.decide(as_user(config), store_hash, campaign_id, approve)
    click.echo(f"campaign {campaign_id}: {'approved' if approve else 'rejected'}")


@campaigns.command(name="close")
@click.option("--store", "store_hash", required=True, help="Store hash.")
@click.argument("campaign_id")
def campaigns_close(store_hash: str, campaign_id: str) -> None:
    """Close a campaign now: its closeout record is owed."""
    config = load_settings()
    _store(config, store_hash)
    workspace.close(as_user(config), store_hash, campaign_id, datetime.now(UTC))
    click.echo(f"campaign {campaign_id}: closed")


@campaigns.command(name="list")
@click.option("--store", "store_hash", default=None, help="Only this store.")
def campaigns_list(store_hash: str | None) -> None:
    """Campaigns as of the last poll of the ECM, by start."""
    for c in services.archive_index().campaigns.listed(store_hash):
        click.echo(
            f"{c.store_hash} {c.campaign_id:>4} {c.decision:<10} "
            f"{c.starts_at.isoformat()} → {c.ends_at.isoformat()} {c.name}"
        )


@campaigns.command(name="show")
@click.option("--store", "store_hash", required=True, help="Store hash.")
@click.argument("campaign_id")
def campaigns_show(store_hash: str, campaign_id: str) -> None:
    """One campaign, its links and the exceptions found about it."""
    index = services.archive_index().campaigns
    campaign = index.get(store_hash, campaign_id)
    if campaign is None:
        raise OperatorError(
            f"no campaign {campaign_id} of store {store_hash} in the index "
            "(filed since the last poll of the ECM?)"
        )
    shown = replace(campaign, approved_fingerprints={})
    for label, value in (
        ("campaign", workspace.bo_id(store_hash, campaign_id)),
        ("name", shown.name),
        ("window", f"{shown.starts_at.isoformat()} → {shown.ends_at.isoformat()}"),
        ("channels", ", ".join(map(str, shown.channels)) or "any"),
        ("countries", ", ".join(shown.countries) or "any"),
        ("currencies", ", ".join(shown.currencies) or "any"),
        (
            "max discount",
            f"{shown.max_discount_percent} %" if shown.max_discount_percent is not None else "-",
        ),
        (
            "decision",
            f"{shown.decision} by {shown.decided_by or '-'} at "
            f"{shown.decided_at.isoformat() if shown.decided_at else '-'}",
        ),
        ("promotions", ", ".join(index.links(store_hash, campaign_id, PROMOTION)) or "-"),
        ("coupons", ", ".join(index.links(store_hash, campaign_id, COUPON)) or "-"),
    ):
        click.echo(f"{label:>13}: {value}")
    for item in _exceptions(store_hash):
        if item.campaign_id == campaign_id:
            click.echo(f"{'exception':>13}: {item.check} {item.subject} — {item.detail}")


def _exceptions(store_hash: str) -> list[CampaignException]:
    return [
        i for i in memory.every_item(redis_client(), store_hash) if isinstance(i, CampaignException)
    ]


@campaigns.command(name="exceptions")
@click.option("--store", "store_hash", required=True, help="Store hash.")
def campaigns_exceptions(store_hash: str) -> None:
    """Every compliance exception found in the store's promotions, oldest first."""
    _store(load_settings(), store_hash)
    for item in sorted(_exceptions(store_hash), key=lambda e: (e.found_at, e.id)):
        where = item.campaign_id or "unlinked"
        click.echo(f"{item.found_at} {item.check:<24} {item.subject:<14} {where:<8} {item.detail}")
