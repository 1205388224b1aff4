"""Records Series Identifiers: retention schedules, their stages, and RSI assignment."""

from __future__ import annotations

import itertools
from typing import Any

from aiohttp import web

from sandbox.otcs.context import Call, Route
from sandbox.otcs.repository import Repository, new_token, now_iso
from sandbox.otcs.rmcodes import checked_code
from sandbox.otcs.transport import (
    ApiError,
    admin_ok,
    json_response,
    paginate,
    rm_collection,
    v2_item,
)

STAGE_IDS = itertools.count(1)
"""Schedule-stage ids only need to be unique, so one process-wide sequence serves all."""


def checked_rsi(repo: Repository, value: Any) -> str:
    rsi = str(value)
    if rsi not in repo.rsis:
        raise ApiError(400, f"Invalid RSI '{rsi}'")
    return rsi


def assign_rsi(call: Call) -> web.Response:
    node = call.node()
    with call.repo.lock:
        record = node.classification
        if record is None or record.class_id != call.match_int("class_id"):
            raise ApiError(400, f"'{node.name}' is not classified under {call.match('class_id')}")
        record.rsi = checked_rsi(call.repo, call.params.require("rsi"))
        node.rm_token = new_token()
    return json_response({"data": [{"class_id": record.class_id, "rsi": record.rsi}]})


def node_rsis(call: Call) -> web.Response:
    record = call.node().classification
    rows = [{"class_id": record.class_id, "rsi": record.rsi}] if record else []
    return json_response({"data": rows})


def rsi_rows(rsi: dict[str, Any]) -> list[dict[str, Any]]:
    """One row per schedule stage, as `GET /v2/rsis` lists them (S2, S4)."""
    head = {k: v for k, v in rsi.items() if k != "stages"}
    return [{**head, **stage} for stage in rsi["stages"]] or [head]


def list_rsi_names(call: Call) -> web.Response:
    """`fast_codes` (pyxecm) and `fast:codes` (spec) both emitted: the key is unconfirmed."""
    query = call.params.text("query").lower()
    names = [{"name": name} for name in sorted(call.repo.rsis) if query in name.lower()]
    return json_response({"data": {"fast_codes": names}, "fast:codes": names})


def list_rsis(call: Call) -> web.Response:
    with call.repo.lock:
        rows = [row for rsi in call.repo.rsis.values() for row in rsi_rows(rsi)]
    return rm_collection(call.request, "rsis", paginate(rows, call.params))


def _rsi_by_id(call: Call, rsi_id: int) -> dict[str, Any]:
    for rsi in call.repo.rsis.values():
        if rsi["RSIID"] == rsi_id:
            return rsi
    raise ApiError(400, f"RSI {rsi_id} does not exist")


def get_rsi(call: Call) -> web.Response:
    with call.repo.lock:
        rsi = _rsi_by_id(call, call.match_int("rsi_id"))
        return v2_item(call.request, {"data": {"rsis": rsi_rows(rsi)}})


def create_rsi(call: Call) -> web.Response:
    params = call.params
    name = params.text("name").strip()
    if not name:
        raise ApiError(400, "Missing required parameter 'name'")
    status = checked_code(call.repo, params.require("status"), "rmstatuscode", "status", "status")
    with call.repo.lock:
        if name in call.repo.rsis:
            raise ApiError(400, f"RSI '{name}' already exists")
        rsi_id = max((r["RSIID"] for r in call.repo.rsis.values()), default=0) + 1
        call.repo.rsis[name] = new_rsi(
            rsi_id,
            name,
            title=params.text("title"),
            description=params.text("description"),
            subject=params.text("subject"),
            status=status,
            disp_control=params.bool("dispcontrol"),
        )
    return json_response(admin_ok(rsi_id))


def new_rsi(
    rsi_id: int,
    name: str,
    *,
    title: str,
    description: str = "",
    subject: str = "",
    status: str = "ACTIVE",
    disp_control: bool = True,
) -> dict[str, Any]:
    return {
        "RSIID": rsi_id,
        "RSI": name,
        "Title": title,
        "Subject": subject,
        "Description": description,
        "RSIStatus": status,
        "StatusDate": now_iso(),
        "DispControl": disp_control,
        "stages": [],
    }


def new_stage(rsi_id: int, stage: dict[str, Any]) -> dict[str, Any]:
    return {
        "RSIScheduleID": next(STAGE_IDS),
        "RSIID": rsi_id,
        "RetStage": stage["stage"],
        "ObjectType": stage.get("object_type", "LIV"),
        "EventType": stage["event_type"],
        "DateToUse": stage.get("date_to_use", 95),
        "RetYears": stage.get("years", 0),
        "RetMonths": stage.get("months", 0),
        "RetDays": stage.get("days", 0),
        "YearEndMonth": stage.get("year_end_month", 12),
        "YearEndDay": stage.get("year_end_day", 31),
        "EventCondition": stage.get("event_condition", ""),
        "ActionCode": stage.get("action_code", 32),
        "Disposition": stage.get("disposition", "REVIEW"),
        "Approved": True,
    }


def add_stage(call: Call) -> web.Response:
    params = call.params
    event_type = params.int("eventType", required=True)
    if event_type not in {1, 2, 3, 4, 5}:
        raise ApiError(400, "Invalid value for parameter 'eventType'")
    with call.repo.lock:
        rsi = _rsi_by_id(call, call.match_int("rsi_id"))
        stage = new_stage(
            rsi["RSIID"],
            {
                "stage": params.text("stage") or f"Stage {len(rsi['stages']) + 1}",
                "object_type": params.text("objectType") or "LIV",
                "event_type": event_type,
                "date_to_use": params.int("dateToUse", 95),
                "years": params.int("retentionYears", 0),
                "months": params.int("retentionMonths", 0),
                "days": params.int("retentionDays", 0),
                "action_code": params.int("actionCode", 0),
                "disposition": params.text("disposition"),
            },
        )
        rsi["stages"].append(stage)
    return json_response(admin_ok(stage["RSIScheduleID"]))


def delete_rsi(call: Call) -> web.Response:
    repo = call.repo
    with repo.lock:
        rsi = _rsi_by_id(call, call.match_int("rsi_id"))
        in_use = any(
            n.classification and n.classification.rsi == rsi["RSI"] for n in repo.nodes.values()
        )
        if in_use:
            raise ApiError(400, f"RSI '{rsi['RSI']}' is in use")
        del repo.rsis[rsi["RSI"]]
    return json_response(admin_ok(rsi["RSIID"]))


ROUTES = [
    Route(
        "POST", "/nodes/{id:\\d+}/rmclassifications/{class_id:\\d+}/rsis", assign_rsi, versions=(1,)
    ),
    Route("GET", "/nodes/{id:\\d+}/rsis", node_rsis, versions=(1,)),
    Route("GET", "/rsis", list_rsi_names, versions=(1,)),
    Route("POST", "/rsis", list_rsi_names, versions=(1,)),
    Route("GET", "/rsis", list_rsis, versions=(2,)),
    Route("GET", "/rsis/{rsi_id:\\d+}", get_rsi, versions=(2,)),
    Route("POST", "/rsischedules", create_rsi, versions=(2,)),
    Route("POST", "/rsischedules/{rsi_id:\\d+}/stages", add_stage, versions=(2,)),
    Route("DELETE", "/rsischedules/{rsi_id:\\d+}", delete_rsi, versions=(2,)),
]
