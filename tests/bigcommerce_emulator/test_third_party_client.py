"""A third-party client, written against the real API, pages through the emulator.

`bigcommerce` (bigcommerce-api-python) is BigCommerce's own Python client. The only
change is the scheme: it hard-codes https, the emulator serves plain http on loopback.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import bigcommerce
import pytest
from bigcommerce.connection import OAuthConnection

from sandbox.bigcommerce import BigCommerceEmulator

from .conftest import SEED_ORDERS


@pytest.fixture
def api(
    emulator: BigCommerceEmulator, monkeypatch: pytest.MonkeyPatch
) -> bigcommerce.api.BigcommerceApi:
    monkeypatch.setattr(
        OAuthConnection,
        "full_path",
        lambda self, url: "http://" + self.host + self.api_path.format(self.store_hash, url),
    )
    client = bigcommerce.api.BigcommerceApi(
        client_id="ignored", store_hash=emulator.store_hash, access_token=emulator.access_token
    )
    client.connection.host = urlsplit(emulator.base_url).netloc
    return client


def test_it_pages_through_every_order(api: bigcommerce.api.BigcommerceApi) -> None:
    orders = list(api.Orders.iterall())
    assert len(orders) == api.Orders.count() == SEED_ORDERS
    assert len({o.id for o in orders}) == SEED_ORDERS
    assert orders[0]["date_created"].endswith("+0000")  # RFC 2822, as the real API
    assert "." in orders[0]["total_inc_tax"]  # money as a decimal string


def test_it_reads_order_sub_resources(api: bigcommerce.api.BigcommerceApi) -> None:
    orders = list(api.Orders.iterall())
    shipped = next(o for o in orders if int(o["items_shipped"]) > 0)
    assert api.OrderProducts.all(parentid=shipped.id)
    assert api.OrderShippingAddresses.all(parentid=shipped.id)
    shipments = api.OrderShipments.all(parentid=shipped.id)
    assert shipments and shipments[0]["order_id"] == shipped.id
    assert len(api.OrderStatuses.all()) == 15


def test_it_reads_the_rate_limit_headers(api: bigcommerce.api.BigcommerceApi) -> None:
    api.Orders.all(limit=5)
    assert set(api.connection.rate_limit) == {
        "ms_until_reset",
        "window_size_ms",
        "requests_remaining",
        "requests_quota",
    }


@pytest.fixture
def v3(emulator: BigCommerceEmulator, monkeypatch: pytest.MonkeyPatch) -> OAuthConnection:
    """The same client's generic connection, pointed at the v3 path by its `api_path`."""
    monkeypatch.setattr(
        OAuthConnection,
        "full_path",
        lambda self, url: "http://" + self.host + self.api_path.format(self.store_hash, url),
    )
    return OAuthConnection(
        client_id="ignored",
        store_hash=emulator.store_hash,
        access_token=emulator.access_token,
        host=urlsplit(emulator.base_url).netloc,
        api_path="/stores/{}/v3/{}",
    )


def test_it_reads_channels_and_their_disclosures(v3: OAuthConnection) -> None:
    channels = v3.get("channels")["data"]
    assert [c["id"] for c in channels] == [1, 2, 3]
    for channel in channels:
        pages = v3.get("content/pages", channel_id=channel["id"], include="body")["data"]
        assert len(pages) >= 4 and all(p["body"] for p in pages[:4])
        terms = v3.get(f"checkouts/settings/channels/{channel['id']}")["data"]
        assert terms["order_terms_and_conditions_type"] in ("link", "textarea")
    privacy = v3.get("customers/settings/channels/2")["data"]["privacy_settings"]
    assert privacy["policy_url"].startswith("https://de.store.example.com/")
