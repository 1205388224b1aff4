"""Wire behaviour: the `body` form encoding, envelopes, and how failures are classified."""

from __future__ import annotations

import json
import logging
import time
from urllib.parse import parse_qs

import pytest
import requests

from pipeline.core.errors import PermanentError, TransientError
from pipeline.integrations.otcs import (
    NameCollision,
    NodeNotFound,
    OTCSClient,
    OTCSRefused,
    OTCSUnavailable,
    envelopes,
)
from pipeline.integrations.otcs.transport import READ_TRIES, encode_form
from sandbox.otcs import OTCSEmulator
from tests.otcs_client.conftest import ENTERPRISE, PASSWORD, calls, make_client, unique
from tests.support import wait_for


def _capture(client: OTCSClient) -> list[requests.PreparedRequest]:
    """What actually went over the wire, via requests' own response hook."""
    sent: list[requests.PreparedRequest] = []
    client.session.hooks["response"].append(lambda r, *a, **k: sent.append(r.request))
    return sent


def test_nested_values_travel_as_json_in_a_body_form_field(client: OTCSClient) -> None:
    sent = _capture(client)
    name = unique("folder")
    folder_id = client.create_folder(ENTERPRISE, name)
    post = next(r for r in sent if r.method == "POST" and r.url.endswith("/v2/nodes"))
    assert post.headers["Content-Type"] == "application/x-www-form-urlencoded"
    form = parse_qs(str(post.body))
    assert json.loads(form["body"][0]) == {"type": 0, "parent_id": ENTERPRISE, "name": name}
    assert client.node(folder_id).name == name


def test_uploads_are_multipart_with_body_and_file_parts(client: OTCSClient) -> None:
    sent = _capture(client)
    client.create_document(ENTERPRISE, unique("doc") + ".pdf", b"%PDF-1.7 tiny", "application/pdf")
    post = next(r for r in sent if r.method == "POST" and r.url.endswith("/v2/nodes"))
    assert post.headers["Content-Type"].startswith("multipart/form-data")
    assert b'name="body"' in post.body and b'name="file"' in post.body
    assert b"%PDF-1.7 tiny" in post.body


def test_form_encoding_rules() -> None:
    form = encode_form(
        body={"official": True, "rsi": None, "roles": {"categories": {"9100_1": {}}}},
        fields={"apply": False, "count": 3, "skip": None},
    )
    assert form == {
        "apply": "false",
        "count": "3",
        "body": '{"official":true,"roles":{"categories":{"9100_1":{}}}}',
    }


def test_no_password_or_ticket_in_logs_or_repr(
    emulator: OTCSEmulator, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="bcrm")
    client = make_client(emulator)
    client.node(ENTERPRISE)
    emulator.expire_tickets()
    client.node(ENTERPRISE)
    events = [json.loads(record.getMessage())["event"] for record in caplog.records]
    assert events.count("otcs.login") == 2 and "otcs.ticket_rejected" in events
    secrets = [PASSWORD, *emulator.state.tickets._sessions]
    for text in [repr(client), *(record.getMessage() for record in caplog.records)]:
        assert not any(secret in text for secret in secrets)


@pytest.mark.parametrize(("version", "status"), [(1, 400), (2, 500)])
def test_name_collisions_are_recognised_on_v1_and_v2(
    client: OTCSClient, folder: int, version: int, status: int
) -> None:
    body = {"type": 0, "parent_id": folder, "name": "Twice"}
    client.request("POST", f"v{version}/nodes", body=body)
    with pytest.raises(NameCollision) as collision:
        client.request("POST", f"v{version}/nodes", body=body)
    assert collision.value.status == status
    assert isinstance(collision.value, PermanentError)


def test_missing_node_is_permanent(client: OTCSClient) -> None:
    with pytest.raises(NodeNotFound):
        client.node(999_999_999)
    with pytest.raises(NodeNotFound):  # the v2 content route says it with a 500
        client.download(999_999_999)


def test_other_refusals_are_permanent(client: OTCSClient) -> None:
    with pytest.raises(OTCSRefused) as refusal:
        client.request("POST", "v2/nodes", body={"type": 0, "parent_id": ENTERPRISE})
    assert refusal.value.status == 400 and "name" in refusal.value.message


FAULTS = {
    "5xx": {"error_rate": 1.0, "error_status": 503},
    "500": {"error_rate": 1.0, "error_status": 500},
    "html-200": {"html_error_rate": 1.0},
    "reset": {"reset_rate": 1.0},
}


