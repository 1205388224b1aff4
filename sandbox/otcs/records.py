"""Records Management: per-node classification ("declare"), RSIs, codes, cross-references.

Reference §7. Declaring a record = applying an RM classification, optionally
marking it official; every change rotates the node's `rm_metadataToken`.
"""

from __future__ import annotations

import itertools
from typing import Any

from aiohttp import web

from sandbox.otcs.context import Call, Route
from sandbox.otcs.repository import (
    RM_CLASSIFICATION,
    Classification,
    Node,
    Repository,
    new_token,
    now_iso,
)
from sandbox.otcs.transport import (
    ApiError,
    Params,
    admin_ok,
    edit_conflict,
    json_response,
    paginate,
    rm_collection,
    to_bool,
    to_iso_date,
    v2_item,
)

STAGE_IDS = itertools.count(1)
"""Schedule-stage ids only need to be unique, so one process-wide sequence serves all."""
DATE_FIELDS = ("received_date", "status_date", "last_review_date", "next_review_date")
TEXT_FIELDS = (
    "accession",
    "subject",
    "originator",
    "addressee",
    "sent_to",
    "establishment",
    "record_officer_id",
    "records_manager_id",
)


def _code_values(repo: Repository, table: str, column: str) -> set[str]:
    return {str(row[column]) for row in repo.codes.get(table, [])}


def _checked_code(repo: Repository, value: Any, table: str, column: str, label: str) -> str:
    text = str(value)
    if text not in _code_values(repo, table, column):
        raise ApiError(400, f"Invalid {label} '{text}'")
    return text


def _checked_rsi(repo: Repository, value: Any) -> str:
    rsi = str(value)
    if rsi not in repo.rsis:
        raise ApiError(400, f"Invalid RSI '{rsi}'")
    return rsi


def _update_details(repo: Repository, record: Classification, fields: dict[str, Any]) -> None:
    """Validate and apply record-detail fields; codes must exist in the RM code tables."""
    for key, value in fields.items():
        if value is None:
            continue
        if key == "official":
            record.official = to_bool(value)
        elif key == "rsi":
            record.rsi = _checked_rsi(repo, value)
        elif key in {"status", "file_status"}:
            record.status = _checked_code(repo, value, "rmstatuscode", "status", "status code")
            record.status_date = now_iso()
        elif key == "essential":
            record.essential = _checked_code(
                repo, value, "rmesscode", "essential", "essential code"
            )
        elif key == "vital_record":
            record.essential = "VR" if to_bool(value) else "NR"
        elif key == "storage":
            record.storage = _checked_code(repo, value, "rmstorage", "storage", "storage code")
        elif key == "record_date":
            record.record_date = to_iso_date(value) or record.record_date
        elif key == "cycle_period":
            if str(value) not in _code_values(repo, "rmcycleperiod", "cycleperiod"):
                raise ApiError(400, "Incorrect Cycle Period specified.")
            record.details["cycle_period"] = int(value)
        elif key in DATE_FIELDS:
            record.details[key] = to_iso_date(value)
        elif key in TEXT_FIELDS:
            record.details[key] = value


RECORD_FIELDS = (
    "official",
    "rsi",
    "status",
    "file_status",
    "essential",
    "vital_record",
    "storage",
    "record_date",
    "cycle_period",
    *DATE_FIELDS,
    *TEXT_FIELDS,
)


def classify(repo: Repository, node: Node, class_id: int, fields: dict[str, Any]) -> None:
    """Apply (or replace) the node's RM classification with the class's defaults."""
    with repo.lock:
        rm_class = repo.nodes.get(class_id)
        if rm_class is None or rm_class.type != RM_CLASSIFICATION:
            raise ApiError(400, f"Invalid RM Classification ID {class_id}")
        if not rm_class.extra.get("rsi"):
            raise ApiError(
                400, f"RM Classification '{rm_class.name}' has no RSI and cannot classify records"
            )
        current = node.classification
        if current is not None and current.official and current.class_id != class_id:
            raise ApiError(
                400, f"'{node.name}' is an official record; its classification is fixed."
            )
        record = Classification(
            class_id=class_id,
            rsi=rm_class.extra["rsi"],
            record_date=now_iso()[:10] + "T00:00:00",
            status_date=now_iso(),
            essential=rm_class.extra.get("essential", "NR"),
        )
        if current is not None and current.class_id == class_id:
            record = current
        _update_details(repo, record, fields)
        node.classification = record
        node.rm_token = new_token()


def apply_role(repo: Repository, node: Node, role: Any) -> None:
    """`roles.rmclassifications` on create: `{"class_id": C, ...record fields}` (choice)."""
    if not isinstance(role, dict) or "class_id" not in role:
        raise ApiError(400, "roles.rmclassifications must be an object with 'class_id'")
    classify(repo, node, int(role["class_id"]), {k: role.get(k) for k in RECORD_FIELDS})


