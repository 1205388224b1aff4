"""The as-of rule, against look and event sequences written to the archive index as the
look task writes them: never `exact` unless the evidence closes the gap."""

from __future__ import annotations

import random
from collections.abc import Callable

import pytest

from pipeline.flows.disclosures.evidence import AMBIGUOUS, EXACT, UNKNOWN, verdict
from pipeline.index.disclosures import DisclosureIndex
from pipeline.index.records import ArchiveIndex
from schemas.disclosures import PAGE
from tests.disclosures.evidence_world import STORE, SUBJECT, History, at, fingerprint

A, B, C = "A", "B", "C"


def steady(h: History) -> None:
    """A seen by two watched polls."""
    h.look(0, A)
    h.look(300, A)


def edit_with_webhook(h: History) -> None:
    """A, edited to B at 100 (webhook delivered, its look at 101), then a poll."""
    h.look(0, A)
    h.event(100)
    h.look(101, B)
    h.look(300, B)


def edit_and_revert_webhooks_lost(h: History) -> None:
    """A→B→A inside one interval, hooks not active: both looks unwatched."""
    h.look(0, A, watched=False)
    h.look(300, A, watched=False)


def edit_and_revert_webhooks_late(h: History) -> None:
    """A→B→A at 100 and 200; the poll at 300 sees A before either webhook is recorded."""
    h.look(0, A)
    h.look(300, A)
    h.event(100, received=300.5)
    h.look(301, A)
    h.event(200, received=301.5)
    h.look(302, A)


def edit_and_revert_webhooks_on_time(h: History) -> None:
    """A→B→A, each webhook recorded and looked at before the next poll."""
    h.look(0, A)
    h.event(100)
    h.look(101, B)
    h.event(200)
    h.look(201, A)
    h.look(300, A)


def change_with_event_lost(h: History) -> None:
    """A then B with no event: a watched hook that did not deliver."""
    h.look(0, A)
    h.look(300, B)


def change_unwatched(h: History) -> None:
    h.look(0, A, watched=False)
    h.look(300, B, watched=False)


def two_edits_in_one_gap(h: History) -> None:
    """A→B at 100, B→C at 200, both webhooks recorded only by the poll at 300."""
    h.look(0, A)
    h.event(100, received=299)
    h.event(200, received=299.5)
    h.look(300, C)


def edit_right_after_a_look(h: History) -> None:
    """A run of A whose last look is within the clock tolerance of the next edit."""
    h.look(0, A)
    h.look(100, A)
    h.look(200.4, A)
    h.event(200)
    h.look(201, B)


def single_look(h: History) -> None:
    h.look(100, A)


SCENARIOS: dict[str, Callable[[History], None]] = {
    f.__name__: f
    for f in (
        steady,
        edit_with_webhook,
        edit_and_revert_webhooks_lost,
        edit_and_revert_webhooks_late,
        edit_and_revert_webhooks_on_time,
        change_with_event_lost,
        change_unwatched,
        two_edits_in_one_gap,
        edit_right_after_a_look,
        single_look,
    )
}

# (scenario, seconds after T0, expected state, expected versions in order)
TABLE = [
    ("steady", -1, UNKNOWN, ()),
    ("steady", 0, EXACT, (A,)),
    ("steady", 150, EXACT, (A,)),
    ("steady", 301, AMBIGUOUS, (A,)),  # nothing seen since the last look
    ("edit_with_webhook", 50, EXACT, (A,)),
    ("edit_with_webhook", 99, AMBIGUOUS, (A, B)),  # within the clock tolerance of the edit
    ("edit_with_webhook", 100, AMBIGUOUS, (A, B)),
    ("edit_with_webhook", 100.5, AMBIGUOUS, (A, B)),
    ("edit_with_webhook", 200, EXACT, (B,)),
    ("edit_and_revert_webhooks_lost", 150, AMBIGUOUS, (A,)),
    ("edit_and_revert_webhooks_lost", 10, AMBIGUOUS, (A,)),
    ("edit_and_revert_webhooks_late", 50, EXACT, (A,)),  # before both changes
    ("edit_and_revert_webhooks_late", 150, AMBIGUOUS, (A,)),  # B was live: never seen
    ("edit_and_revert_webhooks_late", 250, EXACT, (A,)),  # after both: the run's version
    ("edit_and_revert_webhooks_on_time", 50, EXACT, (A,)),
    ("edit_and_revert_webhooks_on_time", 150, EXACT, (B,)),
    ("edit_and_revert_webhooks_on_time", 199, AMBIGUOUS, (B, A)),
    ("edit_and_revert_webhooks_on_time", 250, EXACT, (A,)),
    ("change_with_event_lost", 150, AMBIGUOUS, (A, B)),
    ("change_unwatched", 150, AMBIGUOUS, (A, B)),
    ("two_edits_in_one_gap", 50, EXACT, (A,)),
    ("two_edits_in_one_gap", 150, AMBIGUOUS, (A, C)),  # B was never seen: not listable
    ("two_edits_in_one_gap", 250, EXACT, (C,)),
    ("edit_right_after_a_look", 150, EXACT, (A,)),
    ("edit_right_after_a_look", 199, AMBIGUOUS, (A,)),  # the edit may be before the look
    ("edit_right_after_a_look", 200.7, AMBIGUOUS, (A, B)),
    ("single_look", 99, UNKNOWN, ()),
    ("single_look", 100, AMBIGUOUS, (A,)),
    ("single_look", 101, AMBIGUOUS, (A,)),
]


