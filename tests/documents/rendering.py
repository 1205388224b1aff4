"""Render one document the way the render stage does: through its flow."""

from __future__ import annotations

from typing import Any

from pipeline.core import registry
from pipeline.core.contract import DocumentSpec
from pipeline.records.pdf.sheet import RenderedDocument


def render_document(source: Any, spec: DocumentSpec) -> RenderedDocument:
    return registry.flow(spec.flow).render(source, spec)
