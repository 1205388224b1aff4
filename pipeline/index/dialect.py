"""An INSERT that can say ON CONFLICT, in the dialect of the session or engine: the index's
idempotent writes (a record's row, audit entries, a recall's items and orders) rely on
the database, not on a read before the write, so concurrent workers cannot collide."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session


def insert(bind: Session | Engine, model: type[Any]) -> Any:
    engine = bind.get_bind() if isinstance(bind, Session) else bind
    if engine.dialect.name == "postgresql":
        return postgresql.insert(model)
    return sqlite.insert(model)