def _answer(disclosures: DisclosureIndex, seconds: float) -> tuple[str, tuple[str, ...]]:
    evidence = disclosures.evidence(STORE, PAGE, SUBJECT)
    found = verdict(evidence.runs, evidence.changes, at(seconds))
    names = {fingerprint(body): body for body in (A, B, C)}
    return found.state, tuple(names[run.fingerprint] for run in found.runs)


@pytest.mark.parametrize(("scenario", "seconds", "state", "versions"), TABLE)
def test_as_of_rule(
    index: ArchiveIndex, scenario: str, seconds: float, state: str, versions: tuple[str, ...]
) -> None:
    disclosures = DisclosureIndex(index.engine)
    SCENARIOS[scenario](History(disclosures))
    assert _answer(disclosures, seconds) == (state, versions)


def test_every_scenario_is_in_the_table() -> None:
    assert {row[0] for row in TABLE} == set(SCENARIOS)


def test_a_look_again_of_the_same_version_extends_its_run(index: ArchiveIndex) -> None:
    disclosures = DisclosureIndex(index.engine)
    history = History(disclosures)
    for seconds in (0, 300, 600):
        history.look(seconds, A)
    runs = disclosures.evidence(STORE, PAGE, SUBJECT).runs
    assert [(r.first_seen, r.last_seen, r.looks) for r in runs] == [(at(0), at(600), 3)]


def _truth(changes: list[tuple[float, str]], moment: float) -> str:
    live = changes[0][1]
    for when, body in changes:
        if when <= moment:
            live = body
    return live


@pytest.mark.parametrize("seed", range(40))
def test_never_confidently_wrong(index: ArchiveIndex, seed: int) -> None:
    """A random store history (edits back and forth, several inside one poll interval),
    polls every 300 s, webhooks delivered (each woken look a second later, sometimes
    recorded only after the next poll) or, for whole stretches, not at all (hook
    deactivated: those looks unwatched): every `exact` answer is the truth."""
    rng = random.Random(seed)
    disclosures = DisclosureIndex(index.engine)
    history = History(disclosures)
    changes: list[tuple[float, str]] = [(-1000.0, A)]
    clock = 0.0
    while clock < 3000:
        clock += rng.choice((3, 30, 120, 400))
        changes.append((clock, rng.choice((A, B, C))))
    hooks_off = {k for k in range(10) if rng.random() < 0.3}  # 300 s stretches
    steps: list[tuple[float, str, float]] = [(t, "poll", t) for t in range(0, 3300, 300)]
    for when, _ in changes[1:]:
        if int(when // 300) not in hooks_off:
            delay = rng.choice((1, 1, 5, 400))
            steps.append((when + delay, "event", when))
    for moment, what, when in sorted(steps):
        watched = int(moment // 300) not in hooks_off
        if what == "event":
            history.event(when, received=moment - 0.5)
        history.look(moment, _truth(changes, moment), watched=watched)
    for _ in range(60):
        moment = rng.uniform(-100, 3300)
        state, versions = _answer(disclosures, moment)
        if state == EXACT:
            assert versions == (_truth(changes, moment),), (seed, moment)
