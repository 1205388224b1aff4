"""Records Management: declare a node as a record, read and change its record details.

Declaring = applying an RM classification, marked official, with RSI and record date
(reference §7). A node this client has just created carries no classification yet, so
it is declared with one POST holding the class and every record field (S2 lists them on
the POST) and no token, which is needed only to change an existing classification (S4
pyxecm). Every other RM write carries the `rm_metadataToken` of a fresh read, so a
change made by someone else in between is refused (409) rather than overwritten; the
write is then retried on a fresh read, a bounded number of times.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from pipeline.integrations.otcs import envelopes
from pipeline.integrations.otcs.errors import (
    EditConflict,
    NotConfigured,
    OTCSRefused,
    OTCSUnavailable,
)
from pipeline.integrations.otcs.nodes import NodeOperations

_TOKEN_ATTEMPTS = 3


def _day(value: Any) -> date | None:
    """Record dates are days; the server may answer `2026-01-31T00:00:00`."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str) and len(value) >= 10:
        return date.fromisoformat(value[:10])
    return None


@dataclass(frozen=True)
class RecordDetails:
    """A node's RM state as `GET /v1/nodes/{id}/rmclassifications` reports it."""

    classification_id: int | None
    rsi: str | None
    record_date: date | None
    official: bool
    metadata_token: str
    vital_record_codes: tuple[str, ...]
    row: Mapping[str, Any]

    def differences(self, wanted: Mapping[str, Any]) -> dict[str, Any]:
        """The requested fields whose value differs from what the server holds."""
        return {key: value for key, value in wanted.items() if not self._holds(key, value)}

    def _holds(self, key: str, value: Any) -> bool:
        if key == "record_date":
            return self.record_date == _day(value)
        if key == "official":
            return self.official == bool(value)
        current = self.row.get("file_status" if key == "status" else key)
        return current is not None and str(current) == str(value)


def _wanted(
    official: bool,
    record_date: date | None,
    rsi: str | None,
    essential: str | None,
    status: str | None,
    extra: Mapping[str, Any] | None,
) -> dict[str, Any]:
    """The record-detail fields asked for; a datetime record date is sent as its day."""
    wanted: dict[str, Any] = {
        "official": official,
        "record_date": _day(record_date),
        "rsi": rsi,
        "essential": essential,
        "status": status,
        **(extra or {}),
    }
    return {key: value for key, value in wanted.items() if value is not None}


def _details(payload: Mapping[str, Any]) -> RecordDetails:
    rows = envelopes.data_rows(payload)
    row = next((r for r in rows if r.get("is_primary")), rows[0] if rows else {})
    token = payload.get("rm_metadataToken")
    if not isinstance(token, str):
        raise OTCSUnavailable("record details carried no rm_metadataToken")
    class_id = row.get("rmclassification_id")
    return RecordDetails(
        classification_id=int(class_id) if class_id else None,
        rsi=row.get("rsi") or None,
        record_date=_day(row.get("record_date")),
        official=bool(row.get("official")),
        metadata_token=token,
        vital_record_codes=tuple(payload.get("vitalRecordCodes") or ()),
        row=row,
    )


def _shown_details(answer: Mapping[str, Any]) -> RecordDetails | None:
    """The record details an answer carries, if it carries them (the emulator's do)."""
    rows = answer.get("data")
    if (
        not isinstance(rows, list)
        or not rows
        or not isinstance(answer.get("rm_metadataToken"), str)
    ):
        return None
    return _details(answer)


