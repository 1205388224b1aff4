"""An HTML element tree as the blocks a reader sees: paragraphs, list items, rules, grids.

Active or embedded content (scripts, style sheets, frames, objects, event-handler
attributes, ``javascript:`` links) is never run and never drawn as markup: it becomes a
bracketed notice where it stood, saying what it was and how big, so a record shows that
something was there and the attached HTML holds it verbatim. Links show their text and
their URL, since paper cannot be clicked.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from pipeline.records.pdf.html_tree import Element

KEPT = "kept verbatim in the attached HTML"
BODY_HEADING = 10.0  # a document <title>
HEADINGS = {"h1": 15.0, "h2": 13.0, "h3": 11.5, "h4": 10.5, "h5": 9.5, "h6": 9.0}
BULLETS = ("•", "◦", "▪")
CONTAINERS = frozenset(
    [
        "address",
        "article",
        "aside",
        "body",
        "caption",
        "dl",
        "p",
        "center",
        "details",
        "div",
        "fieldset",
        "figcaption",
        "figure",
        "footer",
        "form",
        "header",
        "html",
        "main",
        "nav",
        "section",
        "summary",
        "td",
        "th",
        "tr",
    ]
)
FRAMES = frozenset({"iframe", "frame", "frameset"})
EMBEDS = frozenset({"object", "embed", "applet"})
METADATA = frozenset({"meta", "link", "base"})
_SPACE = re.compile(r"[ \t\n\r\f]+")


@dataclass(frozen=True)
class Run:
    """A stretch of inline text in one style; a lone ``"\\n"`` is a forced line break."""

    text: str
    bold: bool = False


@dataclass
class Paragraph:
    runs: list[Run]
    level: int
    size: float | None = None  # None: body text
    marker: str = ""
    preformatted: bool = False


@dataclass(frozen=True)
class Rule:
    level: int


@dataclass(frozen=True)
class Grid:
    """A table's cells as plain text; ``header[i]`` says row i is all header cells."""

    rows: list[list[str]]
    header: list[bool]
    level: int


Block = Paragraph | Rule | Grid


@dataclass
class _List:
    ordered: bool
    next_number: int = 1


