"""Fonts shipped with the package, parsed once per process and shared by every render.

fpdf2 parses a TTF on every ``add_font`` (~55 ms for DejaVu Sans) and at output subsets
the whole font again (~55 ms more): together far over the render budget. So:

* each font is parsed once into a prototype ``TTFFont``; a document gets a shallow clone
  whose per-document state (glyph subset, index, missing glyphs) is fresh and whose
  parsed tables (cmap, widths) are shared read-only;
* just before output, each clone's font program is swapped for a small pre-subset font
  holding only the 32-code-point pages the document used, so fpdf2's own subsetting
  works on a few hundred glyphs. Pre-subsets are cached per page set; they are a pure
  function of the font and the pages, so the output bytes never depend on cache state.

Text that no shipped font can draw is replaced by U+FFFD before it reaches fpdf2: it
shows as a visible replacement mark instead of vanishing, and fpdf2 never logs the
missing characters (which would put pieces of customer names in logs).
"""

from __future__ import annotations

import copy
import io
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path

from fontTools import subset as ftsubset
from fontTools import ttLib
from fpdf import FPDF
from fpdf.fonts import SubsetMap, TTFFont

# fontTools logs the glyph names of every subset at INFO; for the fonts of a rendered
# document those names spell out customer names and addresses ("uni7530"...).
logging.getLogger("fontTools.subset").setLevel(logging.WARNING)

FONT_DIR = Path(__file__).parent / "fonts"
FAMILY = "dejavusans"
FALLBACK_FAMILY = "droidsansfallback"
REPLACEMENT_CHARACTER = "\ufffd"
PAGE_SHIFT = 5  # pre-subsets are cut on 32-code-point pages: small, yet few distinct sets
# Tables fpdf2 drops at output anyway (no text shaping): dropping them early saves the work.
UNUSED_TABLES = ("FFTM", "GDEF", "GPOS", "GSUB", "MATH", "hdmx", "meta", "kern", "gasp")


@dataclass(frozen=True)
class FontFile:
    family: str
    style: str
    filename: str

    @property
    def fontkey(self) -> str:
        """fpdf2's key for a family and style, as ``set_font`` looks it up."""
        return f"{self.family}{self.style}"


PRIMARY = (FontFile(FAMILY, "", "DejaVuSans.ttf"),)
FALLBACK = FontFile(FALLBACK_FAMILY, "", "DroidSansFallback.ttf")


class FontBook:
    """Process-wide font cache; one instance serves every render in a worker."""

    def __init__(self, primary: tuple[FontFile, ...], fallback: FontFile) -> None:
        self._files = {font.fontkey: font for font in (*primary, fallback)}
        self._primary = primary
        self._fallback = fallback
        self._prototypes: dict[str, TTFFont] = {}
        self._programs: dict[str, bytes] = {}

    def _program(self, fontkey: str) -> bytes:
        if fontkey not in self._programs:
            self._programs[fontkey] = (FONT_DIR / self._files[fontkey].filename).read_bytes()
        return self._programs[fontkey]

    def _prototype(self, fontkey: str) -> TTFFont:
        if fontkey not in self._prototypes:
            font = self._files[fontkey]
            self._prototypes[fontkey] = TTFFont(
                FPDF(), FONT_DIR / font.filename, font.fontkey, font.style
            )
        return self._prototypes[fontkey]

    @cached_property
    def _primary_coverage(self) -> frozenset[int]:
        """Code points every primary style can draw, so no style ever meets a missing glyph."""
        maps = [set(self._prototype(font.fontkey).cmap) for font in self._primary]
        return frozenset(set.intersection(*maps))

    @cached_property
    def _fallback_coverage(self) -> frozenset[int]:
        return frozenset(self._prototype(self._fallback.fontkey).cmap)

    def warm(self) -> None:
        """Parse the primary fonts now, e.g. when a worker process starts."""
        for font in self._primary:
            self._prototype(font.fontkey)

    def install(self, pdf: FPDF) -> None:
        """Register the primary family on a new document."""
        for font in self._primary:
            self._add_clone(pdf, font.fontkey)

    def _add_clone(self, pdf: FPDF, fontkey: str) -> None:
        clone = copy.copy(self._prototype(fontkey))
        clone.i = len(pdf.fonts) + 1
        clone.missing_glyphs = []
        clone.biggest_size_pt = 0
        clone.subset = SubsetMap(clone)
        pdf.fonts[fontkey] = clone

    def is_primary(self, text: str) -> bool:
        """True when the primary family draws every character of ``text``."""
        return self._primary_coverage.issuperset(map(ord, text))

    def printable(self, pdf: FPDF, text: str) -> str:
        """``text`` as the document can draw it; installs the fallback font on first need."""
        if self.is_primary(text):
            return text
        drawable = []
        for char in text:
            code = ord(char)
            if code in self._primary_coverage:
                drawable.append(char)
            elif not char.isprintable():
                drawable.append(" ")
            elif code in self._fallback_coverage:
                self._ensure_fallback(pdf)
                drawable.append(char)
            else:
                drawable.append(REPLACEMENT_CHARACTER)
        return "".join(drawable)

    def _ensure_fallback(self, pdf: FPDF) -> None:
        if self._fallback.fontkey not in pdf.fonts:
            self._add_clone(pdf, self._fallback.fontkey)
            pdf.set_fallback_fonts([self._fallback.family], exact_match=False)

    def prepare_output(self, pdf: FPDF) -> None:
        """Give each font of the document a small program holding just the pages it used."""
        for fontkey, font in pdf.fonts.items():
            if fontkey in self._files and isinstance(font, TTFFont):
                pages = _pages(glyph.unicode for glyph, _ in font.subset.items() if glyph)
                font.ttfont = ttLib.TTFont(
                    io.BytesIO(self._page_subset(fontkey, pages)),
                    recalcTimestamp=False,
                    recalcBBoxes=False,
                    lazy=True,
                )

    @lru_cache(maxsize=256)  # noqa: B019 - one FontBook lives as long as the process
    def _page_subset(self, fontkey: str, pages: frozenset[int]) -> bytes:
        font = ttLib.TTFont(io.BytesIO(self._program(fontkey)), recalcTimestamp=False, lazy=True)
        for tag in UNUSED_TABLES:
            if tag in font:
                del font[tag]  # before the subsetter decompiles them only to drop them
        options = ftsubset.Options(
            notdef_outline=True,
            recommended_glyphs=True,
            glyph_names=True,  # fpdf2 finds glyphs by the names parsed from the full font
            hinting=False,
            layout_features=[],
        )
        subsetter = ftsubset.Subsetter(options)
        cmap = self._prototype(fontkey).cmap
        subsetter.populate(unicodes=[code for code in cmap if code >> PAGE_SHIFT in pages])
        subsetter.subset(font)
        program = io.BytesIO()
        font.save(program)
        return program.getvalue()


def _pages(unicodes: Iterable[tuple[int, ...] | int]) -> frozenset[int]:
    pages: set[int] = set()
    for value in unicodes:
        codes = value if isinstance(value, tuple) else (value,)
        pages.update(code >> PAGE_SHIFT for code in codes)
    return frozenset(pages)


FONT_BOOK = FontBook(PRIMARY, FALLBACK)
