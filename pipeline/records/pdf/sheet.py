"""The archival page every layout draws on: PDF/A-3b, deterministic, with its source attached.

Determinism recipe (reference B6): creation date from the source, our own XMP with
CreateDate = ModifyDate = MetadataDate (fpdf2's generated XMP stamps ModifyDate with the
wall clock), explicit dates on the attached JSON, and fpdf2's /ID, which it derives from
the content and the creation date. Same input, same bytes.

``DocumentMeta.date`` is when the document was made, derived from the facts it shows, not
read from a clock: the latest source change (an order document: the order's
`date_modified`; a shipment, refund or payment document: that event's time; a monthly
summary: the month's last second). A re-render of the same source is the same document.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from html import escape
from importlib.metadata import version
from pathlib import Path

from fpdf import FPDF
from fpdf.enums import (
    AssociatedFileRelationship,
    DocumentCompliance,
    OutputIntentSubType,
    TextMode,
)
from fpdf.fonts import TTFFont
from fpdf.output import PDFICCProfile
from fpdf.prefs import ViewerPreferences

from pipeline.records.pdf import rtl
from pipeline.records.pdf.fonts import FAMILY, FONT_BOOK, FontBook

ICC_PROFILE = Path(__file__).parent / "sRGB2014.icc"
PRODUCER = f"fpdf2 {version('fpdf2')}"

MARGIN = 15.0
PAGE_WIDTH = 210.0
CONTENT_WIDTH = PAGE_WIDTH - 2 * MARGIN
CONTENT_BOTTOM = 297.0 - 18.0
BODY_SIZE = 9.0
SMALL_SIZE = 7.5
LINE = 4.4
GRID_GREY = 170
RULE_WIDTH = 0.2
BOLD_STROKE_PER_POINT = 0.016  # mm of stroke per point of type size
HEADER_FILL = 236


@dataclass(frozen=True)
class RenderedDocument:
    """A rendered record: its bytes, their fixity hash, and what produced them."""

    bytes: bytes
    sha256: str
    template_version: str
    page_count: int
    filename: str
    media_type: str = "application/pdf"  # a case attachment kept as it came is not a PDF


@dataclass(frozen=True)
class DocumentMeta:
    """What a document says about itself, in its metadata and on every page."""

    title: str
    heading: str
    subject: str
    author: str
    date: datetime
    template_version: str
    filename: str


@dataclass(frozen=True)
class Attachment:
    """A file embedded as an associated file (AFRelationship Source) of the record."""

    content: bytes
    name: str
    mime_type: str
    description: str


@dataclass(frozen=True)
class Column:
    title: str
    width: float
    align: str = "L"


_BREAK_AFTER = re.compile(r"(?<=[-/_.:])(?=.)")


def _break_points(word: str) -> list[str]:
    """A word in the pieces a line may end after: each ends at a hyphen, slash,
    underscore, dot or colon, the last at the word's end."""
    return _BREAK_AFTER.split(word)


@cache
def _srgb_profile() -> bytes:
    return ICC_PROFILE.read_bytes()


def _xmp(meta: DocumentMeta, creator: str) -> str:
    """The document's only metadata (no Info dictionary under PDF/A), every date fixed."""
    stamp = meta.date.astimezone(UTC).isoformat(timespec="seconds")
    return "\n".join(
        [
            '<x:xmpmeta xmlns:x="adobe:ns:meta/">',
            ' <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">',
            '  <rdf:Description rdf:about=""',
            '    xmlns:dc="http://purl.org/dc/elements/1.1/"',
            '    xmlns:xmp="http://ns.adobe.com/xap/1.0/"',
            '    xmlns:pdf="http://ns.adobe.com/pdf/1.3/"',
            '    xmlns:pdfaid="http://www.aiim.org/pdfa/ns/id/"',
            f'    xmp:CreatorTool="{escape(creator)}"',
            f'    xmp:CreateDate="{stamp}"',
            f'    xmp:ModifyDate="{stamp}"',
            f'    xmp:MetadataDate="{stamp}"',
            f'    pdf:Producer="{escape(PRODUCER)}">',
            "   <pdfaid:part>3</pdfaid:part>",
            "   <pdfaid:conformance>B</pdfaid:conformance>",
            "   <dc:format>application/pdf</dc:format>",
            f'   <dc:title><rdf:Alt><rdf:li xml:lang="x-default">{escape(meta.title)}'
            "</rdf:li></rdf:Alt></dc:title>",
            f'   <dc:description><rdf:Alt><rdf:li xml:lang="x-default">{escape(meta.subject)}'
            "</rdf:li></rdf:Alt></dc:description>",
            f"   <dc:creator><rdf:Seq><rdf:li>{escape(meta.author)}</rdf:li></rdf:Seq>"
            "</dc:creator>",
            "  </rdf:Description>",
            " </rdf:RDF>",
            "</x:xmpmeta>",
        ]
    )


