"""A content page's HTML drawn as a readable record: headings, paragraphs, lists, tables.

A disclosure record must let a person read the text a shopper saw, years later, without a
browser: so the HTML is laid out as typeset text (``html_tree`` parses anything,
``html_blocks`` turns the tree into blocks and notices), and the verbatim HTML travels
as an attachment. Bold is the sheet's stroked face; italics, colours and CSS are not
drawn (the fonts ship one face, and a record shows words, not styling). Scripts the font
book covers draw as they do elsewhere: Latin, Greek, Cyrillic, Arabic and Hebrew (joined
and reordered by ``rtl``), Armenian, Georgian and CJK through Droid Sans Fallback; what no
shipped font has (e.g. Devanagari, Thai, emoji) shows as U+FFFD, visibly.

Three limits keep one page from monopolising a worker: the HTML's size, its number of
tags and the page count. Each refuses the render as a permanent error naming the limit,
so the version waits on a dead letter instead of being dropped or truncated in silence.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from fpdf.bidi import auto_detect_base_direction
from fpdf.enums import TextDirection

from pipeline.core.errors import RenderRefused
from pipeline.records.pdf import rtl
from pipeline.records.pdf.html_blocks import Blocks, Grid, Paragraph, Rule, Run
from pipeline.records.pdf.html_tree import MAX_DEPTH, Unseen, parse
from pipeline.records.pdf.sheet import (
    BODY_SIZE,
    CONTENT_BOTTOM,
    CONTENT_WIDTH,
    LINE,
    MARGIN,
    SMALL_SIZE,
    Sheet,
)

MAX_HTML_BYTES = 2_000_000  # a 1 MB page renders in seconds; twice that is still a page
MAX_TAGS = 100_000  # parsing costs per tag: this bounds a tag-dense body to a few seconds
MAX_PAGES = 400  # 2 MB of plain text fills about 350 pages
INDENT = 6.0  # mm per list or quotation level
MAX_INDENT_LEVELS = 8  # deeper levels keep this indentation, so text keeps its width
MARKER_WIDTH = 6.0
MAX_COLUMNS = 8  # wider tables are drawn row by row as ``a | b | c``
MIN_COLUMN = 14.0
BREAK = "\n"
_START_TAG = re.compile(r"<[A-Za-z]")


@dataclass(frozen=True)
class _Word:
    text: str
    bold: bool
    spaced: bool  # preceded by a space


Line = list[tuple[str, bool]]  # segments of one line, each in one style


def draw_html(sheet: Sheet, html: str) -> None:
    """Draw a page body from the sheet's current position, ending with a note of what the
    HTML held that is not drawn as it was. Raises ``RenderRefused`` above the limits."""
    size = len(html.encode("utf-8", "surrogatepass"))
    if size > MAX_HTML_BYTES:
        raise RenderRefused(
            f"HTML body of {size:,} bytes is above the {MAX_HTML_BYTES:,}-byte limit"
            " for a readable record"
        )
    tags = len(_START_TAG.findall(html))
    if tags > MAX_TAGS:
        raise RenderRefused(
            f"HTML body has {tags:,} tags, above the {MAX_TAGS:,}-tag limit for a readable record"
        )
    root, unseen = parse(html)
    blocks = Blocks()
    blocks.walk(root)
    blocks.flush()
    layout = _Layout(sheet)
    if not blocks.blocks:
        sheet.note("(The page body is empty.)")
    for block in blocks.blocks:
        if isinstance(block, Paragraph):
            layout.paragraph(block)
        elif isinstance(block, Rule):
            layout.rule(block.level)
        else:
            layout.grid(block)
    summary = _withheld_summary(blocks, unseen)
    if summary:
        sheet.set_y(sheet.get_y() + 2)
        sheet.note(summary)


def _withheld_summary(blocks: Blocks, unseen: Unseen) -> str:
    parts = [_count(count, name) for name, count in sorted(blocks.withheld.items())]
    if unseen.comments:
        parts.append(f"{_count(unseen.comments, 'comment')} ({unseen.comment_chars:,} characters)")
    if unseen.instructions:
        parts.append(_count(unseen.instructions, "processing instruction"))
    if unseen.too_deep:
        parts.append(
            f"{unseen.too_deep} elements nested deeper than {MAX_DEPTH} levels"
            " (their text is drawn at the deepest level)"
        )
    if not parts:
        return ""
    return (
        "Not drawn as markup from this page's HTML: "
        + "; ".join(parts)
        + ". The HTML is attached to this record verbatim."
    )


def _count(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


class _Layout:
    """Draws blocks top to bottom, page after page, within the page limit."""

    def __init__(self, sheet: Sheet) -> None:
        self.sheet = sheet
        self._widths: dict[tuple[float, str], float] = {}

    def width_at(self, size: float) -> Callable[[str], float]:
        """Text width at a type size, summed from cached glyph widths (DejaVu has no
        kerning in use): a 1 MB page is measured in linear time."""
        self.sheet.style(size=size)

        def width(text: str) -> float:
            total = 0.0
            for char in text:
                key = (size, char)
                if key not in self._widths:
                    self.sheet.style(size=size)
                    self._widths[key] = self.sheet.text_width(char)
                total += self._widths[key]
            return total

        return width

    def _line_space(self, height: float) -> float:
        """Room for one more line: a new page when needed, refused beyond the page limit."""
        self.sheet.ensure_space(height)
        if self.sheet.pages_count > MAX_PAGES:
            raise RenderRefused(f"HTML body needs more than {MAX_PAGES} pages")
        return self.sheet.get_y()

    def paragraph(self, block: Paragraph) -> None:
        size = block.size or BODY_SIZE
        height = LINE * size / BODY_SIZE
        indent = min(block.level, MAX_INDENT_LEVELS) * INDENT
        hang = MARKER_WIDTH if block.marker else 0.0
        x = MARGIN + indent + hang
        limit = CONTENT_WIDTH - indent - hang - 2 * self.sheet.c_margin
        width = self.width_at(size)
        lines = _break_lines(_words(self.sheet, block.runs, block.preformatted), limit, width)
        if block.size:  # a heading: space above, and not alone at the foot of a page
            self.sheet.set_y(self.sheet.get_y() + 1.5)
            self.sheet.ensure_space(height + 2 * LINE)
        for index, line in enumerate(lines or [[]]):
            y = self._line_space(height)
            if index == 0 and block.marker:
                self.sheet.style(size=size)
                self.sheet.put(x - hang, y, hang, block.marker)
            self._draw_line(line, x, y, limit, size, width)
            self.sheet.set_y(y + height)
        self.sheet.set_y(self.sheet.get_y() + (1.5 if not block.marker else 0.5))

    def _draw_line(
        self,
        line: Line,
        x: float,
        y: float,
        limit: float,
        size: float,
        width: Callable[[str], float],
    ) -> None:
        text = "".join(piece for piece, _ in line)
        if rtl.has_rtl(text) and auto_detect_base_direction(text) == TextDirection.RTL:
            self.sheet.style(size=size)  # one run, right-aligned: reordered as a whole
            self.sheet.put(x, y, limit + 2 * self.sheet.c_margin, text, align="R")
            return
        for piece, bold in line:
            advance = width(piece)  # measured first: measuring may reset the style
            self.sheet.style(bold=bold, size=size)
            self.sheet.put(x, y, advance + 2 * self.sheet.c_margin + 1, piece)
            x += advance

    def rule(self, level: int) -> None:
        y = self._line_space(LINE) + LINE / 2
        left = MARGIN + min(level, MAX_INDENT_LEVELS) * INDENT
        self.sheet.rule(left, y, MARGIN + CONTENT_WIDTH, y)
        self.sheet.set_y(y + LINE / 2)

    def grid(self, grid: Grid) -> None:
        columns = max(len(row) for row in grid.rows)
        if columns > MAX_COLUMNS:
            for row in grid.rows:
                self.paragraph(Paragraph([Run(" | ".join(row))], grid.level))
            return
        left = MARGIN + min(grid.level, MAX_INDENT_LEVELS) * INDENT
        widths = _column_widths(grid.rows, columns, MARGIN + CONTENT_WIDTH - left)
        self._line_space(2 * LINE)
        self.sheet.rule(left, self.sheet.get_y(), MARGIN + CONTENT_WIDTH, self.sheet.get_y())
        for row, header in zip(grid.rows, grid.header, strict=True):
            self._grid_row(row, header, left, widths)
        self.sheet.set_y(self.sheet.get_y() + 2)

    def _grid_row(self, row: Sequence[str], header: bool, left: float, widths: list[float]) -> None:
        """One table row; a row taller than the page continues on the next."""
        width = self.width_at(SMALL_SIZE if header else BODY_SIZE)
        margins = 2 * self.sheet.c_margin
        cells = [
            _break_lines(_words(self.sheet, _cell_runs(text), False), column - margins, width)
            for text, column in zip(row, widths, strict=False)
        ]
        done, height = 0, max(len(lines) for lines in cells)
        while done < height:
            top = self._line_space(LINE)
            fits = max(1, int((CONTENT_BOTTOM - top) // LINE))
            rows = min(fits, height - done)
            if header:
                self.sheet.rect(left, top, sum(widths), rows * LINE, style="F")
            x = left
            for lines, column in zip(cells, widths, strict=False):
                self.sheet.style(bold=header, size=SMALL_SIZE if header else BODY_SIZE)
                for offset, line in enumerate(lines[done : done + rows]):
                    text = "".join(piece for piece, _ in line)
                    self.sheet.put(x, top + offset * LINE, column, text)
                x += column
            bottom = top + rows * LINE
            x = left
            for column in widths[:-1]:
                x += column
                self.sheet.rule(x, top, x, bottom)
            self.sheet.rule(left, bottom, left + sum(widths), bottom)
            self.sheet.set_y(bottom)
            done += rows


def _cell_runs(text: str) -> list[Run]:
    """A cell's plain text as runs, its lines (nested blocks, inner table rows) kept apart."""
    runs: list[Run] = []
    for number, line in enumerate(text.split("\n")):
        runs.extend([Run(BREAK), Run(line)] if number else [Run(line)])
    return runs


