"""Records Management: declare with the rm_metadataToken round trip, RSIs, file-plan lookups."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime

import pytest
import requests

from pipeline.integrations.otcs import EditConflict, NotConfigured, OTCSClient, RecordLocked
from sandbox.otcs import OTCSEmulator
from tests.otcs_client.conftest import calls

INVOICES = "Commerce Records/Finance/Invoices"
RECORD_DATE = date(2026, 1, 31)


@pytest.fixture
def document(client: OTCSClient, folder: int) -> int:
    return client.create_document(folder, "Invoice 1001.pdf", b"%PDF", "application/pdf").id


def _writes(emulator: OTCSEmulator) -> int:
    return calls(emulator, "POST /v1/nodes/{id}/rmclassifications") + calls(
        emulator, "PUT /v1/nodes/{id}/rmclassifications"
    )


def test_file_plan_lookups(client: OTCSClient) -> None:
    assert client.rm_classification_id(INVOICES) == 3020
    assert client.rsi_id("BCRM-FIN-INV") > 0
    assert client.rsi_id("BCRM-FIN-INV-DE") != client.rsi_id("BCRM-FIN-INV")
    with pytest.raises(NotConfigured):
        client.rm_classification_id("Commerce Records/Finance/Nope")
    with pytest.raises(NotConfigured):
        client.rsi_id("NO-SUCH-RSI")


def test_declare_official_record(emulator: OTCSEmulator, client: OTCSClient, document: int) -> None:
    class_id = client.rm_classification_id(INVOICES)
    details = client.classify_record(
        document,
        class_id,
        record_date=datetime(2026, 1, 31, 17, 45),
        rsi="BCRM-FIN-INV-DE",
        extra={"subject": "Invoice 1001"},
    )
    assert (details.classification_id, details.rsi, details.record_date, details.official) == (
        class_id,
        "BCRM-FIN-INV-DE",
        RECORD_DATE,
        True,
    )
    stored = next(n for n in emulator.inventory()["nodes"] if n["id"] == document)
    assert stored["classification"]["subject"] == "Invoice 1001"


def test_declaring_again_sends_nothing(
    emulator: OTCSEmulator, client: OTCSClient, document: int
) -> None:
    class_id = client.rm_classification_id(INVOICES)
    client.classify_record(document, class_id, record_date=RECORD_DATE, rsi="BCRM-FIN-INV")
    writes = _writes(emulator)
    again = client.classify_record(document, class_id, record_date=RECORD_DATE, rsi="BCRM-FIN-INV")
    assert again.official and _writes(emulator) == writes


def test_stale_token_is_an_edit_conflict(client: OTCSClient, document: int) -> None:
    client.classify_record(document, client.rm_classification_id(INVOICES), official=False)
    before = client.record_details(document)
    client.update_record(document, before.metadata_token, {"subject": "first"})
    with pytest.raises(EditConflict):
        client.update_record(document, before.metadata_token, {"subject": "second"})
    assert client.record_details(document).row["subject"] == "first"


def test_declare_rereads_the_token_after_a_concurrent_change(
    emulator: OTCSEmulator,
    client: OTCSClient,
    new_client: Callable[..., OTCSClient],
    document: int,
) -> None:
    class_id = client.rm_classification_id(INVOICES)
    client.classify_record(document, class_id, official=False)
    other = new_client()
    interfered: list[bool] = []

    def change_after_our_read(response: requests.Response, *args: object, **kw: object) -> None:
        is_read = response.request.method == "GET" and "rmclassifications" in str(response.url)
        if is_read and not interfered:
            interfered.append(True)
            token = other.record_details(document).metadata_token
            other.update_record(document, token, {"subject": "by someone else"})

    client.session.hooks["response"].append(change_after_our_read)
    details = client.classify_record(document, class_id, rsi="BCRM-FIN-INV-US")
    assert details.official and details.rsi == "BCRM-FIN-INV-US"
    assert details.row["subject"] == "by someone else", "their change was not overwritten"
    assert emulator.request_counters()["PUT /v1/nodes/{id}/rmclassifications"]["status"] == {
        "200": 2,
        "409": 1,
    }


def test_assign_rsi(client: OTCSClient, document: int) -> None:
    class_id = client.rm_classification_id(INVOICES)
    client.classify_record(document, class_id, official=False)
    client.assign_rsi(document, class_id, "BCRM-FIN-INV-GB")
    assert client.record_details(document).rsi == "BCRM-FIN-INV-GB"


def test_an_official_record_is_locked(client: OTCSClient, document: int) -> None:
    client.classify_record(document, client.rm_classification_id(INVOICES))
    with pytest.raises(RecordLocked):
        client.delete_node(document)
    with pytest.raises(RecordLocked):
        client.add_version(document, b"%PDF-2", "application/pdf", "Invoice 1001.pdf")
    with pytest.raises(RecordLocked):
        client.classify_record(
            document, client.rm_classification_id("Commerce Records/Tax/Order Tax Breakdowns")
        )


def test_a_new_node_is_declared_by_one_call(
    emulator: OTCSEmulator, client: OTCSClient, document: int
) -> None:
    class_id = client.rm_classification_id(INVOICES)
    emulator.reset_counters()
    client.declare_created(document, class_id, record_date=RECORD_DATE, rsi="BCRM-FIN-INV-DE")
    assert {route: c["count"] for route, c in emulator.request_counters().items()} == {
        "POST /v1/nodes/{id}/rmclassifications": 1
    }
    details = client.record_details(document)
    assert (details.classification_id, details.rsi, details.record_date, details.official) == (
        class_id,
        "BCRM-FIN-INV-DE",
        RECORD_DATE,
        True,
    )


def test_a_new_node_classified_meanwhile_by_someone_else_is_settled_with_a_token(
    emulator: OTCSEmulator,
    client: OTCSClient,
    new_client: Callable[..., OTCSClient],
    document: int,
) -> None:
    """Someone classified the node between our upload and our declaration: the token-less
    POST is refused, and the careful path (read, then write what differs) takes over."""
    class_id = client.rm_classification_id(INVOICES)
    new_client().classify_record(document, class_id, official=False, rsi="BCRM-FIN-INV-GB")
    client.declare_created(document, class_id, record_date=RECORD_DATE, rsi="BCRM-FIN-INV-DE")
    details = client.record_details(document)
    assert (details.rsi, details.record_date, details.official) == (
        "BCRM-FIN-INV-DE",
        RECORD_DATE,
        True,
    )
    posts = emulator.request_counters()["POST /v1/nodes/{id}/rmclassifications"]["status"]
    assert posts["400"] == 1
