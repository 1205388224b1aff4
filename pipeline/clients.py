"""The API clients a worker process uses, built once per process from the settings."""

from __future__ import annotations

from functools import cache

from pipeline.bigcommerce.client import BigCommerceClient
from pipeline.bigcommerce.governor import RateGovernor
from pipeline.errors import PermanentError
from pipeline.runtime import redis_client, settings


class StoreNotConfigured(PermanentError):
    """An event names a store we hold no credentials for."""


@cache
def bigcommerce(store_hash: str) -> BigCommerceClient:
    """The client of one store, sharing the store's quota with the whole fleet."""
    config = settings()
    token = config.store_tokens.get(store_hash)
    if token is None:
        raise StoreNotConfigured(f"store {store_hash} is not in BCRM_BIGCOMMERCE_STORES")
    return BigCommerceClient(
        f"{config.bigcommerce_api_url.rstrip('/')}/stores/{store_hash}",
        token,
        governor=RateGovernor(redis_client(), store_hash),
        verify=config.tls_verify,
    )