def _column_widths(rows: Sequence[Sequence[str]], columns: int, total: float) -> list[float]:
    """Widths in proportion to each column's longest text (capped), never below a minimum."""
    weights = [
        min(max((len(row[i]) for row in rows if i < len(row)), default=0), 60) + 4
        for i in range(columns)
    ]
    floor = min(MIN_COLUMN, total / columns)
    spare = total - floor * columns
    return [floor + spare * weight / sum(weights) for weight in weights]


def _words(sheet: Sheet, runs: Sequence[Run], preformatted: bool) -> list[_Word | str]:
    """Runs as words, each knowing its style and whether a space comes before it; forced
    line breaks as ``BREAK``. Preformatted text keeps every space and newline."""
    words: list[_Word | str] = []
    spaced = False
    for run in runs:
        if run.text == BREAK and not preformatted:
            words.append(BREAK)
            spaced = False
            continue
        text = run.text.replace("\t", "    ")
        for number, line in enumerate(text.split("\n") if preformatted else [text]):
            if number:
                words.append(BREAK)
                spaced = False
            pieces = sheet.normalize_text(line).split(" ")
            for index, piece in enumerate(pieces):
                if index:
                    spaced = True
                if piece or (preformatted and index):
                    words.append(_Word(piece, run.bold, spaced and bool(words)))
                    spaced = False
    return words