@pytest.mark.parametrize("fault", sorted(FAULTS))
def test_faults_are_transient(emulator: OTCSEmulator, client: OTCSClient, fault: str) -> None:
    client.node(ENTERPRISE)
    emulator.set_faults(
        **FAULTS[fault], routes=["GET /v2/nodes/{id}", "GET /v2/nodes/{id}/content"]
    )
    with pytest.raises(OTCSUnavailable) as failure:
        client.node(ENTERPRISE)
    assert isinstance(failure.value, TransientError)
    emulator.set_faults()
    assert client.node(ENTERPRISE).id == ENTERPRISE


def test_html_instead_of_content_is_transient(emulator: OTCSEmulator, client: OTCSClient) -> None:
    doc = client.create_document(ENTERPRISE, unique("doc") + ".pdf", b"%PDF", "application/pdf").id
    emulator.set_faults(html_error_rate=1.0, routes=["GET /v2/nodes/{id}/content"])
    with pytest.raises(OTCSUnavailable):
        client.download(doc)


def test_a_read_without_answer_is_repeated_in_place(
    emulator: OTCSEmulator, client: OTCSClient
) -> None:
    """Seed 1 fails the first GET and lets the second through: the caller sees an answer."""
    client.node(ENTERPRISE)
    emulator.reset_counters()
    emulator.set_faults(error_rate=0.5, seed=1, routes=["GET /v2/nodes/{id}"])
    assert client.node(ENTERPRISE).id == ENTERPRISE
    assert calls(emulator, "GET /v2/nodes/{id}") == 2


def test_reads_are_repeated_a_bounded_number_of_times_and_writes_never(
    emulator: OTCSEmulator, client: OTCSClient
) -> None:
    """A write whose answer was lost may have been done: only the stage may try it again
    (after looking for what it created); a read repeats, then the stage takes over."""
    client.node(ENTERPRISE)
    emulator.reset_counters()
    emulator.set_faults(error_rate=1.0, routes=["GET /v2/nodes/{id}", "POST /v2/nodes"])
    with pytest.raises(OTCSUnavailable):
        client.node(ENTERPRISE)
    assert calls(emulator, "GET /v2/nodes/{id}") == READ_TRIES
    with pytest.raises(OTCSUnavailable):
        client.create_folder(ENTERPRISE, unique("folder"))
    assert calls(emulator, "POST /v2/nodes") == 1


def test_timeout_is_transient(emulator: OTCSEmulator) -> None:
    client = make_client(emulator, timeout_s=0.2)
    client.node(ENTERPRISE)
    emulator.reset_counters()
    emulator.set_faults(latency_min_ms=1000, latency_max_ms=1000, routes=["GET /v2/nodes/{id}"])
    with pytest.raises(OTCSUnavailable):
        client.node(ENTERPRISE)
    # Not repeated in place: the timeout spent the call's budget; the stage retries it.
    # The server counts a call once its 1 s delay is over; a repeat would be counted
    # within 1.5 s of the first.
    wait_for(lambda: calls(emulator, "GET /v2/nodes/{id}") >= 1, what="the timed-out call")
    time.sleep(1.5)
    assert calls(emulator, "GET /v2/nodes/{id}") == 1


def test_envelopes_read_v1_and_v2_shapes() -> None:
    props = {"id": 7, "name": "a.pdf", "type": 144, "parent_id": 2, "container": False, "size": 3}
    v1 = {"data": props, "definitions": {}}
    v2 = {"links": {}, "results": {"data": {"properties": props}}}
    v2_as_in_the_spec = {"results": [{"data": [{"properties": [props]}]}]}
    assert envelopes.node(v1) == envelopes.node(v2) == envelopes.node(v2_as_in_the_spec)
    assert envelopes.node(v1).size == 3
    assert envelopes.created_id({"id": 9}) == 9
    assert envelopes.created_id({"results": {"id": 10, "direct_open": True}}) == 10
    assert envelopes.created_id(v2) == 7
    assert envelopes.nodes({"results": [{"data": {"properties": props}}]})[0].id == 7
    assert envelopes.nodes({"data": [props]})[0].id == 7
    assert envelopes.has_next_page({"collection": {"paging": {"page": 1, "page_total": 2}}})
    assert envelopes.has_next_page({"paging": {"page": 1, "page_total": 3}})
    assert not envelopes.has_next_page({"page": 2, "page_total": 2})
    with pytest.raises(OTCSUnavailable):
        envelopes.node({"results": {"data": {}}})
