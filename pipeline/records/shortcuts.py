"""Which of the Content Server call savings of issue 18 declare takes.

`CURRENT`, all of them, is what every worker runs. `BASELINE`, none of them, is the
sequence before: every container looked up in the ECM, the classification read before
and after its write, the records to cross-reference found by listing folders. Only
`bcrm bench p8` selects it, in its own process (`taking`), to compare both in one run
against one store.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass


@dataclass(frozen=True)
class DeclareShortcuts:
    # Workspace and folder ids kept in Redis for the fleet (records/containers.py).
    remembered_ids: bool
    # A node just uploaded is declared with one POST, no read before or after
    # (OTCSClient.declare_created).
    one_call_classify: bool
    # Cross-reference counterparts from the archive index and a Redis register of the
    # nodes filed per subject, not folder listings (records/counterparts.py).
    indexed_counterparts: bool


CURRENT = DeclareShortcuts(remembered_ids=True, one_call_classify=True, indexed_counterparts=True)
BASELINE = DeclareShortcuts(
    remembered_ids=False, one_call_classify=False, indexed_counterparts=False
)
_taken = [CURRENT]


def active() -> DeclareShortcuts:
    return _taken[-1]


@contextmanager
def taking(shortcuts: DeclareShortcuts) -> Iterator[None]:
    """Declare with `shortcuts` in this process (every thread) inside the block."""
    _taken.append(shortcuts)
    try:
        yield
    finally:
        _taken.pop()
