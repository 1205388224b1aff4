"""The stage messages: what travels between stages, as typed dictionaries.

References, never payloads: a message names the staged source (a digest) and the document
it owes; each stage adds one reference or fact and hands the message on. JSON-serialisable
as Celery sends them; `pipeline.core.messages` converts to and from the contract's types.
"""

from __future__ import annotations

from typing import Any, NotRequired, TypedDict


class SubjectFields(TypedDict):
    kind: str
    id: str


class DocumentFields(TypedDict):
    flow: str
    kind: str
    store_hash: str
    subject: SubjectFields
    part: str | None
    fingerprint: str


class DocumentMessage(TypedDict):
    """What render receives: the document and the staged source it is made from."""

    record_key: str
    flow: str
    source: str
    document: DocumentFields


class RenderedMessage(DocumentMessage):
    """What classify receives: plus the staged PDF and its SHA-256."""

    rendered: str
    sha256: str
    filename: str
    template_version: str
    media_type: NotRequired[str]  # absent: a PDF


class ClassifiedMessage(RenderedMessage):
    """What declare receives: plus the records class from the file plan."""

    record_class: dict[str, Any]


class DeclaredResult(TypedDict):
    """What declare leaves in the ledger; `kind` and `flow` label the fleet's counters."""

    record_key: str
    flow: str
    kind: str
    target_id: int
    sha256: str
    adopted: bool


class FetchMessage(TypedDict):
    """A producer's reference to one subject of a source (`bcrm.fetch.<source>`)."""

    record_key: str
    store_hash: str
    reason: str
    order_id: NotRequired[int]
    listing: NotRequired[str]