class RecordOperations(NodeOperations):
    def record_details(self, node_id: int) -> RecordDetails:
        return _details(self.request("GET", f"v1/nodes/{node_id}/rmclassifications"))

    def classify_record(
        self,
        node_id: int,
        classification_id: int,
        *,
        official: bool = True,
        record_date: date | None = None,
        rsi: str | None = None,
        essential: str | None = None,
        status: str | None = None,
        extra: Mapping[str, Any] | None = None,
    ) -> RecordDetails:
        """Declare: classify, mark official, set RSI and record date — idempotently.

        Only what differs from the server's current state is sent, so a retried
        declare of an already-official record changes nothing. `extra` carries other
        record-detail fields of §7.1 (subject, originator, addressee, ...). A datetime
        record date is sent as its day.
        """
        wanted = _wanted(official, record_date, rsi, essential, status, extra)
        attempt = 1
        while True:
            current = self.record_details(node_id)
            try:
                if current.classification_id != classification_id:
                    self._declare(node_id, classification_id, current.metadata_token, wanted)
                    current = self.record_details(node_id)
                # pyxecm sends only the class on POST (S4): whatever a server ignored
                # there is set by the PUT that record-detail changes go through anyway.
                if changes := current.differences(wanted):
                    self.update_record(node_id, current.metadata_token, changes)
                    current = self.record_details(node_id)
                return current
            except EditConflict:
                if attempt == _TOKEN_ATTEMPTS:
                    raise
                attempt += 1

    def declare_created(
        self,
        node_id: int,
        classification_id: int,
        *,
        official: bool = True,
        record_date: date | None = None,
        rsi: str | None = None,
    ) -> None:
        """Declare a node this client has just created: one POST, no read before or after.

        If the server refuses it (someone classified the node in between, so a token is
        needed) or answers with record details (S2 documents no answer body) showing it
        ignored a field, `classify_record` settles it, reading first.
        """
        wanted = _wanted(official, record_date, rsi, None, None, None)
        try:
            shown = _shown_details(self._declare(node_id, classification_id, None, wanted))
        except OTCSRefused:
            settled = False
        else:
            settled = shown is None or (
                shown.classification_id == classification_id and not shown.differences(wanted)
            )
        if not settled:
            self.classify_record(
                node_id, classification_id, official=official, record_date=record_date, rsi=rsi
            )

    def _declare(
        self, node_id: int, classification_id: int, token: str | None, wanted: Mapping[str, Any]
    ) -> dict[str, Any]:
        # A `false` for an optional RM parameter was seen rejected (S8): leave it out.
        fields = {key: value for key, value in wanted.items() if value is not False}
        body = {"class_id": classification_id, "rm_metadataToken": token, **fields}
        return self.request("POST", f"v1/nodes/{node_id}/rmclassifications", body=body)

    def update_record(self, node_id: int, metadata_token: str, changes: Mapping[str, Any]) -> None:
        """Change record details; EditConflict if `metadata_token` is no longer current."""
        body = {"rm_metadataToken": metadata_token, **changes}
        self.request("PUT", f"v1/nodes/{node_id}/rmclassifications", body=body)

    def assign_rsi(self, node_id: int, classification_id: int, rsi: str) -> None:
        """Flat form field `rsi`, as the spec and otcs-mcp send it (S2, S8)."""
        self.request(
            "POST",
            f"v1/nodes/{node_id}/rmclassifications/{classification_id}/rsis",
            fields={"rsi": rsi},
        )

    # -- file plan lookups ---------------------------------------------------------

    def file_plan_id(self) -> int:
        """The Classification volume, as RM reports it (`classVolumeID`, S2)."""

        def load() -> int:
            payload = self.request(
                "GET", f"v1/nodes/{self.enterprise_workspace_id}/rmclassifications"
            )
            if not payload.get("classVolumeID"):
                raise NotConfigured("Records Management reports no Classification volume")
            return int(payload["classVolumeID"])

        return self._lookup("file-plan", load)

    def rm_classification_id(self, path: str) -> int:
        """`Commerce Records/Finance/Invoices` below the file plan → its node id."""

        def load() -> int:
            node = self.resolve_path(self.file_plan_id(), path)
            if node is None:
                raise NotConfigured(f"no RM classification {path!r} in the file plan")
            return node.id

        return self._lookup(("rm-classification", path), load)

    def rsi_id(self, code: str) -> int:
        """The RSIID of an RSI code; NotConfigured if the server has no such schedule."""
        ids = self._lookup("rsis", self._load_rsis)
        if code not in ids:
            raise NotConfigured(f"no RSI {code!r} on this server")
        return ids[code]

    def rsi_codes(self) -> frozenset[str]:
        """Every RSI code the server has."""
        return frozenset(self._lookup("rsis", self._load_rsis))

    def _load_rsis(self) -> dict[str, int]:
        ids: dict[str, int] = {}
        for page in self.pages("v2/rsis"):
            for row in envelopes.results_data(page).get("rsis") or []:
                ids.setdefault(str(row["RSI"]), int(row["RSIID"]))
        return ids
