"""Which version of one disclosure was live at a moment, from what bcrm saw: the rule.

BigCommerce keeps no history, so the evidence is bcrm's own: **looks** (each poll or
webhook-woken read saw one version at one instant; consecutive looks of one version form
a **run**) and **change events** (the `created_at` of the store's change webhooks). A
moment between two looks is an unobserved gap unless the evidence closes it.

The rule (README "Limits of the evidence"):

- before the first look: `unknown`;
- between two looks (inside one run of at least two looks, or in the gap between two
  runs): only if the looks are all **watched** (the store's change webhooks for the
  disclosure were registered, active and settled) do the change events speak for the
  time between them; then `exact` for the version before when every change that may fall
  between the looks is later than the moment, for the version after when every one is
  earlier (inside a run both are the run's version), and `ambiguous` (the versions either
  side) otherwise, including when the versions differ with no event at all (an event must
  have been lost, so the events cannot be trusted there); unwatched: `ambiguous`. A change
  whose webhook bcrm recorded before a look is one that look already saw;
- after the last look: `ambiguous` (nothing has been seen since).

An edit and its revert between two looks (A→B→A) with the webhooks lost is therefore
`ambiguous`, never `exact`: lost webhooks mean an unwatched look (a deactivated or missing
hook) and so no trust in the gap. The rule's limit: a change whose webhook BigCommerce
never sends while the hook stays active is invisible (its documentation admits no such
loss; retries arrive late, which the receipt's settling wait absorbs). Event and order
times are the store's clock, look times ours: `CLOCK_TOLERANCE` is the skew allowed, and
an event that close to the moment cannot be ordered against it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

EXACT = "exact"
AMBIGUOUS = "ambiguous"
UNKNOWN = "unknown"
# Event times are whole seconds of the store's clock, look times ours: how far apart the
# two may be (truncation and skew). An event this close to a moment cannot be ordered
# against it.
CLOCK_TOLERANCE = timedelta(seconds=2)


@dataclass(frozen=True)
class Run:
    """Consecutive looks that saw one version (`fingerprint`)."""

    fingerprint: str
    first_seen: datetime
    last_seen: datetime
    looks: int
    watched: bool


@dataclass(frozen=True)
class Change:
    """A change webhook: `occurred_at` its `created_at` (store clock), `received_at` when
    bcrm recorded it (our clock; the change is certainly earlier: cause before delivery)."""

    occurred_at: datetime
    received_at: datetime

    def possibly_after(self, look: datetime) -> bool:
        """After a look (our clock, like `received_at`)."""
        return self.received_at > look and self.occurred_at + CLOCK_TOLERANCE > look

    def possibly_before(self, moment: datetime) -> bool:
        """Before a moment (a look or an order's time), skew allowed."""
        return self.occurred_at - CLOCK_TOLERANCE < moment

    def surely_before(self, moment: datetime) -> bool:
        """Before a moment of the store's clock (an order's time), skew allowed."""
        earliest_bound = min(self.received_at, self.occurred_at)
        return earliest_bound + CLOCK_TOLERANCE < moment


@dataclass(frozen=True)
class Verdict:
    """The state and the runs of the versions it names (one for `exact`, those either side
    for `ambiguous`, none for `unknown`)."""

    state: str
    runs: tuple[Run, ...]


def _either_side(before: Run, after: Run | None) -> Verdict:
    if after is None or after.fingerprint == before.fingerprint:
        return Verdict(AMBIGUOUS, (before,))
    return Verdict(AMBIGUOUS, (before, after))


def _between(changes: Sequence[Change], start: datetime, end: datetime) -> list[Change]:
    """The changes that may have happened after a look at `start` and before one at `end`
    (a change recorded before a look was already seen by it)."""
    return [c for c in changes if c.possibly_after(start) and c.possibly_before(end)]


def _across(
    before: Run, after: Run, span: tuple[datetime, datetime], changes: Sequence[Change],
    moment: datetime,
) -> Verdict:  # fmt: skip
    """The moment lies between two looks (`span`): the last of `before` and the first of
    `after`, or, inside one run, its first and last. With both runs watched, the changes
    that may fall between the looks say which side of all of them the moment is on."""
    if not (before.watched and after.watched):
        return _either_side(before, after)
    between = _between(changes, *span)
    if not between:
        if before.fingerprint == after.fingerprint:
            return Verdict(EXACT, (before,))
        return _either_side(before, after)
    if not any(c.possibly_before(moment) for c in between):
        return Verdict(EXACT, (before,))
    if all(c.surely_before(moment) for c in between):
        return Verdict(EXACT, (after,))
    return _either_side(before, after)


def verdict(runs: Sequence[Run], changes: Sequence[Change], moment: datetime) -> Verdict:
    """The version of one disclosure live at `moment`, as far as the evidence goes. `runs`
    and `changes` are that disclosure's, in any order."""
    ordered = sorted(runs, key=lambda r: r.first_seen)
    if not ordered or moment < ordered[0].first_seen:
        return Verdict(UNKNOWN, ())
    index = max(i for i, run in enumerate(ordered) if run.first_seen <= moment)
    before = ordered[index]
    after = ordered[index + 1] if index + 1 < len(ordered) else None
    if moment <= before.last_seen:
        if before.looks < 2 or before.first_seen == before.last_seen:
            return Verdict(AMBIGUOUS, (before,))
        return _across(before, before, (before.first_seen, before.last_seen), changes, moment)
    if after is None:
        return Verdict(AMBIGUOUS, (before,))
    return _across(before, after, (before.last_seen, after.first_seen), changes, moment)
