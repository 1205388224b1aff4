"""Categories: names resolved to keys, values applied on upload and later, token-guarded edits."""

from __future__ import annotations

import pytest

from pipeline.integrations.otcs import AlreadyExists, EditConflict, NotConfigured, OTCSClient
from sandbox.otcs import OTCSEmulator
from tests.otcs_client.conftest import calls

COMMERCE_RECORD = "Commerce Record"
VALUES = {"Store Hash": "abc123", "Document Kind": "invoice", "Order ID": "1001"}


def test_category_and_attribute_keys_by_name(emulator: OTCSEmulator, client: OTCSClient) -> None:
    category = client.category(COMMERCE_RECORD)
    assert category.id == 9100
    assert category.keys["Store Hash"] == "9100_3"
    assert category.keys["SKU"] == "9100_20_1_21", "set attributes resolve to row-1 keys"
    assert category.values({"Order ID": "7"}) == {"9100_25": "7"}
    client.category(COMMERCE_RECORD)
    assert calls(emulator, "GET /v1/forms/nodes/categories/create") == 1, "cached per client"


def test_unknown_names_are_configuration_errors(client: OTCSClient) -> None:
    with pytest.raises(NotConfigured):
        client.category("No Such Category")
    with pytest.raises(NotConfigured):
        client.category(COMMERCE_RECORD).values({"Shoe Size": "42"})


def test_categories_given_on_upload_round_trip(client: OTCSClient, folder: int) -> None:
    category = client.category(COMMERCE_RECORD)
    doc = client.create_document(
        folder,
        "Invoice 1001.pdf",
        b"%PDF",
        "application/pdf",
        {category.id: category.values(VALUES)},
    ).id
    stored = client.get_categories(doc)[category.id]
    assert {name: stored[category.keys[name]] for name in VALUES} == VALUES


def test_apply_then_update_with_token(client: OTCSClient, folder: int) -> None:
    category = client.category(COMMERCE_RECORD)
    doc = client.create_document(folder, "a.pdf", b"%PDF", "application/pdf").id
    client.apply_category(doc, category.id, category.values(VALUES))
    with pytest.raises(AlreadyExists):
        client.apply_category(doc, category.id)
    state = client.get_category(doc, category.id)
    assert state.values[category.keys["Store Hash"]] == "abc123" and state.metadata_token
    client.update_category(
        doc, category.id, category.values({"Store Hash": "def456"}), state.metadata_token
    )
    assert client.get_category(doc, category.id).values["9100_3"] == "def456"
    with pytest.raises(EditConflict):  # the token was used up by the update above
        client.update_category(
            doc, category.id, category.values({"Store Hash": "zzz"}), state.metadata_token
        )
    assert client.get_categories(doc)[category.id]["9100_3"] == "def456"