def record_row(repo: Repository, node: Node) -> dict[str, Any]:
    record = node.classification
    assert record is not None
    rm_class = repo.nodes.get(record.class_id)
    details = {key: record.details.get(key) for key in (*DATE_FIELDS, *TEXT_FIELDS)}
    details["status_date"] = record.status_date
    return {
        "rmclassification_id": record.class_id,
        "inherited_rmclassification_id": 0,
        "default_rmclassification_id": 0,
        "multiple_classifications": False,
        "file_number": rm_class.extra.get("file_number", "") if rm_class else "",
        "name": rm_class.name if rm_class else "",
        "type": RM_CLASSIFICATION,
        "is_primary": True,
        "record_type": "",
        "rsi": record.rsi,
        "record_date": record.record_date,
        "status": record.status,
        "file_status": record.status,
        "essential": record.essential,
        "cycle_period": record.details.get("cycle_period"),
        "official": record.official,
        "storage": record.storage,
        "updateRSIWithRecordType": False,
        **details,
    }


def _rm_response(call: Call, node: Node) -> web.Response:
    repo = call.repo
    with repo.lock:
        record = node.classification
        locked = bool(repo.effective_holds(node)) or bool(record and record.official)
        rows = [record_row(repo, node)] if record else []
        return json_response(
            {
                "canBeUnclassified": record is not None and not locked,
                "canFinalize": record is not None,
                "canRemoveClass": record is not None and not locked,
                "canRMClassify": True,
                "classVolumeID": repo.file_plan_id,
                "data": rows,
                "definitions": {},
                "fields_order": list(rows[0]) if rows else [],
                "fields_to_show": list(rows[0]) if rows else [],
                "inherit_from": 0,
                "multiClass": False,
                "rm_metadataToken": node.rm_token,
                "showTab": True,
                "vitalRecordCodes": ["VR"],
            }
        )


def _check_rm_token(params: Params, node: Node, required: bool) -> None:
    token = params.get("rm_metadataToken")
    if not token:
        if required:
            raise ApiError(400, "Missing required parameter 'rm_metadataToken'")
        return
    if token != node.rm_token:
        raise edit_conflict()


def get_classification(call: Call) -> web.Response:
    return _rm_response(call, call.node())


def _fields(params: Params) -> dict[str, Any]:
    return {k: params.get(k) for k in RECORD_FIELDS}


def post_classification(call: Call) -> web.Response:
    """Declare. A token is needed only to change an existing classification (S4)."""
    node = call.node()
    class_id = call.params.int("class_id", required=True)
    assert class_id is not None
    with call.repo.lock:
        _check_rm_token(call.params, node, required=node.classification is not None)
        classify(call.repo, node, class_id, _fields(call.params))
        if call.params.bool("apply_to_sub_items"):
            for item in call.repo.descendants(node):
                if item.classification is None:
                    classify(call.repo, item, class_id, {})
    return _rm_response(call, node)


def put_classification(call: Call) -> web.Response:
    node = call.node()
    with call.repo.lock:
        _check_rm_token(call.params, node, required=True)
        if node.classification is None:
            raise ApiError(400, f"'{node.name}' has no RM classification")
        _update_details(call.repo, node.classification, _fields(call.params))
        node.rm_token = new_token()
    return _rm_response(call, node)


def delete_classification(call: Call) -> web.Response:
    node = call.node()
    class_id = call.match_int("class_id")
    with call.repo.lock:
        _check_rm_token(call.params, node, required=True)
        record = node.classification
        if record is None or record.class_id != class_id:
            raise ApiError(400, "Could not delete records in table RM_PartRecords")
        call.repo.ensure_mutable(node, "unclassified")
        node.classification = None
        node.rm_token = new_token()
    return _rm_response(call, node)


def assign_rsi(call: Call) -> web.Response:
    node = call.node()
    with call.repo.lock:
        record = node.classification
        if record is None or record.class_id != call.match_int("class_id"):
            raise ApiError(400, f"'{node.name}' is not classified under {call.match('class_id')}")
        record.rsi = _checked_rsi(call.repo, call.params.require("rsi"))
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
    status = _checked_code(call.repo, params.require("status"), "rmstatuscode", "status", "status")
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


def list_xref_types(call: Call) -> web.Response:
    with call.repo.lock:
        return json_response({"data": list(call.repo.xref_types.values())})


def create_xref_type(call: Call) -> web.Response:
    params = call.params
    xref_type = params.text("xref_type").strip().upper()
    if not xref_type:
        raise ApiError(400, "Missing required parameter 'xref_type'")
    with call.repo.lock:
        if xref_type in call.repo.xref_types:
            raise ApiError(400, f"Cross-reference type '{xref_type}' already exists")
        call.repo.xref_types[xref_type] = xref_type_row(
            xref_type,
            params.text("desc"),
            params.text("related_code") or xref_type,
            params.text("related_desc"),
        )
        return json_response({"data": call.repo.xref_types[xref_type]})


