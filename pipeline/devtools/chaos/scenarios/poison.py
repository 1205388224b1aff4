"""Poison: orders no checkout would make sit among normal ones; each must end as a correct
record or as a dead letter that says which field is wrong, and the rest must not notice.

The emulated store holds them the way a real one does after an import or an app wrote
them: through the admin API's custom lines (name, price) and raw wire overrides. What is
right for each case, and why:

* **Malformed fields** (money with a decimal comma, a date no parser reads, a counter or a
  line quantity that is a word): nothing trustworthy can be printed from them, and asking
  again returns the same bytes. Fetch refuses the order as ``InvalidSnapshot``, a permanent
  error: dead-lettered on the first attempt, the message naming the field (not its value:
  no customer data in dead letters or logs). The date is ``date_created``, which imports
  set; ``date_modified`` is the store's own cursor and never comes from outside.
* **500 line items**: a big order is still an order. Every document renders, the tables
  run over pages with their header repeated; the check finds all 500 lines in the
  archived invoice and at least ten pages.
* **Total 0** (a free digital item): a valid invoice with 0.00 to pay; declared.
* **Negative total**: BigCommerce has no negative orders; money going back to a shopper
  is a refund, archived as its own credit note (reference §4-§5). An "invoice" below zero
  would be a false record, so the schema refuses it and the order is dead-lettered naming
  ``total_inc_tax``.
* **Negative line under a positive total** (a goodwill credit line from an import): the
  invoice shows what the store holds and still asks for a valid amount; declared.
* **No billing address / an empty shipping address**: the sale happened and must be
  archived; the documents show what is there and say "(no address on record)" where an
  address is missing. Declared.
* **Names in many scripts** (customer and product): the archived invoice must draw them.
  Latin with diacritics, Greek, Cyrillic, Arabic and Hebrew (joined, in visual order)
  come from DejaVu Sans, Chinese and Hangul from Droid Sans Fallback, and the emoji
  DejaVu has. Devanagari, Thai and the other emoji have no shipped font: they show as
  the visible U+FFFD mark (README, Rendering), never as a silently dropped or boxed glyph,
  and the exact name is in the source JSON attached to the PDF/A. The check expects
  exactly that, so shipping a font for them must also change the expectation here.

A refused order keeps being announced: a webhook per event, and every poll while it is
in the overlap window. Each event's fetch is dead-lettered once; the same event sent again
waits on its dead letter (`stage.refused_before`) instead of filing one per poll, so every
dead letter here must show one attempt and no retry.

The scenario's own checks read the archived PDFs back from the ECM and map each font's
glyphs back to text through its ToUnicode map (what a search index or a copy-paste sees).
"""

from __future__ import annotations

import io
import re
import time
import unicodedata
from dataclasses import dataclass, field
from typing import Any

import pikepdf

from pipeline.core import names
from pipeline.core.deadletters import DeadLetter, DeadLetterFilter
from pipeline.core.errors import PermanentError
from pipeline.devtools.chaos.scenario import Scenario
from pipeline.devtools.chaos.world import ChaosWorld
from pipeline.devtools.settling import FINAL_DOCUMENT_STATES, look, wait_until_settled
from pipeline.flows.commerce.documents import ORDER, DocumentKind, due_documents
from pipeline.flows.commerce.order_fetch import fetch_order_snapshot
from pipeline.runtime import clients, services
from pipeline.runtime.log import log_event

DECLARED = "declared"
DEAD_LETTERED = "dead_lettered"
SETTLE_S = 900.0
STALL_S = 30.0
NO_ADDRESS = "(no address on record)"
# Seeded catalog (sandbox/bigcommerce/seed_data.py): 1-4 ship, 5 is an e-book.
PHYSICAL, DIGITAL = 1, 5
GUEST_ADDRESS = {
    "street_1": "1 Example Street",
    "city": "Springfield",
    "zip": "12345",
    "country": "United States",
    "country_iso2": "US",
}
REPLACED = "\ufffd"


