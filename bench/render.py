"""P5 render benchmark: one-page invoice and packing slip, PDF/A-3b, warm worker.

Each scenario runs in a fresh process (so peak RSS is its own), renders a few times to
warm up, then N times under the clock. Two baselines run the same way: the floor of
fpdf2 (a plain PDF page in a core font) and the naive PDF/A-3b page the reference
measured (``add_font`` on every render, no font cache). Every render starts from a
snapshot freshly reloaded (untimed) from its staged bytes, as the render task does,
so nothing carries over from one render to the next but the warm font cache; the
reload itself is timed as its own row.

    python bench/render.py [--renders 200]

Prints a table and writes bench/results/render.json. Wall and CPU (thread) time are
both reported: on a shared host the wall clock also measures the neighbours.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import platform
import resource
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

RESULTS = ROOT / "bench" / "results" / "render.json"
TARGET_MEDIAN_MS = 15.0
WARM_UP = 5
FONT = ROOT / "pipeline" / "records" / "pdf" / "fonts" / "DejaVuSans.ttf"


Prepared = Callable[[], object]
Timed = Callable[[object], int]


def _order_document(kind: str) -> tuple[Prepared, Timed]:
    """Render from a snapshot freshly reloaded (untimed) from its staged bytes."""
    from pipeline.core import registry
    from pipeline.flows.commerce.documents import DocumentKind, order_document
    from pipeline.records.pdf.fonts import FONT_BOOK
    from schemas.snapshot import OrderSnapshot
    from tests.documents.payloads import snapshot_payload

    staged = OrderSnapshot.load(snapshot_payload("order_100")).to_json_bytes()
    FONT_BOOK.warm()
    part = "301" if kind == DocumentKind.PACKING_SLIP else None
    spec = order_document(OrderSnapshot.from_json_bytes(staged), DocumentKind(kind), part)
    flow = registry.flow_of_kind(spec.kind)
    return (
        lambda: OrderSnapshot.from_json_bytes(staged),
        lambda snapshot: len(flow.render(snapshot, spec).bytes),
    )


def _snapshot_load() -> tuple[Prepared, Timed]:
    """What the render task pays before rendering: staged bytes back into a snapshot."""
    from schemas.snapshot import OrderSnapshot
    from tests.documents.payloads import snapshot_payload

    staged = OrderSnapshot.load(snapshot_payload("order_100")).to_json_bytes()
    return lambda: staged, lambda raw: len(OrderSnapshot.from_json_bytes(raw).to_json_bytes())  # type: ignore[arg-type]


def _fpdf2_page(pdfa: bool) -> tuple[Prepared, Timed]:
    from fpdf import FPDF

    def render(_: object) -> int:
        pdf = FPDF(enforce_compliance="PDFA_3B" if pdfa else None)
        if pdfa:
            pdf.add_font("dejavu", "", FONT)
            pdf.set_font("dejavu", size=9)
        else:
            pdf.set_font("helvetica", size=9)
        pdf.add_page()
        for row in range(40):
            pdf.cell(120, 5, f"Line {row}: Hand Grinder, conical burr", new_x="RIGHT")
            pdf.cell(40, 5, f"{row * 12.5:,.2f} EUR", align="R", new_x="LMARGIN", new_y="NEXT")
        return len(pdf.output())

    return lambda: None, render


SCENARIOS: dict[str, tuple[str, Callable[[], tuple[Prepared, Timed]]]] = {
    "invoice": ("bcrm invoice, PDF/A-3b", lambda: _order_document("invoice")),
    "packing_slip": ("bcrm packing slip, PDF/A-3b", lambda: _order_document("packing_slip")),
    "snapshot_load": ("bcrm snapshot load + canonical JSON (not render)", _snapshot_load),
    "baseline_plain": ("baseline: fpdf2 page, core font, plain PDF", lambda: _fpdf2_page(False)),
    "baseline_naive_pdfa": (
        "baseline: fpdf2 page, PDF/A-3b, add_font per render",
        lambda: _fpdf2_page(True),
    ),
}


def _run(name: str, renders: int) -> dict[str, object]:
    prepare, render = SCENARIOS[name][1]()
    for _ in range(WARM_UP):
        render(prepare())
    timings, cpu_timings = [], []
    size = 0
    for _ in range(renders):
        prepared = prepare()
        start, cpu_start = time.perf_counter(), time.thread_time()
        size = render(prepared)
        cpu_timings.append((time.thread_time() - cpu_start) * 1000)
        timings.append((time.perf_counter() - start) * 1000)
    return {
        "scenario": name,
        "description": SCENARIOS[name][0],
        "renders": renders,
        "median_ms": round(statistics.median(timings), 2),
        "p99_ms": round(statistics.quantiles(timings, n=100)[98], 2),
        "mean_ms": round(statistics.fmean(timings), 2),
        "cpu_median_ms": round(statistics.median(cpu_timings), 2),
        "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "pdf_bytes": size,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--renders", type=int, default=200)
    parser.add_argument("--baseline-renders", type=int, default=40)
    args = parser.parse_args()
    context = multiprocessing.get_context("spawn")
    load_at_start = os.getloadavg()
    results = []
    for name in SCENARIOS:
        renders = args.baseline_renders if name.startswith("baseline") else args.renders
        with context.Pool(1) as pool:
            results.append(pool.apply(_run, (name, renders)))
    plain = next(r for r in results if r["scenario"] == "baseline_plain")["median_ms"]
    print(
        f"{'scenario':<52} {'median':>8} {'p99':>8} {'cpu med':>8} {'x plain':>8}"
        f" {'RSS MiB':>8} {'bytes':>8}"
    )
    for row in results:
        ratio = row["median_ms"] / plain  # type: ignore[operator]
        print(
            f"{row['description']:<52} {row['median_ms']:>8} {row['p99_ms']:>8}"
            f" {row['cpu_median_ms']:>8} {ratio:>8.1f} {row['peak_rss_mib']:>8}"
            f" {row['pdf_bytes']:>8}"
        )
    print(f"target: median <= {TARGET_MEDIAN_MS} ms for the bcrm scenarios")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(
        json.dumps(
            {
                "benchmark": "P5 render",
                "target_median_ms": TARGET_MEDIAN_MS,
                "python": platform.python_version(),
                "fpdf2": _fpdf2_version(),
                "cpus": multiprocessing.cpu_count(),
                "load_average_at_start": load_at_start,
                "load_average_at_end": os.getloadavg(),
                "results": results,
            },
            indent=2,
        )
        + "\n",
        encoding="utf-8",
    )
    print(f"wrote {RESULTS.relative_to(ROOT)}")


def _fpdf2_version() -> str:
    from importlib.metadata import version

    return version("fpdf2")


if __name__ == "__main__":
    main()
