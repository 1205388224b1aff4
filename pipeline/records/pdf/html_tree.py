"""Any HTML, however broken, as a small element tree that keeps every character.

The standard library's ``html.parser`` is tolerant (it never raises on bad markup and
decodes entities), which is all a reader's rendering needs: no third-party parser earns
its place for that. What it leaves to us is the tree: it reports start and end tags as
they come, so this module applies the few implicit-close rules of HTML that decide
readability (a new ``li`` ends the open one, a block ends an open ``p``, cells and rows
end each other), ignores stray end tags, and caps nesting depth so a hostile document
cannot exhaust the stack. Text an unterminated ``<script>`` swallowed to the end of the
input is kept as that script's text, so it is counted, never lost.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser

MAX_DEPTH = 64  # deeper elements are not opened: their text joins the deepest open one

VOID = frozenset(
    [
        "area",
        "base",
        "br",
        "col",
        "embed",
        "hr",
        "img",
        "input",
        "link",
        "meta",
        "param",
        "source",
        "track",
        "wbr",
    ]
)
BLOCK = frozenset(
    [
        "address",
        "article",
        "aside",
        "blockquote",
        "dd",
        "details",
        "div",
        "dl",
        "dt",
        "fieldset",
        "figcaption",
        "figure",
        "footer",
        "form",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "header",
        "hr",
        "li",
        "main",
        "nav",
        "ol",
        "p",
        "pre",
        "section",
        "table",
        "ul",
    ]
)
# A start tag of the key ends an open element named in the value, up to a scope boundary.
IMPLICIT_CLOSE = {
    "li": ({"li"}, {"ul", "ol", "table"}),
    "dt": ({"dt", "dd"}, {"dl", "table"}),
    "dd": ({"dt", "dd"}, {"dl", "table"}),
    "tr": ({"tr", "td", "th"}, {"table"}),
    "td": ({"td", "th"}, {"tr", "table"}),
    "th": ({"td", "th"}, {"tr", "table"}),
    "thead": ({"thead", "tbody", "tfoot", "tr", "td", "th"}, {"table"}),
    "tbody": ({"thead", "tbody", "tfoot", "tr", "td", "th"}, {"table"}),
    "tfoot": ({"thead", "tbody", "tfoot", "tr", "td", "th"}, {"table"}),
    "option": ({"option"}, {"select"}),
}


@dataclass
class Element:
    """One element: its tag, attributes as written, and children in document order."""

    tag: str
    attrs: list[tuple[str, str | None]] = field(default_factory=list)
    children: list[Element | str] = field(default_factory=list)

    def attr(self, name: str) -> str:
        return next((value or "" for key, value in self.attrs if key == name), "")

    def text(self) -> str:
        """Every character of text under this element, as written."""
        return "".join(c if isinstance(c, str) else c.text() for c in self.children)


@dataclass
class Unseen:
    """What the markup held that a reader never sees in a browser either (comments,
    declarations, processing instructions): counted, so the document can say so."""

    comments: int = 0
    comment_chars: int = 0
    instructions: int = 0
    too_deep: int = 0


class _TreeBuilder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Element("body")
        self.stack = [self.root]
        self.unseen = Unseen()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._close_implied(tag)
        element = Element(tag, attrs)
        self.stack[-1].children.append(element)
        if tag in VOID:
            return
        if len(self.stack) >= MAX_DEPTH:
            self.unseen.too_deep += 1
            return
        self.stack.append(element)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._close_implied(tag)
        self.stack[-1].children.append(Element(tag, attrs))

    def _close_implied(self, tag: str) -> None:
        closes, scope = IMPLICIT_CLOSE.get(tag, (set(), set()))
        if tag in BLOCK:
            closes = {*closes, "p"}
        for depth in range(len(self.stack) - 1, 0, -1):
            name = self.stack[depth].tag
            if name in closes:
                del self.stack[depth:]
                return
            if name in scope:
                return

    def handle_endtag(self, tag: str) -> None:
        for depth in range(len(self.stack) - 1, 0, -1):
            if self.stack[depth].tag == tag:
                del self.stack[depth:]
                return

    def handle_data(self, data: str) -> None:
        self.stack[-1].children.append(data)

    def handle_comment(self, data: str) -> None:
        self.unseen.comments += 1
        self.unseen.comment_chars += len(data)

    def unknown_decl(self, data: str) -> None:
        """``<![CDATA[...]]>`` is not HTML: what it wraps is shown as text."""
        self.handle_data(data.removeprefix("CDATA["))

    def handle_pi(self, data: str) -> None:
        self.unseen.instructions += 1

    def close(self) -> None:
        super().close()
        if self.rawdata:  # an unterminated <script> or <style> holds the rest of the input
            self.handle_data(self.rawdata)
            self.rawdata = ""


def parse(html: str) -> tuple[Element, Unseen]:
    """The document as a tree under a ``body`` root, and what it held that nobody sees."""
    builder = _TreeBuilder()
    builder.feed(html)
    builder.close()
    return builder.root, builder.unseen