class Sheet(FPDF):
    """An A4 PDF/A-3b document with the drawing primitives our layouts share."""

    def __init__(self, meta: DocumentMeta, font_book: FontBook = FONT_BOOK) -> None:
        super().__init__(unit="mm", format="A4", enforce_compliance=DocumentCompliance.PDFA_3B)
        self.meta = meta
        self._font_book = font_book
        self._table_columns: Sequence[Column] = ()
        font_book.install(self)
        self.set_auto_page_break(False)
        self.set_margins(MARGIN, MARGIN, MARGIN)
        self.set_fill_color(HEADER_FILL)
        self._describe()
        self.add_page()

    def _describe(self) -> None:
        # Under PDF/A fpdf2 writes no Info dictionary: the XMP packet is the metadata.
        self.set_creation_date(self.meta.date)
        # What accessibility fpdf2 allows for text drawn with text()/cell(): the language,
        # the title shown in the viewer's title bar, and bookmarks per section. It builds a
        # structure tree only for images with alt text and styled section titles (each a
        # /Figure directly under /Document), so the text is not tagged and /MarkInfo
        # /Marked, which would claim it is, is not set.
        self.set_lang("en")
        self.viewer_preferences = ViewerPreferences(display_doc_title=True)
        self.set_xmp_metadata(_xmp(self.meta, f"bcrm {self.meta.template_version}"))
        self.add_output_intent(
            OutputIntentSubType.PDFA,
            output_condition_identifier="sRGB",
            output_condition="IEC 61966-2-1:1999",
            registry_name="http://www.color.org",
            dest_output_profile=PDFICCProfile(contents=_srgb_profile(), n=3, alternate="DeviceRGB"),
            info="sRGB2014 (v2)",
        )

    def normalize_text(self, text: str) -> str:
        """Every string drawn passes here: swap what no shipped font can draw for U+FFFD."""
        return self._font_book.printable(self, super().normalize_text(text))

    def style(self, bold: bool = False, size: float = BODY_SIZE) -> None:
        """Set the text style; bold is the regular face stroked in black.

        A stroked regular face looks bold and saves embedding a second font program,
        which is most of a render's cost.
        """
        self.set_font(FAMILY, "", size)
        if bold:
            self.set_draw_color(0)
            self.set_line_width(size * BOLD_STROKE_PER_POINT)
            self.text_mode = TextMode.FILL_STROKE
        else:
            self.text_mode = TextMode.FILL

    def rule(self, x1: float, y1: float, x2: float, y2: float) -> None:
        self.set_draw_color(GRID_GREY)
        self.set_line_width(RULE_WIDTH)
        self.line(x1, y1, x2, y2)

    def text_width(self, text: str) -> float:
        """Width in mm of already-normalised text, fallback glyphs included."""
        if not self._font_book.is_primary(text):
            return self.get_string_width(text, normalized=True)
        assert isinstance(self.current_font, TTFFont)
        return self.current_font.get_text_width(text, self.font_size_pt, None)[1] / self.k

    def put(self, x: float, y: float, width: float, text: str, align: str = "L") -> None:
        """One line of text in a LINE-high box at (x, y), placed exactly as ``cell`` would.

        ``text()`` is several times cheaper than ``cell()``; only text that needs the
        fallback font goes through ``cell()``, which switches fonts glyph by glyph.
        Right-to-left text is shaped and put in visual order here, once per drawn line.
        """
        text = self.normalize_text(text)
        if rtl.has_rtl(text):
            text = rtl.visual_line(text)
        if not self._font_book.is_primary(text):
            self.set_xy(x, y)
            self.cell(width, LINE, text, align=align)
            # The cell may leave the fallback font selected in the content stream
            # without fpdf2 noticing: make the next text() select its font again.
            self.current_font_is_set_on_page = False
            return
        offset = self.c_margin
        if align == "R":
            offset = width - self.c_margin - self.text_width(text)
        self.text(x + offset, y + 0.5 * LINE + 0.3 * self.font_size, text)

    def header(self) -> None:
        if self.page_no() > 1:
            self.style(bold=True)
            self.put(MARGIN, self.t_margin, CONTENT_WIDTH, f"{self.meta.title} (continued)")
            self.set_y(self.t_margin + 2 * LINE)
            if self._table_columns:
                self._table_header()

    def footer(self) -> None:
        """Nothing while pages are drawn: the footers go on every page at ``finish``,
        once the page count is known, so "Page 1 of 2" is right-aligned on its real width
        (fpdf2's page-count alias is measured as its placeholder text)."""

    def _page_footers(self) -> None:
        total, last = self.pages_count, self.page
        half = CONTENT_WIDTH / 2
        y = 297.0 - 12.0
        for number in range(1, total + 1):
            self.page = number
            self.current_font_is_set_on_page = False
            self._out("0 Tr")  # a page may end in the stroked (bold) text mode
            self.text_mode = TextMode.FILL
            self.style(size=SMALL_SIZE)
            self.put(MARGIN, y, half, self.meta.filename)
            self.put(MARGIN + half, y, half, f"Page {number} of {total}", align="R")
        self.page = last

    def ensure_space(self, height: float) -> None:
        if self.get_y() + height > CONTENT_BOTTOM:
            self.add_page()

    def title_block(self, seller: Sequence[str], facts: Sequence[tuple[str, str]]) -> None:
        """Seller on the left; heading and document facts (number, dates) on the right."""
        self.start_section(self.meta.title, level=0)
        top = self.get_y()
        half = CONTENT_WIDTH / 2
        self.style(bold=True, size=16)
        self.put(MARGIN + half, top + 1, half, self.meta.heading, align="R")
        self.set_y(top + 10)
        self.key_values(facts, x=MARGIN + half, label_width=35)
        facts_bottom = self.get_y()
        self.set_y(top)
        self.party("", seller, bold_first=True)
        self.set_y(max(facts_bottom, self.get_y()) + 4)

    def key_values(
        self, rows: Sequence[tuple[str, str]], x: float = MARGIN, label_width: float = 40
    ) -> None:
        value_width = PAGE_WIDTH - MARGIN - x - label_width
        self.style()
        for label, value in rows:
            self._pair(x, label_width, label, value_width, value, "R" if x > MARGIN else "L")

    def _pair(
        self, x: float, label_width: float, label: str, value_width: float, value: str, align: str
    ) -> None:
        """A label and its value side by side, both wrapped, kept together on one page."""
        labels, values = self.wrap(label, label_width), self.wrap(value, value_width)
        height = max(len(labels), len(values)) * LINE
        self.ensure_space(height)
        y = self.get_y()
        for offset, piece in enumerate(labels):
            self.put(x, y + offset * LINE, label_width, piece)
        for offset, piece in enumerate(values):
            self.put(x + label_width, y + offset * LINE, value_width, piece, align)
        self.set_y(y + height)

    def party(
        self, heading: str, lines: Sequence[str], x: float = MARGIN, bold_first: bool = False
    ) -> None:
        """An address block; empty lines are skipped, an empty block says so."""
        width = CONTENT_WIDTH / 2 - 4
        y = self.get_y()
        if heading:
            self.style(bold=True, size=SMALL_SIZE)
            self.put(x, y, width, heading.upper())
            y += LINE
        present = [line for line in lines if line.strip()] or ["(no address on record)"]
        for index, line in enumerate(present):
            self.style(bold=bold_first and index == 0)
            for piece in self.wrap(line, width):
                self.put(x, y, width, piece)
                y += LINE
        self.set_y(y)

    def parties(self, left: tuple[str, Sequence[str]], right: tuple[str, Sequence[str]]) -> None:
        top = self.get_y()
        self.party(*left)
        left_bottom = self.get_y()
        self.set_y(top)
        self.party(*right, x=MARGIN + CONTENT_WIDTH / 2)
        self.set_y(max(left_bottom, self.get_y()) + 4)

    def section(self, title: str) -> None:
        """A bold section title, also a bookmark under the document's own."""
        self.ensure_space(3 * LINE)
        self.start_section(title, level=1)
        self.style(bold=True)
        self.put(MARGIN, self.get_y() + 2, CONTENT_WIDTH, title)
        self.set_y(self.get_y() + 2 + LINE + 1)

    def note(self, text: str) -> None:
        self.style(size=SMALL_SIZE)
        for piece in self.wrap(text, CONTENT_WIDTH):
            self.ensure_space(LINE)
            self.put(MARGIN, self.get_y(), CONTENT_WIDTH, piece)
            self.set_y(self.get_y() + LINE)

    def warning(self, text: str) -> None:
        """A boxed, bold notice across the page: what a reader must not overlook."""
        self.style(bold=True)
        lines = self.wrap(text, CONTENT_WIDTH - 4)
        height = len(lines) * LINE + 2
        self.ensure_space(height + 2)
        top = self.get_y()
        self.set_draw_color(0)
        self.set_line_width(0.4)
        self.rect(MARGIN, top, CONTENT_WIDTH, height)
        self.style(bold=True)
        for offset, piece in enumerate(lines):
            self.put(MARGIN + 2, top + 1 + offset * LINE, CONTENT_WIDTH - 4, piece)
        self.set_y(top + height + 3)

    def wrap(self, text: str, width: float) -> list[str]:
        """Greedy word wrap with the current font. A word longer than the line breaks after
        a hyphen, slash, underscore, dot or colon (``BEAN-ETH-`` / ``1000``); only a piece
        with no such point in it is cut by character."""
        if "\n" in text:  # a newline always starts a line
            return [piece for part in text.split("\n") for piece in self.wrap(part, width)]
        text = self.normalize_text(text)
        limit = width - 2 * self.c_margin
        if self.text_width(text) <= limit:
            return [text]
        lines: list[str] = []
        current = ""
        for word in text.split():
            candidate = f"{current} {word}".strip()
            if self.text_width(candidate) <= limit:
                current = candidate
                continue
            if current:
                lines.append(current)
            current = ""
            for piece in _break_points(word):
                if self.text_width(current + piece) <= limit:
                    current += piece
                    continue
                if current:
                    lines.append(current)
                current = piece
                while self.text_width(current) > limit and len(current) > 1:
                    cut = len(current) - 1
                    while cut > 1 and self.text_width(current[:cut]) > limit:
                        cut -= 1
                    lines.append(current[:cut])
                    current = current[cut:]
        return [*lines, current] if current else lines or [""]

    def ruled_table(self, columns: Sequence[Column], rows: Sequence[Sequence[str]]) -> None:
        """A ruled table whose header repeats on every page it runs onto."""
        self._table_columns = columns
        self.ensure_space(3 * LINE)
        self._table_header()
        for row in rows:
            self.style()
            cells = [
                self.wrap(text, column.width) for text, column in zip(row, columns, strict=True)
            ]
            height = max(len(lines) for lines in cells) * LINE
            self.ensure_space(height)
            top = self.get_y()
            x = MARGIN
            for lines, column in zip(cells, columns, strict=True):
                for offset, piece in enumerate(lines):
                    self.put(x, top + offset * LINE, column.width, piece, column.align)
                x += column.width
            self.set_y(top + height)
            self.rule(MARGIN, top + height, MARGIN + CONTENT_WIDTH, top + height)
        self._table_columns = ()
        self.set_y(self.get_y() + 2)

    def _table_header(self) -> None:
        y = self.get_y()
        self.rect(MARGIN, y, CONTENT_WIDTH, LINE + 1, style="F")
        self.style(bold=True, size=SMALL_SIZE)
        x = MARGIN
        for column in self._table_columns:
            self.put(x, y + 0.5, column.width, column.title, column.align)
            x += column.width
        self.set_y(y + LINE + 1)

    def totals(self, rows: Sequence[tuple[str, str]], emphasise_last: bool = True) -> None:
        """Right-hand label/amount pairs; the last one (the total) ruled and bold."""
        self.ensure_space(len(rows) * LINE + 2)
        x = MARGIN + CONTENT_WIDTH - 95
        for index, (label, amount) in enumerate(rows):
            strong = emphasise_last and index == len(rows) - 1
            if strong:
                self.rule(x, self.get_y(), MARGIN + CONTENT_WIDTH, self.get_y())
                self.set_y(self.get_y() + 0.5)
            self.style(bold=strong)
            self._pair(x, 60, label, 35, amount, "R")
        self.set_y(self.get_y() + 2)

    def finish(
        self, source_json: bytes, attachment_name: str, extra: Sequence[Attachment] = ()
    ) -> RenderedDocument:
        """Attach the source (and any other source files, e.g. a page's raw HTML), close
        the document, and hash the bytes. Every attachment is dated like the document, so
        the bytes stay deterministic; PDF/A-3 allows any number of associated files. An
        empty extra file is left out (fpdf2 cannot embed zero bytes)."""
        source = Attachment(
            source_json,
            attachment_name,
            "application/json",
            "Canonical JSON of the BigCommerce data this document was rendered from",
        )
        for attachment in (source, *(file for file in extra if file.content)):
            self.embed_file(
                bytes=attachment.content,
                basename=attachment.name,
                mime_type=attachment.mime_type,
                associated_file_relationship=AssociatedFileRelationship.SOURCE.value,
                modification_date=self.meta.date,
                creation_date=self.meta.date,
                desc=attachment.description,
                compress=True,
            )
        self._page_footers()
        self._font_book.prepare_output(self)
        content = bytes(self.output())
        return RenderedDocument(
            bytes=content,
            sha256=hashlib.sha256(content).hexdigest(),
            template_version=self.meta.template_version,
            page_count=self.pages_count,
            filename=self.meta.filename,
        )
