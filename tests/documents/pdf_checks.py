"""Structural PDF/A-3b checks with pikepdf: a smoke test, not a validator (veraPDF is)."""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import UTC, datetime

import pikepdf

from pipeline.flows.commerce.render import RenderedDocument

PDFAID = "{http://www.aiim.org/pdfa/ns/id/}"
XMP = "{http://ns.adobe.com/xap/1.0/}"


def open_pdf(document: RenderedDocument) -> pikepdf.Pdf:
    return pikepdf.open(io.BytesIO(document.bytes))


def fonts(pdf: pikepdf.Pdf) -> Iterator[pikepdf.Object]:
    """Every font dictionary used on any page, descendant fonts included."""
    for page in pdf.pages:
        for font in page.Resources.get("/Font", {}).values():
            yield font
            yield from font.get("/DescendantFonts", [])


def font_names(pdf: pikepdf.Pdf) -> set[str]:
    return {str(font.BaseFont).split("+")[-1] for font in fonts(pdf) if "/BaseFont" in font}


def to_unicode_maps(pdf: pikepdf.Pdf) -> bytes:
    return b"".join(font.ToUnicode.read_bytes() for font in fonts(pdf) if "/ToUnicode" in font)


def assert_archival(document: RenderedDocument, source_json: bytes, dated: datetime) -> None:
    """PDF/A-3b identification, sRGB output intent, embedded fonts, the source as /AF."""
    with open_pdf(document) as pdf:
        metadata = pdf.open_metadata()
        assert metadata[f"{PDFAID}part"] == "3"
        assert metadata[f"{PDFAID}conformance"] == "B"
        stamp = dated.astimezone(UTC).isoformat(timespec="seconds")
        for field in ("CreateDate", "ModifyDate", "MetadataDate"):
            assert metadata[f"{XMP}{field}"] == stamp
        assert metadata[f"{XMP}CreatorTool"] == f"bcrm {document.template_version}"

        intent = pdf.Root.OutputIntents[0]
        assert intent.S == "/GTS_PDFA1"
        assert len(intent.DestOutputProfile.read_bytes()) > 0

        described = [font for font in fonts(pdf) if "/FontDescriptor" in font]
        assert described
        for font in described:
            descriptor = font.FontDescriptor
            assert any(key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3"))
        assert all(font.Subtype != "/Type1" for font in fonts(pdf))

        associated = list(pdf.Root.AF)
        assert len(associated) == 1
        assert associated[0].AFRelationship == "/Source"
        assert associated[0].EF.F.read_bytes() == source_json
        assert [spec.get_file().read_bytes() for spec in pdf.attachments.values()] == [source_json]
        assert len(pdf.pages) == document.page_count
        assert pdf.trailer.ID[0] == pdf.trailer.ID[1]
