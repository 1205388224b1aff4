"""The demo's progress: phases in order, each with a total fixed when it starts."""

from __future__ import annotations

from collections.abc import Iterable

from rich.progress import Progress

from pipeline.cli.progress import PhaseBars
from pipeline.devtools.demo_phases import (
    CHECKING,
    DECLARING,
    FETCHING,
    PIPELINE_PHASES,
    POLLING,
    RENDERING,
    PhaseTracker,
)
from pipeline.devtools.settling import Snapshot

STORE = "abc123"


class Recorder:
    """A `PhaseView` that remembers what it was told."""

    def __init__(self) -> None:
        self.started: list[tuple[str, int]] = []
        self.advanced: list[tuple[str, int]] = []
        self.announced: list[str] = []

    def announce(self, text: str) -> None:
        self.announced.append(text)

    def start(self, phase: str, total: int, unit: str) -> None:
        self.started.append((phase, total))

    def advance(self, phase: str, done: int) -> None:
        self.advanced.append((phase, done))

    def total(self, phase: str) -> int:
        return dict(self.started)[phase]


def _fetch(order: int, event: str = "e1") -> str:
    return f"{STORE}:order:{order}:fetch:{event}"


def _doc(order: int, kind: str) -> str:
    return f"{STORE}/order-{order}-{kind}.pdf/fp"


def snapshot(
    pending: Iterable[str] = (),
    fetched: Iterable[str] = (),
    rendered: Iterable[str] = (),
    declared: Iterable[str] = (),
    documents_pending: Iterable[str] = (),
) -> Snapshot:
    return Snapshot(
        {"pending": set(pending), "fetched": set(fetched), "dead_lettered": set()},
        {
            "pending": set(documents_pending),
            "rendered": set(rendered),
            "classified": set(),
            "declared": set(declared),
            "dead_lettered": set(),
        },
    )


def test_phases_start_in_order_each_when_the_one_before_is_complete() -> None:
    view = Recorder()
    tracker = PhaseTracker(view, orders_owed=2)
    assert view.started == [(POLLING, 2)]
    tracker.observe(snapshot(pending={_fetch(1)}))
    assert [phase for phase, _ in view.started] == [POLLING]
    tracker.observe(snapshot(pending={_fetch(2)}, fetched={_fetch(1)}))
    assert [phase for phase, _ in view.started] == [POLLING, FETCHING]
    docs = {_doc(1, "invoice"), _doc(2, "invoice")}
    tracker.observe(snapshot(fetched={_fetch(1), _fetch(2)}, documents_pending=docs))
    tracker.observe(snapshot(fetched={_fetch(1), _fetch(2)}, rendered=docs))
    tracker.observe(snapshot(fetched={_fetch(1), _fetch(2)}, declared=docs))
    assert view.started == [(POLLING, 2), (FETCHING, 2), (RENDERING, 2), (DECLARING, 2)]
    assert view.advanced[-1] == (DECLARING, 2)


def test_a_total_never_grows_when_more_work_shows_up_later() -> None:
    """An order fetched twice (a poll and a webhook) is one order; documents that show
    up after the rendering phase began do not raise its total."""
    view = Recorder()
    tracker = PhaseTracker(view, orders_owed=1)
    fetched = {_fetch(1, "poll"), _fetch(1, "webhook")}
    first = {_doc(1, "invoice")}
    tracker.observe(snapshot(fetched=fetched, documents_pending=first))
    later = first | {_doc(1, "order_record"), _doc(1, "packing_slip")}
    tracker.observe(snapshot(fetched=fetched, rendered=later))
    assert view.total(FETCHING) == 1
    assert view.total(RENDERING) == 1
    assert len(view.started) == len({phase for phase, _ in view.started})
    totals = dict(view.started)
    assert all(done <= totals[phase] for phase, done in view.advanced)


def test_the_rendering_total_is_what_the_fetches_owe_when_fetching_completes() -> None:
    view = Recorder()
    owed = {_doc(1, "invoice"), _doc(1, "order_record"), _doc(1, "tax_breakdown")}
    tracker = PhaseTracker(view, orders_owed=1, owed_documents=lambda seen: owed)
    tracker.observe(snapshot(fetched={_fetch(1)}, documents_pending={_doc(1, "invoice")}))
    assert view.total(RENDERING) == 3


def test_a_round_of_live_changes_counts_only_its_own_work() -> None:
    before = snapshot(fetched={_fetch(1)}, declared={_doc(1, "invoice")})
    view = Recorder()
    tracker = PhaseTracker(view, 1, label="live changes: ", before=before)
    assert view.started == [("live changes: polling", 1)]
    new_doc = _doc(1, "credit_note")
    tracker.observe(
        snapshot(
            fetched={_fetch(1), _fetch(1, "refund")},
            declared={_doc(1, "invoice")},
            documents_pending={new_doc},
        )
    )
    assert dict(view.started)["live changes: rendering"] == 1
    tracker.observe(
        snapshot(fetched={_fetch(1), _fetch(1, "refund")}, declared={_doc(1, "invoice"), new_doc})
    )
    assert view.advanced[-1] == ("live changes: declaring", 1)


def test_finish_shows_every_phase_even_when_an_order_never_arrived() -> None:
    view = Recorder()
    tracker = PhaseTracker(view, orders_owed=3)
    tracker.finish(snapshot(fetched={_fetch(1)}, declared={_doc(1, "invoice")}))
    assert [phase for phase, _ in view.started] == list(PIPELINE_PHASES)
    assert (FETCHING, 1) in view.advanced


def test_phase_bars_keep_a_row_per_phase_with_its_starting_total() -> None:
    progress = Progress(disable=True)
    bars = PhaseBars(progress)
    bars.start(FETCHING, 5, "orders fetched")
    bars.advance(FETCHING, 3)
    bars.start(CHECKING, 0, "orders checked")
    bars.advance(CHECKING, 0)
    fetching, checking = progress.tasks
    assert (fetching.description, fetching.total, fetching.completed) == (FETCHING, 5, 3)
    assert checking.completed == checking.total, "a phase with nothing to do shows as complete"
