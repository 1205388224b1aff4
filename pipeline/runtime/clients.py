"""The API clients a worker process uses, built once per process from the settings."""

from __future__ import annotations

from functools import cache

from pipeline.core.errors import PermanentError
from pipeline.integrations.bigcommerce.client import BigCommerceClient
from pipeline.integrations.bigcommerce.governor import RateGovernor
from pipeline.integrations.otcs.client import OTCSClient, fleet_client
from pipeline.runtime import redis_client, settings


class StoreNotConfigured(PermanentError):
    """An event names a store we hold no credentials for."""


# HTTP timeouts are the soft time limit: a hung call must end before the visibility
# timeout redelivers its task (the threads pool enforces no time limits of its own).


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
        timeout_s=config.task_soft_time_limit,
    )


class EcmNotConfigured(PermanentError):
    """Declaring needs BCRM_OTCS_URL, BCRM_OTCS_USERNAME and BCRM_OTCS_PASSWORD."""


def _otcs_account() -> tuple[str, str, str]:
    config = settings()
    if not (config.otcs_url and config.otcs_username and config.otcs_password):
        raise EcmNotConfigured("set BCRM_OTCS_URL, BCRM_OTCS_USERNAME and BCRM_OTCS_PASSWORD")
    return config.otcs_url, config.otcs_username, config.otcs_password


@cache
def otcs() -> OTCSClient:
    """The Content Server client; its ticket is shared by the fleet through Redis."""
    config = settings()
    return fleet_client(
        *_otcs_account(), verify=config.tls_verify, timeout_s=config.task_soft_time_limit
    )


def otcs_unshared() -> OTCSClient:
    """The same client with a ticket of its own, for a command that must work before any
    Redis exists (`bcrm ecm check` at go-live)."""
    config = settings()
    return OTCSClient(
        *_otcs_account(), verify=config.tls_verify, timeout_s=config.task_soft_time_limit
    )
