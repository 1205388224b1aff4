"""RM code tables (reference §7.2): statuses, essential codes, storage, hold types, ...

Record details and holds are validated against these tables, as the RM module does.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from sandbox.otcs.context import Call, Route
from sandbox.otcs.repository import Repository
from sandbox.otcs.transport import ApiError, json_response, v2_item


def code_values(repo: Repository, table: str, column: str) -> set[str]:
    return {str(row[column]) for row in repo.codes.get(table, [])}


def checked_code(repo: Repository, value: Any, table: str, column: str, label: str) -> str:
    text = str(value)
    if text not in code_values(repo, table, column):
        raise ApiError(400, f"Invalid {label} '{text}'")
    return text


def rm_codes(repo: Repository) -> dict[str, Any]:
    with repo.lock:
        codes = {table: list(rows) for table, rows in repo.codes.items()}
        codes["rmrsi"] = [{"rsi": r["RSI"], "description": r["Title"]} for r in repo.rsis.values()]
        codes["rmdocxreftyp"] = [
            {"docxref": x["xref_type"], "description": x["desc"], "relatedcode": x["related_code"]}
            for x in repo.xref_types.values()
        ]
        return codes


def get_rm_codes(call: Call) -> web.Response:
    if call.version == 1:
        return json_response(rm_codes(call.repo))
    return v2_item(call.request, {"data": rm_codes(call.repo)})


ROUTES = [Route("GET", "/recordsmanagement/rmcodes", get_rm_codes)]
