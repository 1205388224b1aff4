"""A recall file: what one fetch of a recall staged, and every recall document renders from.

It carries the recall's facts as the archive index holds them (synced from the ECM), the
items its identifiers resolved to, the affected orders' lines (identifiers only: order
ids, dates, SKUs, quantities, ship-to countries, customer ids; never a name or an e-mail),
the refunds filed for those orders since the decision (flow 1's credit notes), the
records of those orders the recall's hold covers, the week it was fetched in (a status
report is owed per week while the recall is open) and, when the fetch came from
`bcrm recalls attach`/`open --notice`, the file to keep.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from typing import Any

from pipeline.index.recalls import AffectedLine, Identifiers, Recall, RecalledItem


@dataclass(frozen=True)
class AttachedFile:
    """A file a person handed in (a notice, a supplier certificate, a safety bulletin):
    its kind, name, type, size and SHA-256; its bytes are staged under `digest`."""

    kind: str
    name: str
    content_type: str
    size: int
    sha256: str
    digest: str


@dataclass(frozen=True)
class Refund:
    """A credit note flow 1 filed for an affected order since the recall was decided."""

    order_id: int
    ecm_name: str
    node_id: int
    record_date: date


@dataclass(frozen=True)
class RecallFile:
    recall: Recall
    items: tuple[RecalledItem, ...]
    lines: tuple[AffectedLine, ...]
    refunds: tuple[Refund, ...]
    records_held: int
    week: str
    fetched_at: datetime
    attachment: AttachedFile | None = None
    filed: tuple[str, ...] = field(default=())

    @property
    def store_hash(self) -> str:
        return self.recall.store_hash

    @property
    def recall_id(self) -> str:
        return self.recall.recall_id

    @property
    def orders(self) -> list[int]:
        return sorted({line.order_id for line in self.lines})

    def to_json(self) -> dict[str, Any]:
        recall = asdict(self.recall)
        recall["identifiers"] = self.recall.identifiers.as_json()
        return {
            "recall": {k: _out(v) for k, v in recall.items()},
            "items": [asdict(item) for item in self.items],
            "lines": [{k: _out(v) for k, v in asdict(line).items()} for line in self.lines],
            "refunds": [{k: _out(v) for k, v in asdict(r).items()} for r in self.refunds],
            "records_held": self.records_held,
            "week": self.week,
            "fetched_at": self.fetched_at.isoformat(),
            "attachment": None if self.attachment is None else asdict(self.attachment),
            "filed": list(self.filed),
        }

    def to_json_bytes(self) -> bytes:
        return json.dumps(self.to_json(), sort_keys=True, separators=(",", ":")).encode()

    @classmethod
    def from_json_bytes(cls, raw: bytes) -> RecallFile:
        data = json.loads(raw)
        recall = dict(data["recall"])
        recall["identifiers"] = Identifiers.from_json(recall["identifiers"])
        for name in ("sold_from", "sold_to", "decided_at", "closed_at", "holds_released_at"):
            recall[name] = _moment(recall[name])
        recall["opened_at"] = _moment(recall.get("opened_at"))
        attachment = data.get("attachment")
        return cls(
            recall=Recall(**recall),
            items=tuple(RecalledItem(**item) for item in data["items"]),
            lines=tuple(
                AffectedLine(**{**line, "order_date": _moment(line["order_date"])})
                for line in data["lines"]
            ),
            refunds=tuple(
                Refund(**{**r, "record_date": date.fromisoformat(r["record_date"])})
                for r in data["refunds"]
            ),
            records_held=int(data["records_held"]),
            week=str(data["week"]),
            fetched_at=datetime.fromisoformat(data["fetched_at"]),
            attachment=None if attachment is None else AttachedFile(**attachment),
            filed=tuple(data.get("filed", ())),
        )


def _out(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date | datetime) else value


def _moment(value: Any) -> datetime | None:
    return None if value is None else datetime.fromisoformat(str(value))
