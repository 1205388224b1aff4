"""What each stage does with a message, for every flow: load what the message refers to,
ask the message's flow, stage the result, hand on the message with one more reference.

Fetch reads a source and asks every flow that consumes it which documents are owed;
render, classify and declare run the same three steps for every document of every flow.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from typing import Any, cast

from pipeline.core import names, registry
from pipeline.core.canvas import document_unit, send_owed
from pipeline.core.contract import DocumentSpec, Flow
from pipeline.core.errors import RenderRefused
from pipeline.core.messages import document_message, spec_of, upgraded
from pipeline.runtime import services
from schemas.messages import ClassifiedMessage, DeclaredResult, RenderedMessage


@lru_cache(maxsize=8)
def _source(source_name: str, digest: str) -> Any:
    """The documents of one source are made from one staged copy: parse it once."""
    return registry.source(source_name).load(services.staging().get(digest))


def _resolved(message: Mapping[str, Any]) -> tuple[Flow, Any, DocumentSpec]:
    spec = spec_of(message)
    flow = registry.flow(spec.flow)
    return flow, _source(flow.kinds[spec.kind].source, message["source"]), spec


def fetch(source_name: str, ref: Mapping[str, Any]) -> dict[str, Any]:
    """Read the source, stage it, and start one chain per owed document."""
    source = registry.fetched_sources()[source_name]
    loaded, raw = source.fetch(ref)
    digest = services.staging().put(raw)
    source.after_fetch(loaded)
    flows = registry.consumers(source_name)
    for flow in flows:
        flow.source_fetched(loaded)
    specs = [spec for flow in flows for spec in flow.documents_owed(loaded)]
    messages = [document_message(spec, digest) for spec in specs]
    send_owed([document_unit(message) for message in messages])
    return {**ref, "source": digest, "documents": [m["record_key"] for m in messages]}


def render(message: Mapping[str, Any]) -> RenderedMessage:
    """Render the archival document and stage its bytes; the next stages find them, and
    their hash, in the message."""
    message = upgraded(message)
    flow, source, spec = _resolved(message)
    try:
        rendered = flow.render(source, spec)
    except (ValueError, LookupError) as exc:
        raise RenderRefused(f"{names.ecm_name(spec)}: {type(exc).__name__}: {exc}") from exc
    return {
        **message,
        "rendered": services.staging().put(rendered.bytes),
        "sha256": rendered.sha256,
        "filename": rendered.filename,
        "template_version": rendered.template_version,
        "media_type": rendered.media_type,
    }


def classify(message: Mapping[str, Any]) -> ClassifiedMessage:
    """Attach the records class from the file plan."""
    rendered = cast(RenderedMessage, upgraded(message))
    flow, source, spec = _resolved(rendered)
    return {**rendered, "record_class": flow.classify(source, spec)}


def declare(message: Mapping[str, Any]) -> DeclaredResult:
    """File the record; the result is what the ledger keeps of it."""
    classified = cast(ClassifiedMessage, upgraded(message))
    flow, source, spec = _resolved(classified)
    record = flow.declare(source, spec, classified)
    return {
        "record_key": classified["record_key"],
        "flow": spec.flow,
        "kind": spec.kind,
        "target_id": record.node_id,
        "sha256": record.sha256,
        "adopted": record.adopted,
    }
