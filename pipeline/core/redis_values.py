"""Redis values as the types this project uses them: replies narrowed, field maps widened.

Every client here leaves `decode_responses` off, so Redis replies are bytes. redis-py types
them as `bytes | str` (it cannot know how the client was made); these helpers narrow them
once, at the edge, instead of a `.decode()` the checker cannot follow. A `str` (a client made
with `decode_responses=True`) passes through unchanged.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import cast

from redis.typing import EncodableT, FieldT

Reply = bytes | str
# One XRANGE row as redis-py types it: the id and the fields are optional there because
# XCLAIM/XAUTOCLAIM report deleted entries that way; a range never holds one.
StreamRow = tuple[Reply | None, Mapping[Reply, Reply] | None]


def text(value: Reply) -> str:
    """A reply as text (UTF-8, like `bytes.decode()`)."""
    return value.decode() if isinstance(value, bytes) else value


def text_or_none(value: Reply | None) -> str | None:
    """A reply that may be nil (a missing key or field) as text or None."""
    return None if value is None else text(value)


def blob(value: Reply) -> bytes:
    """A reply as bytes (a staged blob, a hash to digest)."""
    return value if isinstance(value, bytes) else value.encode()


def text_hash(raw: Mapping[Reply, Reply]) -> dict[str, str]:
    """An HGETALL reply (or a stream entry's fields) with keys and values as text."""
    return {text(k): text(v) for k, v in raw.items()}


def stream_entries(rows: Iterable[StreamRow] | None) -> list[tuple[str, dict[str, str]]]:
    """XRANGE rows as (id, fields) in text; nil (no rows) as an empty list."""
    entries = []
    for entry_id, fields in rows or ():
        if entry_id is None or fields is None:
            raise ValueError("a stream range reply holds a deleted entry")
        entries.append((text(entry_id), text_hash(fields)))
    return entries


def field_map(fields: dict[str, str]) -> dict[FieldT, EncodableT]:
    """Fields for HSET `mapping=` or XADD. redis-py types those as a dict keyed by the union of
    every encodable type, and a dict's key type is invariant, so no `dict[str, str]` passes;
    the same object goes through unchanged."""
    return cast(dict[FieldT, EncodableT], fields)
