"""The archive index on every backend it supports: SQLite always, PostgreSQL when
`BCRM_TEST_DATABASE_URL` names a server (`.ci/run` sets it when one answers locally).

Each PostgreSQL test gets a schema of its own, dropped afterwards, so runs in parallel or
after a crash never see each other's rows.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from pipeline.index.database import make_engine, upgrade
from pipeline.index.records import ArchiveIndex

TEST_DATABASE_ENV = "BCRM_TEST_DATABASE_URL"


def postgres_url() -> str | None:
    return os.environ.get(TEST_DATABASE_ENV) or None


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, empty database URL (no schema yet) on each backend."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'index.sqlite3'}"
        return
    base = postgres_url()
    if base is None:
        pytest.skip(f"PostgreSQL variant: set {TEST_DATABASE_ENV} to a server to run it")
    schema = f"bcrm_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(base)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        url = make_url(base).update_query_dict({"options": f"-csearch_path={schema}"})
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture
def index(database_url: str) -> Iterator[ArchiveIndex]:
    engine = make_engine(database_url)
    upgrade(engine)
    try:
        yield ArchiveIndex(engine)
    finally:
        engine.dispose()
