"""How a refused delivery is described: the status, a stable code and a readable detail."""

from __future__ import annotations

from typing import Any


class Rejected(Exception):
    """A delivery refused with `status`; `error` is a stable code, `detail` for humans
    (never a secret: it is sent back to whoever posted)."""

    def __init__(self, status: int, error: str, detail: str | dict[str, Any] | list[Any]) -> None:
        super().__init__(error)
        self.status = status
        self.error = error
        self.detail = detail
