"""Catalog v3: product filters, include, sort, limit, partial and batch PUT, variants."""

from __future__ import annotations

import re

from tests.bigcommerce_emulator.conftest import Api

ISO = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+00:00$")


def products(api: Api, query: str = "") -> dict:
    response = api.get(f"/v3/catalog/products?{query}")
    assert response.status_code == 200, response.text
    return response.json()


def test_envelope_pagination_and_links(api: Api) -> None:
    body = products(api, "limit=7&page=2&is_visible=true")
    meta = body["meta"]["pagination"]
    assert meta["per_page"] == 7 and meta["current_page"] == 2 and meta["count"] == 7
    assert meta["total_pages"] == -(-meta["total"] // 7)
    assert meta["links"]["previous"] == "?is_visible=true&page=1&limit=7"
    assert meta["links"]["next"] == "?is_visible=true&page=3&limit=7"
    last = products(api, f"limit=7&page={meta['total_pages']}&is_visible=true")
    assert "next" not in last["meta"]["pagination"]["links"]
    beyond = products(api, "limit=7&page=999")
    assert beyond["data"] == []
    assert api.get("/v3/catalog/products?limit=251").status_code == 413


def test_money_numbers_and_iso_dates(api: Api) -> None:
    product = products(api, "limit=1")["data"][0]
    assert isinstance(product["price"], int | float)
    assert ISO.match(product["date_modified"]) and ISO.match(product["date_created"])
    assert not any(key.startswith("_") for key in product)


def test_filters(api: Api) -> None:
    all_rows = products(api, "limit=250")["data"]
    ids = [p["id"] for p in all_rows[:3]]
    by_ids = products(api, "id:in=" + ",".join(map(str, ids)))["data"]
    assert [p["id"] for p in by_ids] == ids
    sku = all_rows[5]["sku"]
    assert [p["sku"] for p in products(api, f"sku={sku}")["data"]] == [sku]
    two = f"{all_rows[1]['sku']},{all_rows[2]['sku']}"
    assert len(products(api, f"sku:in={two}")["data"]) == 2
    hidden = products(api, "is_visible=false&limit=250")["data"]
    assert hidden and all(not p["is_visible"] for p in hidden)
    disabled = products(api, "availability=disabled&limit=250")["data"]
    assert disabled and all(p["availability"] == "disabled" for p in disabled)
    pivot = sorted(p["date_modified"] for p in all_rows)[len(all_rows) // 2]
    recent = products(api, f"date_modified:min={pivot}&limit=250")["data"]
    assert recent and all(p["date_modified"] >= pivot for p in recent)
    assert len(recent) < len(all_rows)


def test_sort_and_direction(api: Api) -> None:
    rows = products(api, "sort=price&direction=desc&limit=20")["data"]
    prices = [p["price"] for p in rows]
    assert prices == sorted(prices, reverse=True)


def test_include_variants(api: Api) -> None:
    shirt = products(api, "include=variants&limit=1")["data"][0]
    assert len(shirt["variants"]) > 1
    assert all(v["sku"].startswith(shirt["sku"]) for v in shirt["variants"])
    assert "variants" not in products(api, "limit=1")["data"][0]


def test_put_partial_update_and_errors(make_emulator) -> None:
    emu = make_emulator(quota=None)
    with Api(emu.base_url, emu.access_token) as api:
        before = api.get("/v3/catalog/products/1").json()["data"]
        changed = api.put(
            "/v3/catalog/products/1",
            json={"price": 99.5, "is_visible": False, "availability": "disabled"},
        )
        assert changed.status_code == 200
        after = changed.json()["data"]
        assert after["price"] == after["calculated_price"] == 99.5
        assert after["name"] == before["name"] and after["date_modified"] >= before["date_modified"]
        assert api.put("/v3/catalog/products/99999", json={"price": 1}).status_code == 404
        other = api.get("/v3/catalog/products/2").json()["data"]
        dup = api.put("/v3/catalog/products/1", json={"name": other["name"]})
        assert dup.status_code == 409
        invalid = api.put("/v3/catalog/products/1", json={"price": -1, "availability": "x"})
        assert invalid.status_code == 422
        assert set(invalid.json()["errors"]) == {"price", "availability"}


def test_batch_put_limits_and_partial_success(make_emulator) -> None:
    emu = make_emulator(quota=None)
    with Api(emu.base_url, emu.access_token) as api:
        eleven = [{"id": i, "price": 10} for i in range(1, 12)]
        too_big = api.put("/v3/catalog/products", json=eleven)
        assert too_big.status_code == 413
        assert too_big.json()["title"].endswith("maximum items allowed in the array is 10.")
        ok = api.put("/v3/catalog/products", json=[{"id": 1, "price": 11}, {"id": 2, "price": 12}])
        assert ok.status_code == 200 and [p["price"] for p in ok.json()["data"]] == [11, 12]
        mixed = api.put(
            "/v3/catalog/products", json=[{"id": 3, "price": 13}, {"id": 99999, "price": 1}]
        )
        assert mixed.status_code == 207
        assert [p["id"] for p in mixed.json()["data"]] == [3]
        assert mixed.json()["errors"][0]["status"] == 404


def test_variants_by_product_store_wide_and_update(make_emulator) -> None:
    emu = make_emulator(quota=None)
    with Api(emu.base_url, emu.access_token) as api:
        variants = api.get("/v3/catalog/products/1/variants").json()["data"]
        assert len(variants) > 1 and all(v["product_id"] == 1 for v in variants)
        sku = variants[1]["sku"]
        found = api.get(f"/v3/catalog/variants?sku={sku}").json()["data"]
        assert [v["id"] for v in found] == [variants[1]["id"]]
        vid = variants[1]["id"]
        updated = api.put(f"/v3/catalog/products/1/variants/{vid}", json={"price": 42})
        assert updated.json()["data"]["calculated_price"] == 42
        dup = api.put(f"/v3/catalog/products/1/variants/{vid}", json={"sku": variants[0]["sku"]})
        assert dup.status_code == 409
        assert api.get(f"/v3/catalog/products/2/variants/{vid}").status_code == 404


def test_product_and_variant_writes_move_date_modified_for_the_watch_query(make_emulator) -> None:
    """What flow 3's watch asks: products modified since a moment, with their variants,
    oldest change first; a write to a product or one of its variants moves the product's
    `date_modified` to the store's clock."""
    emu = make_emulator(quota=None)
    with Api(emu.base_url, emu.access_token) as api:
        rows = products(api, "limit=250&include=variants")["data"]
        newest = max(p["date_modified"] for p in rows)
        shirt = next(p for p in rows if len(p["variants"]) > 1)
        other = next(p for p in rows if p["id"] != shirt["id"])
        variant = shirt["variants"][1]["id"]
        path = f"/v3/catalog/products/{shirt['id']}/variants/{variant}"
        assert api.put(path, json={"price": 3.5}).status_code == 200
        assert api.put(f"/v3/catalog/products/{other['id']}", json={"price": 4}).status_code == 200
        query = f"date_modified:min={newest}&include=variants&sort=date_modified&direction=asc"
        since = products(api, query + "&limit=250")["data"]
        changed = {p["id"]: p for p in since if p["date_modified"] > newest}
        assert set(changed) == {shirt["id"], other["id"]}
        assert ISO.match(changed[shirt["id"]]["date_modified"])
        moved = {v["id"]: v["price"] for v in changed[shirt["id"]]["variants"]}
        assert moved[variant] == 3.5
        dates = [p["date_modified"] for p in since]
        assert dates == sorted(dates)


def variants(api: Api, query: str = "") -> list[dict]:
    response = api.get(f"/v3/catalog/variants?{query}")
    assert response.status_code == 200, response.text
    return response.json()["data"]


def test_recall_identifiers_on_products_as_the_spec_lists_them(api: Api) -> None:
    """`sku`, `sku:in`, `upc`, `mpn` filter products; the spec has no `gtin` filter and
    no `mpn:in` (an unlisted parameter is not a filter), and every product has a GTIN."""
    rows = products(api, "limit=250")["data"]
    product = rows[7]
    assert product["gtin"] and product["mpn"] and product["upc"]
    assert [p["id"] for p in products(api, f"upc={product['upc']}")["data"]] == [product["id"]]
    assert [p["id"] for p in products(api, f"mpn={product['mpn']}")["data"]] == [product["id"]]
    assert len(products(api, f"gtin={product['gtin']}&limit=250")["data"]) == len(rows)
    assert len(products(api, f"mpn:in={product['mpn']}&limit=250")["data"]) == len(rows)
    assert len({p["gtin"] for p in rows}) == len(rows)


def test_recall_identifiers_on_variants_as_the_spec_lists_them(api: Api) -> None:
    """`GET /v3/catalog/variants` filters by `id`, variant `sku`, `upc` and
    `product_id:in`; option variants carry their own GTIN and MPN."""
    shirt = products(api, "include=variants&limit=1")["data"][0]
    variant = shirt["variants"][1]
    assert variant["gtin"] and variant["mpn"] and variant["gtin"] != shirt["gtin"]
    assert [v["id"] for v in variants(api, f"sku={variant['sku']}")] == [variant["id"]]
    assert [v["id"] for v in variants(api, f"id={variant['id']}")] == [variant["id"]]
    listed = variants(api, f"product_id:in={shirt['id']}&limit=250")
    assert [v["id"] for v in listed] == [v["id"] for v in shirt["variants"]]
    everything = variants(api, "limit=250")
    assert len(variants(api, f"product_id={shirt['id']}&limit=250")) == len(everything)
    assert len(variants(api, f"mpn={variant['mpn']}&limit=250")) == len(everything)


def test_a_variant_taken_off_sale_as_the_spec_types_it(make_emulator) -> None:
    """`purchasing_disabled` is a boolean and its message at most 255 characters; what
    was written reads back."""
    emu = make_emulator(quota=None)
    with Api(emu.base_url, emu.access_token) as api:
        variant = variants(api, "limit=1")[0]
        path = f"/v3/catalog/products/{variant['product_id']}/variants/{variant['id']}"
        assert api.put(path, json={"purchasing_disabled": "yes"}).status_code == 422
        long = {"purchasing_disabled": True, "purchasing_disabled_message": "x" * 256}
        assert api.put(path, json=long).status_code == 422
        off = {"purchasing_disabled": True, "purchasing_disabled_message": "Recalled"}
        assert api.put(path, json=off).status_code == 200
        read = api.get(path).json()["data"]
        assert (read["purchasing_disabled"], read["purchasing_disabled_message"]) == (
            True,
            "Recalled",
        )
