"""Authentication: login, ticket header, echo, expiry, logout, OTDS and bearer."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import requests

from sandbox.otcs import OTCSEmulator
from tests.otcs_emulator.conftest import Api, wait_until

AUTH_REQUIRED = {"error": "Authentication Required"}
IDLE_S = 1.0  # long enough for login → first call on a loaded machine


@pytest.fixture(scope="module")
def short_lived() -> Iterator[OTCSEmulator]:
    with OTCSEmulator(
        password="pw",
        ticket_idle_s=IDLE_S,
        ticket_absolute_s=60,
        otds_tickets=("*OTDSSSO*abc",),
        bearer_tokens=("token-123",),
    ) as running:
        yield running


def test_login_returns_a_ticket(emulator: OTCSEmulator) -> None:
    response = requests.post(
        emulator.base_url + "/v1/auth",
        data={"username": "admin", "password": "secret-pw"},
        timeout=10,
    )
    assert response.status_code == 200
    assert set(response.json()) == {"ticket"}


def test_login_accepts_multipart(emulator: OTCSEmulator) -> None:
    response = requests.post(
        emulator.base_url + "/v1/auth",
        files={"username": (None, "admin"), "password": (None, "secret-pw")},
        timeout=10,
    )
    assert response.status_code == 200


@pytest.mark.parametrize(
    ("form", "status", "message"),
    [
        ({"username": "admin", "password": "wrong"}, 401, "Invalid username/password specified"),
        ({"password": "secret-pw"}, 500, "Argument username is required"),
        ({"username": "admin"}, 500, "Argument password is required"),
    ],
)
def test_login_errors(
    emulator: OTCSEmulator, form: dict[str, str], status: int, message: str
) -> None:
    response = requests.post(emulator.base_url + "/v1/auth", data=form, timeout=10)
    assert response.status_code == status
    assert response.json() == {"error": message}


def test_calls_without_ticket_are_refused(emulator: OTCSEmulator) -> None:
    response = requests.get(emulator.base_url + "/v2/nodes/2000", timeout=10)
    assert response.status_code == 401
    assert response.json() == AUTH_REQUIRED


@pytest.mark.parametrize("header", ["OTCSTicket", "otcsticket", "OTCSTICKET"])
def test_ticket_header_is_case_insensitive_and_echoed(api: Api, header: str) -> None:
    response = requests.get(api.base + "/v2/nodes/2000", headers={header: api.ticket}, timeout=10)
    assert response.status_code == 200
    assert response.headers["OTCSTicket"] == api.ticket


def test_get_head_delete_auth(api: Api) -> None:
    me = api.ok(api.get("/v1/auth"))["data"]
    assert me["name"] == "admin"
    assert api.request("HEAD", "/v1/auth").status_code == 200
    assert api.delete("/v1/auth").status_code == 200
    assert api.request("HEAD", "/v1/auth").status_code == 401
    assert api.get("/v2/nodes/2000").json() == AUTH_REQUIRED


def test_idle_expiry(short_lived: OTCSEmulator) -> None:
    api = Api(short_lived).login()
    assert api.get("/v2/nodes/2000").status_code == 200
    wait_until(
        lambda: api.request("HEAD", "/v1/auth").status_code == 401, max_interval_s=2 * IDLE_S
    )
    response = api.get("/v2/nodes/2000")
    assert (response.status_code, response.json()) == (401, AUTH_REQUIRED)


def test_absolute_expiry() -> None:
    with OTCSEmulator(password="pw", ticket_idle_s=60, ticket_absolute_s=0.3) as running:
        api = Api(running).login()
        wait_until(lambda: api.get("/v2/nodes/2000").status_code == 401)
        running.state.tickets.absolute_s = 60
        assert api.login().get("/v2/nodes/2000").status_code == 200


def test_expire_all_tickets_now(short_lived: OTCSEmulator) -> None:
    api = Api(short_lived).login()
    short_lived.state.tickets.idle_s = 60
    try:
        assert api.get("/v2/nodes/2000").status_code == 200
        assert short_lived.expire_tickets() >= 1
        assert api.get("/v2/nodes/2000").status_code == 401
        api.login()
        assert requests.post(short_lived.admin_url + "/expire-tickets", timeout=10).ok
        assert api.get("/v2/nodes/2000").status_code == 401
    finally:
        short_lived.state.tickets.idle_s = IDLE_S


def test_otds_ticket_is_accepted_and_exchanged(short_lived: OTCSEmulator) -> None:
    headers = {"OTDSTicket": "*OTDSSSO*abc"}
    direct = requests.get(short_lived.base_url + "/v2/nodes/2000", headers=headers, timeout=10)
    assert direct.status_code == 200
    exchanged = requests.get(short_lived.base_url + "/v1/auth", headers=headers, timeout=10)
    ticket = exchanged.headers["OTCSTicket"]
    follow_up = requests.get(
        short_lived.base_url + "/v2/nodes/2000", headers={"OTCSTicket": ticket}, timeout=10
    )
    assert follow_up.status_code == 200
    wrong = requests.get(
        short_lived.base_url + "/v2/nodes/2000", headers={"OTDSTicket": "nope"}, timeout=10
    )
    assert wrong.status_code == 401


def test_bearer_token_is_accepted(short_lived: OTCSEmulator) -> None:
    url = short_lived.base_url + "/v2/nodes/2000"
    good = requests.get(url, headers={"Authorization": "Bearer token-123"}, timeout=10)
    bad = requests.get(url, headers={"Authorization": "Bearer other"}, timeout=10)
    assert (good.status_code, bad.status_code) == (200, 401)


def test_bearer_is_refused_when_not_configured(emulator: OTCSEmulator) -> None:
    response = requests.get(
        emulator.base_url + "/v2/nodes/2000",
        headers={"Authorization": "Bearer token-123"},
        timeout=10,
    )
    assert response.status_code == 401
