"""Right-to-left lines (Arabic, Hebrew) for a renderer without a shaping engine.

fpdf2 shapes and reorders text only through HarfBuzz (uharfbuzz): a compiled dependency
that would also need the layout tables our pre-subset fonts drop. Names and addresses
need much less: Arabic letters joined into their contextual forms (the Unicode
presentation forms, which DejaVu Sans draws), then the line laid out in visual order
(rule L2 of the Unicode bidi algorithm, as fpdf2's own implementation resolves it) with
brackets mirrored in right-to-left runs. Mark positioning and ligatures other than
lam-alef are beyond this; letters stay legible and in the right order.
"""

from __future__ import annotations

import unicodedata
from functools import cache

from fpdf.bidi import BidiParagraph, auto_detect_base_direction

FORMS = ("isolated", "final", "initial", "medial")
LAM = "\u0644"
MIRRORED = dict(zip("()[]{}<>«»", ")(][}{><»«", strict=True))


def has_rtl(text: str) -> bool:
    """True when a line holds right-to-left letters and needs shaping and reordering."""
    return any(
        unicodedata.bidirectional(char) in ("R", "AL") for char in text if ord(char) >= 0x0590
    )


@cache
def _presentation_forms() -> dict[str, dict[str, str]]:
    """Letter -> {form: presentation form}, read from the Unicode decompositions."""
    table: dict[str, dict[str, str]] = {}
    for code in (*range(0xFE70, 0xFF00), *range(0xFB50, 0xFE00)):
        tag, *parts = unicodedata.decomposition(chr(code)).split() or [""]
        form = tag.strip("<>")
        if form in FORMS:
            base = "".join(chr(int(part, 16)) for part in parts)
            table.setdefault(base, {}).setdefault(form, chr(code))
    return table


def _joins_forward(char: str | None) -> bool:
    """Dual-joining letters connect to the letter after them."""
    return char is not None and "initial" in _presentation_forms().get(char, {})


def _neighbour(text: str, index: int, step: int) -> str | None:
    """The nearest letter before or after ``index``, skipping combining marks."""
    index += step
    while 0 <= index < len(text):
        if unicodedata.category(text[index]) != "Mn":
            return text[index]
        index += step
    return None


def shape_arabic(text: str) -> str:
    """Logical-order text with each Arabic letter in its contextual presentation form."""
    forms = _presentation_forms()
    shaped: list[str] = []
    index = 0
    while index < len(text):
        char = text[index]
        before = _neighbour(text, index, -1)
        after = _neighbour(text, index, 1)
        joins_before = _joins_forward(before) and "final" in forms.get(char, {})
        if char == LAM and after is not None and (ligature := forms.get(char + after)):
            shaped.append(ligature["final" if joins_before and "final" in ligature else "isolated"])
            index = text.index(after, index + 1) + 1
            continue
        joins_after = _joins_forward(char) and after in forms
        if joins_before and joins_after:
            form = "medial"
        elif joins_before:
            form = "final"
        elif joins_after:
            form = "initial"
        else:
            form = "isolated"
        shaped.append(forms.get(char, {}).get(form, char))
        index += 1
    return "".join(shaped)


def visual_line(text: str) -> str:
    """One line as it must be drawn left to right: shaped, reordered, brackets mirrored."""
    shaped = shape_arabic(text)
    paragraph = BidiParagraph(text=shaped, base_direction=auto_detect_base_direction(shaped))
    return "".join(
        MIRRORED.get(char.character, char.character) if char.embedding_level % 2 else char.character
        for char in paragraph.get_reordered_characters()
    )