@dataclass(frozen=True)
class PoisonCase:
    """One odd order: how to place it, and what must become of it. `shown` are texts the
    archived invoice must draw (in logical order); `min_pages` its least page count."""

    name: str
    order: dict[str, Any]
    outcome: str
    bad_field: str = ""
    shown: tuple[str, ...] = ()
    min_pages: int = 1


def _malformed(name: str, bad_field: str, overrides: dict[str, Any]) -> PoisonCase:
    """An ordinary order whose wire fields an import overwrote: refused, naming `bad_field`."""
    return PoisonCase(
        name,
        {"customer_id": 1, "products": [{"product_id": PHYSICAL}], "overrides": overrides},
        DEAD_LETTERED,
        bad_field,
    )


def _guest(first: str, last: str, product: str) -> dict[str, Any]:
    """A guest order billed to `first last` for one digital line named `product` (no
    packing slip: the names are drawn on the invoice, which the check reads)."""
    return {
        "customer_id": 0,
        "billing_address": {**GUEST_ADDRESS, "first_name": first, "last_name": last},
        "products": [{"product_id": DIGITAL, "name": product}],
    }


def _script(
    name: str, first: str, last: str, product: str, shown: tuple[str, ...] | None = None
) -> PoisonCase:
    """Names in one script; `shown` is what the invoice must draw, by default the names."""
    texts = (first, last, product) if shown is None else shown
    return PoisonCase(f"script {name}", _guest(first, last, product), DECLARED, shown=texts)


def _no_font(name: str, first: str, last: str, product: str) -> PoisonCase:
    """Names in a script no shipped font has: each letter drawn as the visible U+FFFD."""
    replaced = tuple(
        "".join(" " if char == " " else REPLACED for char in text)
        for text in (first, last, product)
    )
    return _script(name, first, last, product, replaced)


def _cases() -> list[PoisonCase]:
    many: list[dict[str, Any]] = [
        {"product_id": 1 + n % 4, "name": f"Line {n:03d}"} for n in range(1, 501)
    ]
    return [
        _malformed("money not a decimal string", "total_inc_tax", {"total_inc_tax": "1.234,50"}),
        _malformed("unparseable date", "date_created", {"date_created": "31/02/2024 25:61"}),
        _malformed("counter of the wrong type", "items_shipped", {"items_shipped": "two"}),
        PoisonCase(
            "line quantity of the wrong type",
            {
                "customer_id": 1,
                "products": [{"product_id": PHYSICAL, "overrides": {"quantity": "three"}}],
            },
            DEAD_LETTERED,
            "quantity",
        ),
        PoisonCase(
            "500 line items",
            {"customer_id": 1, "products": many},
            DECLARED,
            shown=tuple(line["name"] for line in many),
            min_pages=10,
        ),
        PoisonCase(
            "total 0",
            {"customer_id": 1, "products": [{"product_id": DIGITAL, "price_ex_tax": 0}]},
            DECLARED,
            shown=("0.00",),
        ),
        PoisonCase(
            "negative total",
            {"customer_id": 1, "products": [{"product_id": DIGITAL, "price_ex_tax": -100}]},
            DEAD_LETTERED,
            "total_inc_tax",
        ),
        PoisonCase(
            "negative line, positive total",
            {
                "customer_id": 1,
                "products": [
                    {"product_id": PHYSICAL, "quantity": 3},
                    {"product_id": 4, "name": "Goodwill credit", "price_ex_tax": -5},
                ],
            },
            DECLARED,
            shown=("Goodwill credit", "-5.00"),
        ),
        PoisonCase(
            "no billing address",
            {
                "customer_id": 0,
                "billing_address": {},
                "shipping_addresses": [
                    {**GUEST_ADDRESS, "first_name": "Shipped", "last_name": "To"}
                ],
                "products": [{"product_id": PHYSICAL}],
            },
            DECLARED,
            shown=(NO_ADDRESS, "Shipped To"),
        ),
        PoisonCase(
            "empty shipping address",
            {"customer_id": 1, "shipping_addresses": [{}], "products": [{"product_id": PHYSICAL}]},
            DECLARED,
            shown=(NO_ADDRESS,),
        ),
        _script("Latin with diacritics", "Zoë", "Dvořák-Łódź", "Crème brûlée façonnée"),
        _script("Greek", "Γιώργος", "Παπαδόπουλος", "Ελληνικό μέλι"),
        _script("Cyrillic", "Анастасия", "Ёлкина", "Шерстяной плед"),
        _script("Arabic", "محمد", "الأحمد", "قهوة عربية"),
        _script("Hebrew", "שרה", "כהן", "שמן זית"),
        _script("CJK", "山田", "太郎", "煎茶 緑茶"),
        _script("Hangul", "김", "민준", "한국 김치"),
        _no_font("Devanagari", "अनीता", "शर्मा", "मसाला चाय"),
        _no_font("Thai", "สมชาย", "ใจดี", "ผ้าไหมไทย"),
        _script(
            "emoji", "Zoë", "😀", "Party pack 🎉🦄", ("Zoë", "😀", f"Party pack {REPLACED * 2}")
        ),
    ]


