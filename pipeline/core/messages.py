"""Stage messages to and from the contract's types (`schemas.messages` says their shape).

Messages written by an earlier version (an order document named by `order_id` and
`sub_id`, its snapshot under `snapshot`; a tax summary under `summary`) may still be in a
queue or a dead letter when the fleet is upgraded; they are read as the same document.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, cast

from pipeline.core import names, registry
from pipeline.core.contract import DocumentSpec, Subject
from schemas.messages import DocumentFields, DocumentMessage

# The earlier message form's document kinds that were not about an order.
_EARLIER_PERIOD_KINDS = {"tax_summary_monthly": "store_month"}


def document_fields(spec: DocumentSpec) -> DocumentFields:
    return {
        "flow": spec.flow,
        "kind": spec.kind,
        "store_hash": spec.store_hash,
        "subject": {"kind": spec.subject.kind, "id": spec.subject.id},
        "part": spec.part,
        "fingerprint": spec.fingerprint,
    }


def document_message(spec: DocumentSpec, source_digest: str) -> DocumentMessage:
    """The render message for one owed document."""
    return {
        "record_key": names.record_key(spec),
        "flow": spec.flow,
        "source": source_digest,
        "document": document_fields(spec),
    }


def _earlier_spec(data: Mapping[str, Any]) -> DocumentSpec:
    kind, part = str(data["kind"]), data.get("sub_id")
    if kind in _EARLIER_PERIOD_KINDS:  # "2024-03-EUR-DE": the month, then the part
        subject = Subject(_EARLIER_PERIOD_KINDS[kind], str(part)[:7])
        part = str(part)[8:]
    else:
        subject = Subject("order", str(data["order_id"]))
    flow = registry.flow_of_kind(kind).name
    return DocumentSpec(flow, kind, data["store_hash"], subject, part, data["fingerprint"])


def spec_of(message: Mapping[str, Any]) -> DocumentSpec:
    data = message["document"]
    if "subject" not in data:
        return _earlier_spec(data)
    subject = Subject(data["subject"]["kind"], data["subject"]["id"])
    return DocumentSpec(
        data["flow"], data["kind"], data["store_hash"], subject, data["part"], data["fingerprint"]
    )


def upgraded(message: Mapping[str, Any]) -> DocumentMessage:
    """A document message in today's form, whichever version wrote it."""
    if "source" in message and "subject" in message["document"]:
        return cast(DocumentMessage, message)
    spec = spec_of(message)
    digest = message.get("snapshot") or message.get("summary")
    earlier = {k: v for k, v in message.items() if k not in ("snapshot", "summary", "document")}
    return cast(DocumentMessage, {**earlier, **document_message(spec, str(digest))})