def _break_lines(
    words: Sequence[_Word | str], limit: float, width: Callable[[str], float]
) -> list[Line]:
    """Greedy line breaking; a word wider than the line is cut (``_cut``)."""
    lines: list[Line] = [[]]
    used = 0.0
    space = width(" ")
    for word in words:
        if isinstance(word, str):
            lines.append([])
            used = 0.0
            continue
        gap = space if word.spaced and lines[-1] else 0.0
        needed = width(word.text)
        if used + gap + needed <= limit:
            _append(lines[-1], " " * bool(gap) + word.text, word.bold)
            used += gap + needed
            continue
        pieces = _cut(word.text, limit, width) if needed > limit else [word.text]
        if lines[-1]:
            lines.append([])
        for piece in pieces[:-1]:
            lines[-1].append((piece, word.bold))
            lines.append([])
        lines[-1].append((pieces[-1], word.bold))
        used = width(pieces[-1])
    while len(lines) > 1 and not lines[-1]:
        lines.pop()
    return lines


def _append(line: Line, text: str, bold: bool) -> None:
    """Add to the line, joining a segment in the same style: a right-to-left run inside
    a left-to-right line is then reordered as a whole, and drawn in one call."""
    if line and line[-1][1] == bold:
        line[-1] = (line[-1][0] + text, bold)
    else:
        line.append((text, bold))


def _cut(word: str, limit: float, width: Callable[[str], float]) -> list[str]:
    """A word in line-wide pieces: after a hyphen, slash, underscore, dot or colon where
    one falls in the line, else by character (a 1 MB word costs one pass)."""
    pieces: list[str] = []
    current, used, last_break = "", 0.0, 0
    for char in word:
        char_width = width(char)
        if used + char_width > limit and current:
            cut = last_break or len(current)
            pieces.append(current[:cut])
            current = current[cut:]
            used = width(current)
            last_break = 0
        current += char
        used += char_width
        if char in "-/_.:":
            last_break = len(current)
    return [*pieces, current] if current else pieces
