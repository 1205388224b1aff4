"""Flow 4's side of the store: channels, per-channel disclosures, their webhooks and the
true change log (admin API), including an edit whose webhook is lost."""

from __future__ import annotations

from itertools import pairwise

import requests

from sandbox.bigcommerce.delivery import scope_matches
from tests.bigcommerce_emulator.conftest import Api, Receiver
from tests.support import wait_for

PAGE_SCOPE = "store/channel/{}/page/{}"


def hook(api: Api, scope: str, destination: str) -> None:
    response = api.post("/v3/hooks", json={"scope": scope, "destination": destination})
    assert response.status_code == 200, response.text


def changes(emu) -> list[dict]:
    response = requests.get(f"{emu.admin_url}/disclosures/changes", timeout=10)
    assert response.status_code == 200
    return response.json()["changes"]


def test_channel_scope_wildcards_are_those_channels_mdx_lists() -> None:
    assert scope_matches("store/channel/*", "store/channel/2/page/updated")
    assert scope_matches("store/channel/2/settings/*", "store/channel/2/settings/checkout/updated")
    assert not scope_matches("store/channel/2/settings/*", "store/channel/2/page/updated")
    assert not scope_matches("store/channel/3/settings/*", "store/channel/2/settings/x/updated")
    # The docs show `store/channel/*/...` only for inventory events: not a page wildcard.
    assert not scope_matches("store/channel/*/page/created", "store/channel/1/page/created")


def test_channels_list_pages_filters_and_404(api: Api) -> None:
    listed = api.get("/v3/channels").json()
    assert [c["id"] for c in listed["data"]] == [1, 2, 3]
    assert listed["meta"]["pagination"]["total"] == 3
    first = listed["data"][0]
    assert first["type"] == "storefront" and first["platform"] == "bigcommerce"
    assert {"status", "is_visible", "is_listable_from_ui", "date_created", "date_modified"} <= set(
        first
    )
    paged = api.get("/v3/channels?limit=2&page=2").json()
    assert [c["id"] for c in paged["data"]] == [3]
    assert paged["meta"]["pagination"]["total_pages"] == 2
    assert api.get("/v3/channels?type:in=marketplace").json()["data"] == []
    assert len(api.get("/v3/channels?status:in=active,connected").json()["data"]) == 3
    assert api.get("/v3/channels/2").json()["data"]["name"] == "Example Store Deutschland"
    missing = api.get("/v3/channels/99")
    assert missing.status_code == 404 and missing.json()["status"] == 404


def test_each_storefront_has_its_disclosures_in_its_language(api: Api) -> None:
    german = api.get("/v3/content/pages?channel_id=2&include=body").json()["data"]
    names = [p["name"] for p in german]
    assert names == [
        "Allgemeine Geschäftsbedingungen",
        "Datenschutzerklärung",
        "Widerrufsbelehrung",
        "Versand und Lieferung",
    ]
    agb = german[0]["body"]
    assert "<h2>" in agb and "<ol>" in agb and "<a href=" in agb
    assert "<table>" in german[1]["body"]
    japanese = api.get("/v3/content/pages?channel_id=3&name:like=利用規約").json()["data"]
    assert [p["name"] for p in japanese] == ["利用規約"] and "body" not in japanese[0]
    terms = api.get("/v3/checkouts/settings/channels/2").json()["data"]
    assert terms["order_terms_and_conditions_type"] == "textarea"
    assert "AGB" in terms["order_terms_and_conditions_textarea"]
    assert terms["policy_consent"] == "enabled"  # a string per checkouts.v3.yml
    store_wide = api.get("/v3/checkouts/settings").json()["data"]
    assert "order_terms_and_conditions_type" not in store_wide  # terms exist per channel only
    privacy = api.get("/v3/customers/settings/channels/3").json()["data"]["privacy_settings"]
    assert privacy["policy_url"].startswith("https://jp.store.example.com/")


def test_seeded_disclosures_open_the_change_log(emulator) -> None:
    seeded = changes(emulator)[:23]  # 16 pages, terms of channels 1-3, privacy of 0 (store) to 3
    kinds = [e["kind"] for e in seeded]
    assert kinds.count("page") == 16 and kinds.count("checkout_terms") == 3
    assert {(e["kind"], e["subject"]) for e in seeded} >= {("checkout_terms", 2), ("privacy", 0)}
    assert all(e["webhooks"] == [] and e["content"] for e in seeded)


