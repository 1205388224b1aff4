"""Record keys, ECM names, workspaces and folders of documents already declared never
change: a changed key would declare every existing record again, a changed name or place
would file a second copy beside the first. The fixture was written by the code that
declared them; every later version of the code must derive the same."""

from __future__ import annotations

from typing import Any

import pytest

from tests.golden.names import derived, load_fixture

FIXTURE = load_fixture()


def test_fixture_covers_every_kind_and_later_versions() -> None:
    names = [d["ecm_name"] for s in FIXTURE["sources"] for d in s["documents"]]
    for stem in (
        "-order-record-",
        "-invoice-",
        "-tax-breakdown-",
        "-packing-slip-consignment-",
        "-shipping-confirmation-shipment-",
        "-credit-note-refund-",
        "-payment-record-transaction-",
        "tax-summary-",
    ):
        assert any(stem in name for name in names), stem
    versions = {n.rsplit("-", 1)[0] for n in names}
    assert len(versions) < len(set(names)), "no document with more than one version"


@pytest.mark.parametrize(
    "source",
    FIXTURE["sources"],
    ids=lambda s: s["documents"][0]["ecm_name"] if s["documents"] else "none",
)
def test_keys_names_and_places_unchanged(source: dict[str, Any]) -> None:
    expected = sorted(source["documents"], key=lambda row: row["ecm_name"])
    assert derived(source["kind"], source["source"].encode()) == expected