CASES = _cases()


@dataclass
class Placed:
    """A case as placed in the store, and what the checks found."""

    case: PoisonCase
    order_id: int
    outcome: str = ""
    problems: list[str] = field(default_factory=list)

    def problem(self, what: str) -> None:
        self.problems.append(f"poison {self.case.name} (order {self.order_id}): {what}")


def _fetch_prefix(store_hash: str, order_id: int) -> str:
    return names.fetch_prefix(ORDER, store_hash, str(order_id))


def _document_prefix(store_hash: str, order_id: int) -> str:
    return f"{store_hash}/order-{order_id}-"


def _of_order(entry: DeadLetter, store_hash: str, order_id: int) -> bool:
    prefixes = (_fetch_prefix(store_hash, order_id), _document_prefix(store_hash, order_id))
    return entry.record_key.startswith(prefixes)


# --- what an archived PDF draws ---------------------------------------------------------

_CMAP_PAIR = re.compile(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>")
_BFCHAR = re.compile(rb"beginbfchar(.*?)endbfchar", re.S)


def _to_unicode(font: pikepdf.Object) -> dict[int, str]:
    """Glyph id -> text, from the font's ToUnicode map (fpdf2 writes bfchar entries)."""
    if "/ToUnicode" not in font:
        return {}
    table: dict[int, str] = {}
    for section in _BFCHAR.findall(font.ToUnicode.read_bytes()):
        for glyph, text in _CMAP_PAIR.findall(section):
            table[int(glyph, 16)] = bytes.fromhex(text.decode()).decode("utf-16-be")
    return table


def _decode(raw: bytes, table: dict[int, str]) -> str:
    """Two-byte glyph ids (Identity-H) to text. An unmapped glyph (a box nobody can read
    back) decodes as NUL, which no expected text holds; U+FFFD only when drawn as such."""
    ids = (int.from_bytes(raw[i : i + 2], "big") for i in range(0, len(raw), 2))
    return "".join(table.get(glyph, "\0") for glyph in ids)


@dataclass(frozen=True)
class TextObject:
    """One text object (BT..ET) as drawn: its page, its last text position in points from
    the page's lower left corner, and its text through the fonts' ToUnicode maps."""

    page: int
    x: float
    y: float
    text: str


def text_objects(pdf: pikepdf.Pdf) -> list[TextObject]:
    """Every text object of every page, in drawing order."""
    found: list[TextObject] = []
    for number, page in enumerate(pdf.pages, start=1):
        fonts = {str(k): _to_unicode(v) for k, v in page.Resources.get("/Font", {}).items()}
        table: dict[int, str] = {}
        block: list[str] = []
        x = y = 0.0
        for instruction in pikepdf.parse_content_stream(page):
            operands, op = instruction.operands, str(instruction.operator)
            if op == "Tf":
                table = fonts.get(str(operands[0]), {})
            elif op == "Td":
                x, y = float(operands[0]), float(operands[1])
            elif op == "Tj":
                block.append(_decode(bytes(operands[0]), table))
            elif op == "TJ":
                block += [
                    _decode(bytes(s), table) for s in operands[0] if isinstance(s, pikepdf.String)
                ]
            elif op == "ET":
                found.append(TextObject(number, x, y, "".join(block)))
                block = []
    return found


def drawn_text(pdf: pikepdf.Pdf) -> list[str]:
    """Every text object of every page as drawn, one string per BT..ET."""
    return [found.text for found in text_objects(pdf)]


def _logical(blocks: list[str]) -> str:
    """All drawn text, each block also reversed (right-to-left lines are drawn in visual
    order), with presentation forms folded back to letters (NFKC)."""
    both = [*blocks, *(block[::-1] for block in blocks)]
    return "\n".join(unicodedata.normalize("NFKC", block) for block in both)


def _exact_names(case: PoisonCase) -> list[str]:
    """The customer and product names the case placed, as the store holds them."""
    billing = case.order.get("billing_address") or {}
    names = [billing.get("first_name", ""), billing.get("last_name", "")]
    names += [line.get("name", "") for line in case.order["products"]]
    return [name for name in names if name]


def _check_invoice(placed: Placed, record: dict[str, str]) -> None:
    """The archived invoice: its page count, the texts it must draw, and the exact names
    in the source JSON it carries."""
    pdf_bytes = clients.otcs().download(int(record["target_id"]))
    with pikepdf.open(io.BytesIO(pdf_bytes)) as pdf:
        if len(pdf.pages) < placed.case.min_pages:
            placed.problem(f"invoice has {len(pdf.pages)} pages, not {placed.case.min_pages}+")
        text = _logical(drawn_text(pdf))
        source = b"".join(spec.get_file().read_bytes() for spec in pdf.attachments.values())
    missing = [s for s in placed.case.shown if unicodedata.normalize("NFKC", s) not in text]
    if missing:
        placed.problem(f"invoice does not draw {len(missing)} expected texts, e.g. {missing[0]!r}")
    source_text = source.decode()
    if any(name not in source_text for name in _exact_names(placed.case)):
        placed.problem("the source JSON attached to the invoice lacks an exact name")


# --- per case ---------------------------------------------------------------------------


def _check_dead_lettered(placed: Placed, world: ChaosWorld, entries: list[DeadLetter]) -> None:
    ledger = services.ledger()
    fetches = ledger.states_with_prefix(_fetch_prefix(world.store_hash, placed.order_id))
    refused = fetches[DEAD_LETTERED]
    others = set().union(*(keys for state, keys in fetches.items() if state != DEAD_LETTERED))
    if not refused or others:
        placed.problem(f"fetches: {len(refused)} dead-lettered, {len(others)} otherwise")
    mine = [e for e in entries if _of_order(e, world.store_hash, placed.order_id)]
    for entry in mine:
        if entry.exception_type != "InvalidSnapshot" or f"'{placed.case.bad_field}'" not in (
            entry.exception
        ):
            placed.problem(f"dead letter {entry.exception_type} does not name the bad field")
        retries = int(ledger.get(entry.record_key).get("retries", 0) or 0)
        if entry.attempts != 1 or retries:
            placed.problem(f"dead-lettered after {entry.attempts} attempts, {retries} retries")
    if not mine:
        placed.problem("no dead letter names the order")
    documents = ledger.states_with_prefix(_document_prefix(world.store_hash, placed.order_id))
    if any(documents.values()):
        placed.problem("documents were made from data that was refused")
    placed.outcome = f"dead-lettered: InvalidSnapshot naming {placed.case.bad_field}"


def _check_declared(placed: Placed, world: ChaosWorld, entries: list[DeadLetter]) -> None:
    client = clients.bigcommerce(world.store_hash)
    try:
        refs = due_documents(fetch_order_snapshot(client, world.store_hash, placed.order_id))
    except PermanentError as exc:
        placed.problem(f"refused at fetch, expected declared ({type(exc).__name__})")
        return
    records = services.ledger().get_many(names.record_key(ref) for ref in refs)
    undeclared = [
        names.filename(r)
        for r, rec in zip(refs, records, strict=True)
        if rec.get("state") != DECLARED
    ]
    if undeclared:
        placed.problem(f"not declared: {', '.join(undeclared)}")
    if any(_of_order(e, world.store_hash, placed.order_id) for e in entries):
        placed.problem("dead-lettered, expected declared")
    invoices = [rec for r, rec in zip(refs, records, strict=True) if r.kind == DocumentKind.INVOICE]
    if not invoices or invoices[0].get("state") != DECLARED:
        placed.problem("no declared invoice to read back")
    else:
        _check_invoice(placed, invoices[0])
    placed.outcome = f"declared: {len(refs)} documents"


def _place(world: ChaosWorld, case: PoisonCase) -> Placed:
    order = world.sandbox.admin("bigcommerce", "POST", "/orders", case.order)
    world.note(f"poison order {order['id']}: {case.name}")
    return Placed(case, int(order["id"]))


def _normal_dead_letters(
    world: ChaosWorld, placed: list[Placed], entries: list[DeadLetter]
) -> list[str]:
    """Dead letters of the normal orders (the poison ones are judged case by case): the
    rest must have gone through untouched."""
    return [
        f"normal order dead-lettered: {e.record_key}: {e.exception_type}"
        for e in entries
        if not any(_of_order(e, world.store_hash, p.order_id) for p in placed)
    ]


def _stuck(world: ChaosWorld) -> list[str]:
    """Records neither finished nor refused once the pipeline has settled."""
    seen = look(world.store_hash)
    final = ("fetched", DEAD_LETTERED)
    stuck = [k for state, keys in seen.fetches.items() if state not in final for k in keys]
    stuck += [
        k
        for state, keys in seen.documents.items()
        if state not in FINAL_DOCUMENT_STATES
        for k in keys
    ]
    return [f"stuck record {key}" for key in sorted(stuck)]


def drive(world: ChaosWorld, long: bool) -> list[str]:
    """Place every case while the pipeline archives the normal orders, wait until all is
    settled (the checks need final states), then judge each case and the rest. The long
    form only has more normal orders around the same cases."""
    placed = [_place(world, case) for case in CASES]
    started = time.monotonic()
    try:
        settled = wait_until_settled(world.store_hash, started + SETTLE_S, stall_s=STALL_S)
    except TimeoutError:
        settled = False
    if not settled:
        return ["poison: the pipeline did not settle", *_stuck(world)]
    world.figures["settled_s"] = round(time.monotonic() - started, 1)
    entries = services.dead_letters().list(DeadLetterFilter(status=None), limit=10**6)
    for each in placed:
        check = _check_dead_lettered if each.case.outcome == DEAD_LETTERED else _check_declared
        check(each, world, entries)
        log_event(
            "chaos.poison.judged",
            case=each.case.name,
            order_id=each.order_id,
            outcome=each.outcome,
            problems=len(each.problems),
        )
    world.figures["poison"] = {f"{p.case.name} (order {p.order_id})": p.outcome for p in placed}
    problems = [problem for p in placed for problem in p.problems]
    return problems + _normal_dead_letters(world, placed, entries) + _stuck(world)


SCENARIO = Scenario(
    name="poison",
    injected=(
        "poison orders among normal ones: malformed fields, 500 lines, zero and negative "
        "totals, missing addresses, names in many scripts"
    ),
    short_orders=20,
    long_orders=300,
    drive=drive,
    dead_letters_expected=True,
)
