"""Health, server info and the `/auth` resource (reference §1, §2)."""

from __future__ import annotations

from aiohttp import web

from sandbox.otcs.auth import AUTH_REQUIRED, authenticate
from sandbox.otcs.context import Call, Route
from sandbox.otcs.repository import now_iso
from sandbox.otcs.transport import ApiError, json_response

BUILD = 2451


def ping(call: Call) -> web.Response:
    return json_response({"rest_api": [{"build": BUILD, "href": "api/v1", "version": 1}]})


def serverinfo(call: Call) -> web.Response:
    tickets = call.state.tickets
    return json_response(
        {
            "mobile": {"client_timeout": int(tickets.idle_s * 1000)},
            "server": {
                "advanced_versioning": True,
                "character_encoding": 1,
                "current_date": now_iso(),
                "domain_access_enabled": False,
                "enhanced_metadata": True,
                "languages": [{"active": True, "default": True, "language_code": "en"}],
                "url": str(call.request.url.with_path("/").with_query(None)),
                "version": "24.4",
            },
            "sessions": {
                "enabled": True,
                "expire_after_last_login": True,
                "expire_after_last_request": True,
                "logout_url": "",
                "session_inactivity": int(tickets.idle_s * 1000),
                "session_timeout": int(tickets.absolute_s * 1000),
            },
            "viewer": {"content_suite": {}},
        }
    )


def login(call: Call) -> web.Response:
    if call.params.text("domain"):
        raise ApiError(401, "Unable to login. Domain support is disabled")
    state = call.state
    user = state.credentials.check_password(
        call.params.text("username"), call.params.text("password")
    )
    ticket = state.tickets.issue(user)
    response = json_response({"ticket": ticket})
    response.headers["OTCSTicket"] = ticket
    return response


def _current_ticket(call: Call) -> str:
    return authenticate(call.request, call.state.tickets, call.state.credentials)


def whoami(call: Call) -> web.Response:
    """GET also exchanges an OTDS ticket or bearer token for an OTCSTicket header (S4)."""
    ticket = _current_ticket(call)
    user = call.state.tickets.validate(ticket)
    if user is None:
        raise ApiError(401, AUTH_REQUIRED)
    response = json_response(
        {
            "data": {
                "id": user.id,
                "name": user.name,
                "first_name": user.first_name,
                "last_name": user.last_name,
                "type": 0,
                "type_name": "User",
                "deleted": False,
            }
        }
    )
    response.headers["OTCSTicket"] = ticket
    return response


def logout(call: Call) -> web.Response:
    ticket = _current_ticket(call)
    call.state.tickets.revoke(ticket)
    return json_response({})


ROUTES = [
    Route("GET", "/ping", ping, versions=(1,), public=True),
    Route("GET", "/serverinfo", serverinfo, versions=(1,), public=True),
    Route("POST", "/auth", login, public=True),
    Route("GET", "/auth", whoami, public=True),
    Route("DELETE", "/auth", logout, public=True),
]