def test_api_changes_fire_channel_webhooks_and_enter_the_log(
    make_emulator, receiver: Receiver
) -> None:
    emu = make_emulator(quota=None, allow_plain_http_hooks=True, webhook_time_scale=0.001)
    with Api(emu.base_url, emu.access_token) as api:
        hook(api, "store/channel/*", receiver.url)
        created = api.post(
            "/v3/content/pages",
            json={"name": "Cookie Policy", "type": "page", "channel_id": 2, "body": "<p>v1</p>"},
        ).json()["data"]
        api.put(f"/v3/content/pages/{created['id']}", json={"body": "<p>v2</p>"})
        api.put(
            "/v3/checkouts/settings/channels/3", json={"order_terms_and_conditions_textarea": "新"}
        )
        api.put(
            "/v3/customers/settings/channels/1",
            json={"privacy_settings": {"policy_url": "https://store.example.com/p2"}},
        )
        assert api.delete(f"/v3/content/pages/{created['id']}").status_code == 204
    expected = [
        PAGE_SCOPE.format(2, "created"),
        PAGE_SCOPE.format(2, "updated"),
        "store/channel/3/settings/checkout/updated",
        "store/channel/1/settings/customerPrivacy/updated",
    ]
    wait_for(lambda: len(receiver.deliveries) >= 4, what="four deliveries")
    assert sorted(receiver.scopes()) == sorted(expected)
    by_scope = {d["json"]["scope"]: d["json"]["data"] for d in receiver.deliveries}
    assert by_scope[PAGE_SCOPE.format(2, "updated")] == {"page_id": created["id"]}
    assert by_scope["store/channel/3/settings/checkout/updated"] == {"channel_id": 3}

    log = changes(emu)[-5:]
    assert [(e["kind"], e["subject"], e["event"]) for e in log] == [
        ("page", created["id"], "created"),
        ("page", created["id"], "updated"),
        ("checkout_terms", 3, "updated"),
        ("privacy", 1, "updated"),
        ("page", created["id"], "deleted"),
    ]
    assert log[1]["content"]["body"] == "<p>v2</p>" and log[1]["channel_id"] == 2
    assert log[2]["content"]["order_terms_and_conditions_textarea"] == "新"
    assert log[3]["content"]["policy_url"] == "https://store.example.com/p2"
    assert log[4]["content"] is None and log[4]["webhooks"] == []
    assert [e["seq"] for e in log] == sorted(e["seq"] for e in log)
    assert all(a["at"] <= b["at"] for a, b in pairwise(log))


def test_store_wide_settings_fire_for_every_storefront(make_emulator, receiver: Receiver) -> None:
    emu = make_emulator(quota=None, allow_plain_http_hooks=True, webhook_time_scale=0.001)
    with Api(emu.base_url, emu.access_token) as api:
        hook(api, "store/channel/*", receiver.url)
        api.put("/v3/customers/settings", json={"privacy_settings": {"policy_url": "https://x/p"}})
        groups = {"customer_group_settings": {"guest_customer_group_id": 1}}
        api.put("/v3/customers/settings", json=groups)  # no privacy change: no webhook
        api.put("/v3/checkouts/settings", json={"custom_checkout_script_url": "https://x/c.js"})
    wait_for(lambda: len(receiver.deliveries) >= 6, what="six deliveries")
    assert sorted(receiver.scopes()) == [
        f"store/channel/{c}/settings/{s}/updated"
        for c in (1, 2, 3)
        for s in ("checkout", "customerPrivacy")
    ]
    last = changes(emu)[-1]  # the script change is no disclosure: not logged
    assert (last["kind"], last["subject"], last["channel_id"]) == ("privacy", 0, 0)


def test_a_silent_edit_is_logged_but_fires_nothing(make_emulator, receiver: Receiver) -> None:
    emu = make_emulator(quota=None, allow_plain_http_hooks=True, webhook_time_scale=0.001)
    with Api(emu.base_url, emu.access_token) as api:
        hook(api, "store/channel/1/page/updated", receiver.url)
        terms = api.get("/v3/content/pages?channel_id=1&name=Terms and Conditions").json()["data"]
        pid = terms[0]["id"]
        silent = requests.put(
            f"{emu.admin_url}/pages/{pid}/silently", json={"body": "<p>quiet</p>"}, timeout=10
        )
        assert silent.status_code == 200
        assert api.get(f"/v3/content/pages/{pid}?include=body").json()["data"]["body"] == (
            "<p>quiet</p>"
        )
        requests.put(f"{emu.admin_url}/pages/{pid}", json={"body": "<p>loud</p>"}, timeout=10)
    wait_for(lambda: receiver.deliveries, what="the loud edit's delivery")
    assert receiver.scopes() == ["store/channel/1/page/updated"]
    quiet, loud = changes(emu)[-2:]
    assert quiet["content"]["body"] == "<p>quiet</p>" and quiet["webhooks"] == []
    assert loud["webhooks"] == ["store/channel/1/page/updated"]
