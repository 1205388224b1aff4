"""Records Management: per-node classification, i.e. declaring records.

Reference §7. Declaring a record = applying an RM classification, optionally
marking it official; every change rotates the node's `rm_metadataToken`.
"""

from __future__ import annotations

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
from sandbox.otcs.rmcodes import checked_code, code_values
from sandbox.otcs.rsis import checked_rsi
from sandbox.otcs.transport import (
    ApiError,
    Params,
    edit_conflict,
    json_response,
    to_bool,
    to_iso_date,
)

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


def _update_details(repo: Repository, record: Classification, fields: dict[str, Any]) -> None:
    """Validate and apply record-detail fields; codes must exist in the RM code tables."""
    for key, value in fields.items():
        if value is None:
            continue
        if key == "official":
            record.official = to_bool(value)
        elif key == "rsi":
            record.rsi = checked_rsi(repo, value)
        elif key in {"status", "file_status"}:
            record.status = checked_code(repo, value, "rmstatuscode", "status", "status code")
            record.status_date = now_iso()
        elif key == "essential":
            record.essential = checked_code(repo, value, "rmesscode", "essential", "essential code")
        elif key == "vital_record":
            record.essential = "VR" if to_bool(value) else "NR"
        elif key == "storage":
            record.storage = checked_code(repo, value, "rmstorage", "storage", "storage code")
        elif key == "record_date":
            record.record_date = to_iso_date(value) or record.record_date
        elif key == "cycle_period":
            if str(value) not in code_values(repo, "rmcycleperiod", "cycleperiod"):
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


RM = "/nodes/{id:\\d+}/rmclassifications"
ROUTES = [
    Route("GET", RM, get_classification, versions=(1,)),
    Route("POST", RM, post_classification),
    Route("PUT", RM, put_classification, versions=(1,)),
    Route("DELETE", RM + "/{class_id:\\d+}", delete_classification, versions=(1,)),
]
