"""The admin write log and the fault that applies a write but loses its answer: what the
publish stage's "applied exactly once" is proved with."""

from __future__ import annotations

import pytest
import requests

from tests.bigcommerce_emulator.conftest import Api

RULE = {"action": {"cart_value": {"discount": {"percentage_amount": "10"}}}}


def test_applied_writes_are_logged_in_order_and_refused_ones_are_not(make_emulator) -> None:
    emu = make_emulator(quota=None)
    with Api(emu.base_url, emu.access_token) as api:
        product = api.get("/v3/catalog/products", params={"limit": 1}).json()["data"][0]
        assert api.put(f"/v3/catalog/products/{product['id']}", json={"price": 12.5}).ok
        refused = api.put(f"/v3/catalog/products/{product['id']}", json={"price": -1})
        assert refused.status_code == 422
        created = api.post(
            "/v3/promotions",
            json={"name": "CR-1 spring", "redemption_type": "AUTOMATIC", "rules": [RULE]},
        )
        assert created.status_code == 201, created.text
        writes = requests.get(f"{emu.admin_url}/writes", timeout=10).json()["writes"]
    assert [(w["seq"], w["method"], w["path"], w["status"]) for w in writes] == [
        (1, "PUT", f"/v3/catalog/products/{product['id']}", 200),
        (2, "POST", "/v3/promotions", 201),
    ]
    assert writes[0]["body"] == {"price": 12.5} and writes[0]["answered"] is True
    requests.delete(f"{emu.admin_url}/writes", timeout=10)
    assert emu.applied_writes() == []


def test_a_batch_with_partial_failure_is_logged_as_207(make_emulator) -> None:
    emu = make_emulator(quota=None)
    with Api(emu.base_url, emu.access_token) as api:
        ids = [p["id"] for p in api.get("/v3/catalog/products", params={"limit": 2}).json()["data"]]
        answer = api.put(
            "/v3/catalog/products", json=[{"id": ids[0], "price": 3}, {"id": ids[1], "price": -3}]
        )
    assert answer.status_code == 207
    assert [w["status"] for w in emu.applied_writes()] == [207]


def test_lost_answer_applies_the_write_then_resets_the_connection(make_emulator) -> None:
    emu = make_emulator(quota=None)
    emu.set_faults(lost_answer_rate=1.0, families=["catalog"])
    with Api(emu.base_url, emu.access_token) as api:
        product = api.get("/v3/catalog/products", params={"limit": 1}).json()["data"][0]
        with pytest.raises(requests.ConnectionError):
            api.put(f"/v3/catalog/products/{product['id']}", json={"price": 77})
        emu.set_faults()
        live = api.get(f"/v3/catalog/products/{product['id']}").json()["data"]
    assert live["price"] == 77
    [write] = emu.applied_writes()
    assert write["answered"] is False and write["body"] == {"price": 77}
    assert emu.refusal_counters()["injected lost_answer"] == 1


def test_lost_answer_rate_is_validated(make_emulator) -> None:
    emu = make_emulator(quota=None)
    answer = requests.put(f"{emu.admin_url}/faults", json={"lost_answer_rate": 2}, timeout=10)
    assert answer.status_code == 400


def test_a_storm_on_writes_only_lets_reads_through(make_emulator) -> None:
    emu = make_emulator(quota=None)
    emu.set_faults(error_rate=1.0, error_status=503, writes_only=True, families=["catalog"])
    with Api(emu.base_url, emu.access_token) as api:
        product = api.get("/v3/catalog/products", params={"limit": 1}).json()["data"][0]
        refused = api.put(f"/v3/catalog/products/{product['id']}", json={"price": 9})
    assert refused.status_code == 503
    assert emu.applied_writes() == []
    assert emu.refusal_counters()["injected 503"] == 1