def xref_type_row(
    xref_type: str, desc: str, related_code: str, related_desc: str
) -> dict[str, Any]:
    return {
        "xref_type": xref_type,
        "desc": desc,
        "related_code": related_code,
        "related_desc": related_desc,
        "hold_id": 0,
        "disabled": False,
    }


def _xref_type(call: Call) -> dict[str, Any]:
    row = call.repo.xref_types.get(call.match("xref_type").upper())
    if row is None:
        raise ApiError(400, f"Cross-reference type '{call.match('xref_type')}' does not exist")
    return row


def get_xref_type(call: Call) -> web.Response:
    return json_response({"data": _xref_type(call)})


def delete_xref_type(call: Call) -> web.Response:
    with call.repo.lock:
        row = _xref_type(call)
        if any(
            x["xref_type"] == row["xref_type"] for n in call.repo.nodes.values() for x in n.xrefs
        ):
            raise ApiError(400, f"Cross-reference type '{row['xref_type']}' is in use")
        del call.repo.xref_types[row["xref_type"]]
    return json_response({})


def node_xref_rows(repo: Repository, node: Node) -> list[dict[str, Any]]:
    rows = []
    for xref in node.xrefs:
        target = repo.nodes.get(xref["xref_id"])
        type_row = repo.xref_types.get(xref["xref_type"], {})
        rows.append(
            {
                **xref,
                "related_code": type_row.get("related_code", ""),
                "id": xref["xref_id"],
                "name": target.name if target else "",
                "type": target.type if target else None,
            }
        )
    return rows


def list_node_xrefs(call: Call) -> web.Response:
    node = call.node()
    with call.repo.lock:
        return json_response({"data": node_xref_rows(call.repo, node)})


def add_node_xref(call: Call) -> web.Response:
    node = call.node()
    xref_type = call.params.text("xref_type").upper()
    target_id = call.params.int("xref_id", required=True)
    with call.repo.lock:
        if xref_type not in call.repo.xref_types:
            raise ApiError(400, f"Cross-reference type '{xref_type}' does not exist")
        assert target_id is not None
        call.repo.get(target_id, status=400)
        link = {
            "xref_type": xref_type,
            "xref_id": target_id,
            "comment": call.params.text("comment"),
        }
        if any(x["xref_type"] == xref_type and x["xref_id"] == target_id for x in node.xrefs):
            raise ApiError(400, "This cross-reference already exists")
        node.xrefs.append(link)
        return json_response({"data": node_xref_rows(call.repo, node)})


def delete_node_xref(call: Call) -> web.Response:
    node = call.node()
    xref_type, target_id = call.match("xref_type").upper(), call.match_int("xref_id")
    with call.repo.lock:
        kept = [x for x in node.xrefs if (x["xref_type"], x["xref_id"]) != (xref_type, target_id)]
        if len(kept) == len(node.xrefs):
            raise ApiError(400, "Object does not have this cross-reference")
        node.xrefs = kept
    return json_response({})


RM = "/nodes/{id:\\d+}/rmclassifications"
ROUTES = [
    Route("GET", RM, get_classification, versions=(1,)),
    Route("POST", RM, post_classification),
    Route("PUT", RM, put_classification, versions=(1,)),
    Route("DELETE", RM + "/{class_id:\\d+}", delete_classification, versions=(1,)),
    Route("POST", RM + "/{class_id:\\d+}/rsis", assign_rsi, versions=(1,)),
    Route("GET", "/nodes/{id:\\d+}/rsis", node_rsis, versions=(1,)),
    Route("GET", "/rsis", list_rsi_names, versions=(1,)),
    Route("POST", "/rsis", list_rsi_names, versions=(1,)),
    Route("GET", "/rsis", list_rsis, versions=(2,)),
    Route("GET", "/rsis/{rsi_id:\\d+}", get_rsi, versions=(2,)),
    Route("POST", "/rsischedules", create_rsi, versions=(2,)),
    Route("POST", "/rsischedules/{rsi_id:\\d+}/stages", add_stage, versions=(2,)),
    Route("DELETE", "/rsischedules/{rsi_id:\\d+}", delete_rsi, versions=(2,)),
    Route("GET", "/recordsmanagement/rmcodes", get_rm_codes),
    Route("GET", "/xrefs", list_xref_types, versions=(1,)),
    Route("POST", "/xrefs", create_xref_type, versions=(1,)),
    Route("GET", "/xrefs/{xref_type}", get_xref_type, versions=(1,)),
    Route("DELETE", "/xrefs/{xref_type}", delete_xref_type, versions=(1,)),
    Route("GET", "/nodes/{id:\\d+}/xrefs", list_node_xrefs, versions=(1,)),
    Route("POST", "/nodes/{id:\\d+}/xrefs", add_node_xref, versions=(1,)),
    Route(
        "DELETE",
        "/nodes/{id:\\d+}/xrefs/{xref_type}/refnodes/{xref_id:\\d+}",
        delete_node_xref,
        versions=(1,),
    ),
]
