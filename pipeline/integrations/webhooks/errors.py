"""How a refused delivery is described: the status, a stable code and a readable detail."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, TypeVar

from marshmallow import ValidationError

T = TypeVar("T")


class Rejected(Exception):
    """A delivery refused with `status`; `error` is a stable code, `detail` for humans
    (never a secret: it is sent back to whoever posted)."""

    def __init__(self, status: int, error: str, detail: str | dict[str, Any] | list[Any]) -> None:
        super().__init__(error)
        self.status = status
        self.error = error
        self.detail = detail


def checked_json(body: bytes, load: Callable[[Any], T]) -> T:
    """The body decoded and checked by `load`: 400 when it is not JSON, 422 naming the
    offending fields when `load` refuses it."""
    try:
        payload = json.loads(body)
    # RecursionError: nesting deeper than Python's recursion limit (a few KB of `[`),
    # which is no ValueError and was answered 500.
    except (ValueError, RecursionError):
        raise Rejected(400, "invalid_json", "body is not JSON") from None
    try:
        return load(payload)
    except ValidationError as exc:
        raise Rejected(422, "invalid_delivery", exc.messages) from None
