"""Read a rendered document's tables and totals back from where its text is drawn.

Every text object our sheet draws is one cell line (``Sheet.put``: ``BT x y Td ... ET``),
so the cells of a table row share a baseline and each cell starts inside its column.
Text comes back through the fonts' ToUnicode maps, as a search index reads it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

import pikepdf

from pipeline.devtools.chaos.scenarios.poison import text_objects
from pipeline.records.pdf.sheet import CONTENT_BOTTOM, CONTENT_WIDTH, LINE, MARGIN, Column

POINTS_PER_MM = 72 / 25.4
PAGE_HEIGHT = 297.0
TOTALS_X = MARGIN + CONTENT_WIDTH - 95


@dataclass(frozen=True)
class Placed:
    page: int
    x: float  # mm from the left edge
    y: float  # mm from the top edge (baseline)
    text: str


def placed_text(pdf: pikepdf.Pdf) -> list[Placed]:
    """Every drawn text object with its position, in drawing order, footers left out."""
    placed = [
        Placed(
            found.page, found.x / POINTS_PER_MM, PAGE_HEIGHT - found.y / POINTS_PER_MM, found.text
        )
        for found in text_objects(pdf)
        if found.text
    ]
    return [item for item in placed if item.y < CONTENT_BOTTOM]


def _lines(placed: Sequence[Placed]) -> list[list[Placed]]:
    """Text objects grouped by page and baseline, top to bottom, left to right."""
    rows: dict[tuple[int, float], list[Placed]] = {}
    for item in placed:
        rows.setdefault((item.page, round(item.y, 1)), []).append(item)
    return [sorted(rows[key], key=lambda p: p.x) for key in sorted(rows)]


def table(placed: Sequence[Placed], columns: Sequence[Column]) -> list[list[str]]:
    """The rows of the first table with these columns: cells by column, a wrapped cell's
    lines joined with a newline. The header repeats on every page the table runs onto."""
    titles = [column.title for column in columns]
    starts, x = [], MARGIN
    for column in columns:
        starts.append(x)
        x += column.width

    def column_of(item: Placed) -> int:
        return max(i for i, start in enumerate(starts) if start <= item.x + 0.05)

    rows: list[list[str]] = []
    inside, page, previous = False, 0, 0.0
    for line in _lines(placed):
        texts = [item.text for item in line]
        if texts == titles:
            inside, page, previous = True, line[0].page, line[0].y
            continue
        if not inside:
            continue
        if line[0].page != page:  # a new page before the repeated header: the title
            continue
        cells = {column_of(item): item.text for item in line}
        last = len(columns) - 1
        next_line = line[0].y - previous < LINE + 0.2  # a table's rows follow line by line
        previous = line[0].y
        if last in cells and len(cells) >= len(columns) - 1:
            rows.append([cells.get(i, "") for i in range(len(columns))])
        elif rows and next_line and last not in cells:
            for i, text in cells.items():
                rows[-1][i] = f"{rows[-1][i]}\n{text}" if rows[-1][i] else text
        else:
            if rows:
                break
    return rows


def totals(placed: Sequence[Placed]) -> list[tuple[str, Decimal]]:
    """Every label and amount pair drawn as a totals block (``Sheet.totals``), in order."""
    found = []
    for line in _lines(placed):
        if len(line) == 2 and abs(line[0].x - TOTALS_X) < 2 and line[1].x > TOTALS_X + 55:
            found.append((line[0].text, amount(line[1].text)))
    return found


def amount(text: str) -> Decimal:
    """``1,234.50 EUR`` / ``-3 JPY`` / ``12.346``: the number, as a Decimal."""
    return Decimal(text.split(" ")[0].replace(",", ""))
