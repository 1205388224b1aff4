"""The admin write log: every write the store applied through the API, in order.

Tests of the publish stage prove "applied exactly once" from it, which neither the
client's view (an answer may be lost after the store acted) nor the resource itself (a
repeated identical PUT leaves the same state) can show. A write counts as applied when
the handler answered 2xx, 207 included (a batch that applied part of its items); a 4xx
or 5xx changed nothing. Only the admin API reads it; it is never part of an API answer.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Any

WRITE_METHODS = frozenset({"POST", "PUT", "DELETE"})
# POSTs that compute an answer and change nothing: a refund quote (DOC-REF: "the quote step
# is optional"; it creates no refund). Neither logged nor subject to `lost_answer_rate`.
SIDE_EFFECT_FREE = ("/payment_actions/refund_quotes",)


def is_write(method: str, path: str) -> bool:
    return method in WRITE_METHODS and not path.endswith(SIDE_EFFECT_FREE)


@dataclass(frozen=True)
class AppliedWrite:
    """One applied write: its sequence number, request line, answer status, JSON body and
    whether its answer reached the client (False: a `lost_answer_rate` fault dropped it)."""

    seq: int
    method: str
    path: str
    query: str
    status: int
    body: Any
    answered: bool


@dataclass
class WriteLog:
    entries: list[AppliedWrite] = field(default_factory=list)

    def record(
        self, method: str, path: str, query: str, status: int, raw: bytes, *, answered: bool
    ) -> None:
        """Keep the write if it was applied (see the module docstring)."""
        if not is_write(method, path) or not (200 <= status < 300):
            return
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            body = raw.decode("utf-8", "replace")
        seq = len(self.entries) + 1
        self.entries.append(AppliedWrite(seq, method, path, query, status, body, answered))

    def listing(self) -> list[dict[str, Any]]:
        return [asdict(entry) for entry in self.entries]

    def clear(self) -> None:
        self.entries.clear()
