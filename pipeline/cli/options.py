"""What several commands parse the same way: moments, stores, listening addresses."""

from __future__ import annotations

import ipaddress
from datetime import UTC, datetime

import click

from pipeline.runtime.settings import Settings


def parse_moment(text: str) -> datetime:
    """An ISO date or datetime; naive means UTC."""
    try:
        moment = datetime.fromisoformat(text)
    except ValueError as exc:
        raise click.BadParameter(f"{text!r} is not an ISO 8601 date") from exc
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def configured_stores(config: Settings, store_hash: str | None) -> list[str]:
    """The one store asked for, else every configured one; refuse a store we hold no
    credentials for."""
    stores = [store_hash] if store_hash else sorted(config.store_tokens)
    if not stores:
        raise click.ClickException("no stores configured: set BCRM_BIGCOMMERCE_STORES")
    unknown = [s for s in stores if s not in config.store_tokens]
    if unknown:
        raise click.ClickException(f"store {unknown[0]} is not in BCRM_BIGCOMMERCE_STORES")
    return stores


def is_loopback(address: str) -> bool:
    """Whether only this host can reach `address`; our servers bind elsewhere only when
    told to explicitly (Flower, `bcrm metrics serve`)."""
    if address == "localhost":
        return True
    try:
        return ipaddress.ip_address(address).is_loopback
    except ValueError:
        return False
