"""BigCommerce REST client and the fleet-wide rate governor (reference/bigcommerce-api.md)."""

from pipeline.integrations.bigcommerce.client import BigCommerceClient
from pipeline.integrations.bigcommerce.consignments import order_parts
from pipeline.integrations.bigcommerce.errors import (
    AccessDenied,
    BigCommerceRefused,
    BigCommerceUnavailable,
    NotFound,
    RateLimited,
)
from pipeline.integrations.bigcommerce.governor import RateGovernor

__all__ = [
    "AccessDenied",
    "BigCommerceClient",
    "BigCommerceRefused",
    "BigCommerceUnavailable",
    "NotFound",
    "RateGovernor",
    "RateLimited",
    "order_parts",
]
