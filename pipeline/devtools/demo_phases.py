"""The phases `bcrm demo` shows while the pipeline works: polling, fetching, rendering,
declaring, then checking the inventory.

The stages overlap (an order is rendered while the next is fetched), so a phase here is
what the viewer waits for next: it starts when the one before it is complete, with a total
fixed at that moment, what the store owes as known then. A total never grows: work the
store adds later (the demo's live changes) is a round of its own, announced as such and
counted from what the ledger held when it began.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

from pipeline.core.stages import DOCUMENT_STAGES
from pipeline.devtools.settling import Snapshot, subject_of

POLLING = "polling"
FETCHING = "fetching"
RENDERING = "rendering"
DECLARING = "declaring"
CHECKING = "checking the inventory"
PIPELINE_PHASES: tuple[str, ...] = (POLLING, FETCHING, RENDERING, DECLARING)
# What a phase counts, shown beside its bar.
UNITS = {
    POLLING: "orders found",
    FETCHING: "orders fetched",
    RENDERING: "documents rendered",
    DECLARING: "documents declared",
    CHECKING: "orders checked",
}

_DEAD = "dead_lettered"
_DECLARED = DOCUMENT_STAGES[-1].state_after
# A document is past rendering once any stage from render on has finished for it.
_RENDERED = tuple(stage.state_after for stage in DOCUMENT_STAGES)


class PhaseView(Protocol):
    """Where phases are shown: a progress bar on a terminal, a list in a test."""

    def announce(self, text: str) -> None: ...

    def start(self, phase: str, total: int, unit: str) -> None: ...

    def advance(self, phase: str, done: int) -> None: ...


def documents_seen(seen: Snapshot) -> set[str]:
    """Every document the ledger holds: what is owed once fetching is over and every
    chain has begun (the demo asks the fetches' results instead, which know it sooner)."""
    return set().union(*seen.documents.values())


@dataclass(frozen=True)
class RoundCounts:
    """One round's work so far, counted from the ledger minus what it held at the start.
    The ledger learns of an order a poll (or a webhook) found when its fetch begins, so
    that is when it counts as found."""

    subjects_found: int
    subjects_fetched: int
    documents_rendered: int
    documents_declared: int

    @classmethod
    def since(cls, seen: Snapshot, before: Snapshot | None) -> RoundCounts:
        """Counts of `seen` that were not yet in `before` (a dead letter counts as done:
        it waits for a person, the summary names it)."""
        old_fetches = set().union(*before.fetches.values()) if before else set()
        old_documents = documents_seen(before) if before else set()

        def fetches(*states: str) -> set[str]:
            keys = set().union(*(seen.fetches.get(s, set()) for s in states)) - old_fetches
            return {subject_of(key) for key in keys}

        def documents(*states: str) -> int:
            keys = set().union(*(seen.documents.get(s, set()) for s in states))
            return len(keys - old_documents)

        return cls(
            subjects_found=len(fetches(*seen.fetches)),
            subjects_fetched=len(fetches("fetched", _DEAD)),
            documents_rendered=documents(*_RENDERED, _DEAD),
            documents_declared=documents(_DECLARED, _DEAD),
        )

    def done(self, phase: str) -> int:
        return {
            POLLING: self.subjects_found,
            FETCHING: self.subjects_fetched,
            RENDERING: self.documents_rendered,
            DECLARING: self.documents_declared,
        }[phase]


@dataclass
class PhaseTracker:
    """Moves a `PhaseView` through the pipeline phases of one round from ledger snapshots.

    `orders_owed` is what the store owes when the round starts (its order count, or the
    orders the live changes touched): polling and fetching count out of that. Rendering
    and declaring count out of the documents the round's fetches owe (`owed_documents`),
    asked once fetching is complete.
    """

    view: PhaseView
    orders_owed: int
    owed_documents: Callable[[Snapshot], set[str]] = documents_seen
    label: str = ""
    before: Snapshot | None = None
    current: int = -1
    totals: dict[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._start(0, Snapshot({}, {}))

    def _name(self, index: int) -> str:
        return f"{self.label}{PIPELINE_PHASES[index]}"

    def _start(self, index: int, seen: Snapshot) -> None:
        self.current = index
        phase = PIPELINE_PHASES[index]
        if phase in (POLLING, FETCHING):
            total = self.orders_owed
        elif phase == RENDERING:
            old = documents_seen(self.before) if self.before else set()
            total = len(self.owed_documents(seen) - old)
        else:
            total = self.totals[RENDERING]
        self.totals[phase] = total
        self.view.start(self._name(index), total, UNITS[phase])

    def observe(self, seen: Snapshot) -> None:
        """Show the current phase's progress; start the next one once it is complete."""
        counts = RoundCounts.since(seen, self.before)
        while True:
            phase = PIPELINE_PHASES[self.current]
            done = counts.done(phase)
            self.view.advance(self._name(self.current), min(done, self.totals[phase]))
            last = self.current == len(PIPELINE_PHASES) - 1
            if last or done < self.totals[phase]:
                return
            self._start(self.current + 1, seen)

    def finish(self, seen: Snapshot) -> None:
        """The pipeline settled: show every remaining phase with what it reached."""
        self.observe(seen)
        while self.current < len(PIPELINE_PHASES) - 1:
            self._start(self.current + 1, seen)
            self.observe(seen)
