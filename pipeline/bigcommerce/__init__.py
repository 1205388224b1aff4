"""BigCommerce REST client and the fleet-wide rate governor (reference/bigcommerce-api.md)."""

from pipeline.bigcommerce.client import BigCommerceClient
from pipeline.bigcommerce.consignments import order_parts
from pipeline.bigcommerce.errors import (
    AccessDenied,
    BigCommerceRefused,
    BigCommerceUnavailable,
    NotFound,
    RateLimited,
)
from pipeline.bigcommerce.governor import RateGovernor

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
