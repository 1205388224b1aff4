"""Structural PDF/A-3b checks with pikepdf: a smoke test, not a validator (veraPDF is)."""

from __future__ import annotations

import io
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime

import pikepdf
import pypdf

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


def text_of(document: RenderedDocument) -> str:
    """The text a reader sees, page after page, as a PDF text extractor reads it back."""
    reader = pypdf.PdfReader(io.BytesIO(document.bytes))
    return "\n".join(page.extract_text() for page in reader.pages)


def attached_files(document: RenderedDocument) -> dict[str, tuple[bytes, str, str]]:
    """Every associated file by name: its bytes, MIME subtype and AFRelationship."""
    with open_pdf(document) as pdf:
        return {
            str(spec.F): (
                spec.EF.F.read_bytes(),
                str(spec.EF.F.get("/Subtype", "")),
                str(spec.AFRelationship),
            )
            for spec in pdf.Root.AF
        }


def assert_archival(
    document: RenderedDocument,
    source_json: bytes,
    dated: datetime,
    extra: Sequence[bytes] = (),
) -> None:
    """PDF/A-3b identification, sRGB output intent, embedded fonts, the source (and any
    extra source files) as /AF."""
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
        assert [spec.AFRelationship for spec in associated] == ["/Source"] * (1 + len(extra))
        assert [spec.EF.F.read_bytes() for spec in associated] == [source_json, *extra]
        attached = [spec.get_file().read_bytes() for spec in pdf.attachments.values()]
        assert sorted(attached) == sorted([source_json, *extra])
        assert len(pdf.pages) == document.page_count
        assert pdf.trailer.ID[0] == pdf.trailer.ID[1]
