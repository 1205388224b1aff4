"""The admin HTTP API (for other processes), fault injection, request counters, and the
`bcrm sandbox bigcommerce` command."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
import requests

from sandbox.bigcommerce.cli import command
from tests.bigcommerce_emulator.conftest import Api, Receiver
from tests.support import wait_for

REPO = Path(__file__).resolve().parents[2]


def test_admin_api_drives_the_store_like_shoppers_and_merchants(
    make_emulator, receiver: Receiver
) -> None:
    emu = make_emulator(quota=None, allow_plain_http_hooks=True)
    admin = emu.admin_url
    info = requests.get(admin, timeout=10).json()
    assert info == emu.info()
    with Api(emu.base_url, emu.access_token) as api:
        api.post("/v3/hooks", json={"scope": "store/order/*", "destination": receiver.url})
        placed = requests.post(
            f"{admin}/orders",
            json={"customer_id": 1, "products": [{"product_id": 1, "quantity": 1}]},
            timeout=10,
        )
        assert placed.status_code == 200
        oid = placed.json()["id"]
        assert api.get(f"/v2/orders/{oid}").json()["status_id"] == 11
        status = requests.put(f"{admin}/orders/{oid}/status", json={"status_id": 9}, timeout=10)
        assert status.json()["status_id"] == 9
        shipment = requests.post(
            f"{admin}/orders/{oid}/shipments", json={"tracking_number": "JD01"}, timeout=10
        ).json()
        assert api.get(f"/v2/orders/{oid}/shipments").json()[0]["id"] == shipment["id"]
        refund = requests.post(f"{admin}/orders/{oid}/refunds", json={}, timeout=10).json()
        assert api.get(f"/v2/orders/{oid}").json()["status_id"] == 4
        assert refund["order_id"] == oid
        message = requests.post(
            f"{admin}/orders/{oid}/messages", json={"message": "Danke!"}, timeout=10
        ).json()
        assert api.get(f"/v2/orders/{oid}/messages").json()[0]["id"] == message["id"]
        page = requests.put(f"{admin}/pages/1", json={"body": "<p>v2</p>"}, timeout=10).json()
        assert page["body"] == "<p>v2</p>"
        price = requests.put(f"{admin}/products/2/price", json={"price": 3.25}, timeout=10)
        assert api.get("/v3/catalog/products/2").json()["data"]["price"] == 3.25
        assert price.status_code == 200
        promo = requests.post(
            f"{admin}/promotions",
            json={
                "name": "Admin promo",
                "redemption_type": "AUTOMATIC",
                "rules": [{"action": {"shipping": {"free_shipping": True}}}],
            },
            timeout=10,
        ).json()
        assert api.get(f"/v3/promotions/{promo['id']}").status_code == 200
        bad = requests.post(f"{admin}/orders/999999/refunds", json={}, timeout=10)
        assert bad.status_code == 404
    wait_for(
        lambda: (
            {
                "store/order/created",
                "store/order/statusUpdated",
                "store/order/refund/created",
                "store/order/message/created",
            }
            <= set(receiver.scopes())
        ),
        what="webhooks from admin actions",
    )


def test_request_counters_per_route(make_emulator) -> None:
    emu = make_emulator(quota=None)
    with Api(emu.base_url, emu.access_token) as api:
        for oid in (1, 2, 3):
            api.get(f"/v2/orders/{oid}")
        api.get("/v2/orders/1/products")
        api.get("/v3/catalog/products")
    counters = requests.get(f"{emu.admin_url}/counters", timeout=10).json()
    assert counters["GET /v2/orders/{order_id}"] == 3
    assert counters["GET /v2/orders/{order_id}/products"] == 1
    assert counters["total"] == 5
    requests.delete(f"{emu.admin_url}/counters", timeout=10)
    assert emu.request_counters() == {"total": 0}


def test_faults_via_admin_api(make_emulator) -> None:
    emu = make_emulator(quota=None)
    faults = f"{emu.admin_url}/faults"
    with Api(emu.base_url, emu.access_token) as api:
        assert requests.put(
            faults,
            json={"error_rate": 1.0, "error_status": 503, "families": ["catalog"]},
            timeout=10,
        ).ok
        failed = api.get("/v3/catalog/products")
        assert failed.status_code == 503 and failed.json()["status"] == 503
        assert api.get("/v2/orders/1").status_code == 200
        requests.put(faults, json={"reset_rate": 1.0, "families": ["orders"]}, timeout=10)
        with pytest.raises(requests.ConnectionError):
            api.get("/v2/orders/1")
        requests.put(faults, json={"latency": {"*": {"min_ms": 1, "max_ms": 5}}}, timeout=10)
        assert api.get("/v2/orders/1").status_code == 200
        assert requests.get(faults, timeout=10).json()["latency"]["*"]["max_ms"] == 5
        assert requests.put(faults, json={"bogus": 1}, timeout=10).status_code == 400
        assert requests.put(faults, json={"rate_limit_mode": "x"}, timeout=10).status_code == 400
        requests.delete(faults, timeout=10)
        assert api.get("/v3/catalog/products").status_code == 200


def test_admin_tokens_with_scopes(make_emulator) -> None:
    emu = make_emulator(quota=None)
    created = requests.post(
        f"{emu.admin_url}/tokens", json={"scopes": ["store_v2_content_read_only"]}, timeout=10
    ).json()
    with Api(emu.base_url, created["access_token"]) as api:
        assert api.get("/v3/content/pages").status_code == 200
        assert api.get("/v2/orders").status_code == 403
    bad = requests.post(f"{emu.admin_url}/tokens", json={"scopes": ["root"]}, timeout=10)
    assert bad.status_code == 400


def test_command_has_exactly_the_documented_options() -> None:
    names = {opt for p in command.params for opt in p.opts}
    assert names == {
        "--host",
        "--port",
        "--orders",
        "--seed",
        "--store-hash",
        "--quota",
        "--window-ms",
        "--allow-http-hooks",
    }


def test_cli_prints_one_json_line_serves_and_stops_on_sigterm() -> None:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    proc = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "from sandbox.bigcommerce.cli import command; command()",
            "--orders",
            "20",
            "--seed",
            "3",
            "--store-hash",
            "clitest01",
            "--quota",
            "0",
            "--allow-http-hooks",
        ],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        info = json.loads(proc.stdout.readline())
        assert set(info) == {"base_url", "store_hash", "access_token", "admin_url"}
        assert info["store_hash"] == "clitest01" and info["base_url"].endswith("/clitest01")
        response = requests.get(
            f"{info['base_url']}/v2/orders/1",
            timeout=10,
            headers={"X-Auth-Token": info["access_token"]},
        )
        assert response.status_code == 200
        plain = requests.post(
            f"{info['base_url']}/v3/hooks",
            json={"scope": "store/order/*", "destination": "http://127.0.0.1:9/hooks"},
            timeout=10,
            headers={"X-Auth-Token": info["access_token"]},
        )
        assert plain.status_code == 200  # --allow-http-hooks
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=30) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def test_admin_places_an_order_with_custom_lines_and_raw_field_overrides(make_emulator) -> None:
    """Poison data for tests: a custom line name and price (as v2 `POST /orders` takes
    them) flow through totals and taxes; raw overrides show as-is on the wire, in the
    order, its listed consignments and its products, and nowhere else."""
    emu = make_emulator(quota=None)
    admin = emu.admin_url
    placed = requests.post(
        f"{admin}/orders",
        json={
            "customer_id": 1,
            "products": [
                {"product_id": 1, "name": "Чай 煎茶 चाय", "price_ex_tax": "-2.50"},
                {"product_id": 1, "quantity": 2, "overrides": {"quantity": "two"}},
            ],
            "overrides": {"total_inc_tax": "1.234,50", "date_created": "31/02/2024 25:61"},
        },
        timeout=10,
    )
    assert placed.status_code == 200, placed.text
    oid = placed.json()["id"]
    with Api(emu.base_url, emu.access_token) as api:
        order = api.get(f"/v2/orders/{oid}", params={"include": "consignments.line_items"}).json()
        assert order["total_inc_tax"] == "1.234,50"
        assert order["date_created"] == "31/02/2024 25:61"
        assert order["subtotal_ex_tax"] != "1.234,50"  # only what was overridden
        custom, doubled = order["consignments"][0]["shipping"][0]["line_items"]
        assert (custom["name"], custom["price_ex_tax"]) == ("Чай 煎茶 चाय", "-2.5000")
        assert custom["quantity"] == 1
        assert doubled["quantity"] == "two"
        products = api.get(f"/v2/orders/{oid}/products").json()
        assert [p["quantity"] for p in products] == [1, "two"]
        taxes = api.get(f"/v2/orders/{oid}/taxes", params={"details": "true"}).json()
        custom_tax = next(t for t in taxes if t["order_product_id"] == custom["id"])
        assert custom_tax["line_amount"].startswith("-")
        count = api.get("/v2/orders/count").json()["count"]
    refused = requests.post(
        f"{admin}/orders",
        json={"customer_id": 1, "products": [{"product_id": 1}], "overrides": {"id": 7}},
        timeout=10,
    )
    assert refused.status_code == 400
    with Api(emu.base_url, emu.access_token) as api:
        assert api.get("/v2/orders/count").json()["count"] == count