@dataclass
class Blocks:
    """The blocks of one element tree, and a tally of what was not drawn as it was."""

    blocks: list[Block] = field(default_factory=list)
    withheld: Counter[str] = field(default_factory=Counter)
    _runs: list[Run] = field(default_factory=list)
    _level: int = 0
    _bold: int = 0
    _pre: int = 0
    _marker: str = ""
    _lists: list[_List] = field(default_factory=list)

    def walk(self, node: Element | str) -> None:
        """Add a node's blocks; active and embedded content first becomes its notice."""
        if isinstance(node, str):
            self._text(node if self._pre else _SPACE.sub(" ", node))
            return
        handlers = [key for key, _ in node.attrs if key.lower().startswith("on")]
        if handlers:
            self._handlers(node, handlers)
        tag = node.tag
        if tag in ("script", "style"):
            self._withhold_source(node)
        elif tag in FRAMES:
            self._notice("frame", f"embedded frame{_from(node, 'src')}: not loaded; {KEPT}")
        elif tag in EMBEDS:
            self._notice("object", f"embedded {tag}{_from(node, 'data', 'src')}: not loaded")
            self._children(node)
        elif tag in METADATA:
            self.withheld["metadata element"] += 1
        else:
            self._element(node, tag)

    def _element(self, node: Element, tag: str) -> None:
        if tag == "br":
            self._runs.append(Run("\n"))
        elif tag == "hr":
            self.flush()
            self.blocks.append(Rule(self._level))
        elif tag == "img":
            alt = node.attr("alt").strip() or "no description"
            self._notice("image", f"image: {alt}{_from(node, 'src')}; not included")
        elif tag == "input":
            parts = (f"{node.attr('type') or 'text'} field", node.attr("name"), node.attr("value"))
            self._text(f"[{' '.join(part for part in parts if part)}]")
        elif tag == "a":
            self._link(node)
        elif tag in ("b", "strong"):
            self._styled(node)
        elif tag in HEADINGS or tag == "title":
            self._block(node, size=HEADINGS.get(tag, BODY_HEADING), bold=True)
        elif tag in ("ul", "ol", "menu", "dir"):
            self._list(node, ordered=tag == "ol")
        elif tag == "li":
            self._item(node)
        elif tag == "dt":
            self._block(node, bold=True)
        elif tag in ("dd", "blockquote"):
            self._indented(node)
        elif tag == "pre":
            self._preformatted(node)
        elif tag == "table":
            self._table(node)
        elif tag in CONTAINERS:
            self._block(node)
        else:
            self._children(node)

    def flush(self) -> None:
        """End the paragraph being collected, if it has anything to show."""
        runs, self._runs = self._runs, []
        if self._marker or any(run.text.strip() for run in runs):
            self.blocks.append(
                Paragraph(runs, self._level, marker=self._marker, preformatted=self._pre > 0)
            )
            self._marker = ""

    def _text(self, text: str) -> None:
        self._runs.append(Run(text, bold=self._bold > 0))

    def _notice(self, tally: str, text: str) -> None:
        self.withheld[tally] += 1
        self._runs.append(Run(f" [{text}] ", bold=True))

    def _children(self, node: Element) -> None:
        for child in node.children:
            self.walk(child)

    def _withhold_source(self, node: Element) -> None:
        kind = "script" if node.tag == "script" else "style sheet"
        verb = "not run" if node.tag == "script" else "not applied"
        self._notice(kind, f"{kind}: {len(node.text()):,} characters, {verb}; {KEPT}")

    def _handlers(self, node: Element, names: list[str]) -> None:
        size = sum(len(value or "") for key, value in node.attrs if key in names)
        listed = ", ".join(names)
        self._notice(
            "event handler",
            f"{listed} on <{node.tag}>: {size:,} characters of script, not run; {KEPT}",
        )

    def _link(self, node: Element) -> None:
        self._children(node)
        href = node.attr("href").strip()
        scheme = href.split(":", 1)[0].lower() if ":" in href else ""
        if scheme in ("javascript", "vbscript"):
            self._notice("script link", f"{scheme}: link, {len(href):,} characters, not followed")
        elif scheme == "data":
            self._text(f" (data: URL, {len(href):,} characters)")
        elif href and href.removeprefix(f"{scheme}:") != node.text().strip():
            self._text(f" ({href})")  # a mailto: or tel: link showing its address is not repeated

    def _styled(self, node: Element) -> None:
        self._bold += 1
        self._children(node)
        self._bold -= 1

    def _block(self, node: Element, size: float | None = None, bold: bool = False) -> None:
        self.flush()
        self._bold += bold
        self._children(node)
        self._bold -= bold
        if size is not None and self._runs:
            runs, self._runs = self._runs, []
            self.blocks.append(Paragraph(runs, self._level, size=size))
        self.flush()

    def _indented(self, node: Element) -> None:
        self.flush()
        self._level += 1
        self._block(node)
        self._level -= 1

    def _list(self, node: Element, ordered: bool) -> None:
        self.flush()
        start = node.attr("start").strip()
        self._lists.append(_List(ordered, int(start) if start.isdigit() else 1))
        self._level += 1
        self._children(node)
        self._level -= 1
        self._lists.pop()
        self.flush()

    def _item(self, node: Element) -> None:
        self.flush()
        if self._lists and self._lists[-1].ordered:
            self._marker = f"{self._lists[-1].next_number}."
            self._lists[-1].next_number += 1
        else:
            self._marker = BULLETS[max(len(self._lists) - 1, 0) % len(BULLETS)]
        self._children(node)
        self.flush()

    def _preformatted(self, node: Element) -> None:
        self.flush()
        self._pre += 1
        self._children(node)
        self.flush()
        self._pre -= 1

    def _table(self, node: Element) -> None:
        self.flush()
        for caption in (c for c in node.children if isinstance(c, Element) and c.tag == "caption"):
            self._block(caption, bold=True)
        rows: list[list[str]] = []
        header: list[bool] = []
        for row in _rows(node):
            if row:
                rows.append([cell_text(cell) for cell in row])
                header.append(all(cell.tag == "th" for cell in row))
        if rows:
            self.blocks.append(Grid(rows, header, self._level))


def _from(node: Element, *names: str) -> str:
    """`` from <url>`` for the first attribute present; a data: URL only by its size."""
    for name in names:
        value = node.attr(name).strip()
        if value.lower().startswith("data:"):
            return f" from a data: URL of {len(value):,} characters"
        if value:
            return f" from {value}"
    return ""


def _rows(table: Element) -> list[list[Element]]:
    """The rows of a table, through thead/tbody/tfoot; cells outside a row make their own."""
    rows: list[list[Element]] = []
    loose: list[Element] = []
    for child in table.children:
        if not isinstance(child, Element):
            if child.strip():
                loose.append(Element("td", children=[child]))
            continue
        if child.tag in ("thead", "tbody", "tfoot"):
            rows.extend(_rows(child))
        elif child.tag == "tr":
            rows.append(
                [
                    c
                    if isinstance(c, Element) and c.tag in ("td", "th")
                    else Element("td", children=[c])
                    for c in child.children
                    if not (isinstance(c, str) and not c.strip())
                ]
            )
        elif child.tag in ("td", "th"):
            loose.append(child)
        elif child.tag != "caption":
            loose.append(Element("td", children=[child]))
    return [*rows, loose] if loose else rows


def cell_text(cell: Element) -> str:
    """A cell's content as plain text: its own blocks one per line, a nested table as
    rows of ``a | b``, notices included."""
    inner = Blocks()
    inner.walk(Element("div", children=cell.children))
    return "\n".join(_plain(block) for block in inner.blocks).strip()


def _plain(block: Block) -> str:
    if isinstance(block, Paragraph):
        text = "".join(run.text for run in block.runs)
        return f"{block.marker} {text.strip()}".strip()
    if isinstance(block, Rule):
        return "―" * 8
    return "\n".join(" | ".join(row) for row in block.rows)
