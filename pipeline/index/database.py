"""The archive index's database: which one, its engine, and bringing its schema up to date.

SQLite under the data dir is the default so a single host needs nothing installed; a
fleet on several hosts sets `BCRM_DATABASE_URL` to a PostgreSQL database. Migrations ship
inside the package and run programmatically (no alembic.ini for users), at start-up of
every process that opens the index. Two processes starting at once are serialised: a file
lock beside the SQLite file, a transaction-scoped advisory lock on PostgreSQL; the second
finds the schema at head and does nothing.
"""

from __future__ import annotations

import fcntl
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url

from pipeline.runtime.settings import Settings

MIGRATIONS = Path(__file__).with_name("migrations")
SQLITE_FILE = "index.sqlite3"
# Long enough for a fleet's short write transactions to queue rather than fail.
SQLITE_BUSY_TIMEOUT_MS = 30_000
# pg_advisory_xact_lock key: "bcrm-idx" as an integer, shared by every bcrm process.
MIGRATION_LOCK_KEY = 0x62636D2D696478


def database_url(config: Settings) -> str:
    """`BCRM_DATABASE_URL` (PostgreSQL through psycopg 3), else the SQLite file in the data dir."""
    if not config.database_url:
        return f"sqlite:///{config.data_path / SQLITE_FILE}"
    url = config.database_url
    for bare in ("postgres://", "postgresql://"):
        if url.startswith(bare):
            return "postgresql+psycopg://" + url[len(bare) :]
    return url


def _sqlite_setup(engine: Engine) -> None:
    """WAL lets readers run beside the one writer; the busy timeout makes writers wait
    their turn. The driver's own transaction handling is switched off so that every
    transaction (migrations included: transactional DDL) is one explicit
    `BEGIN IMMEDIATE`, which takes the write lock up front instead of failing when a read
    transaction tries to become a write one under contention."""

    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection: Any, _: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(connection: Any) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def _ensure_wal(database: str) -> None:
    """Switch the file to WAL once (the mode persists in the file). Changing the mode
    does not wait on the busy timeout, so racing first starts take turns on a lock."""
    Path(database).parent.mkdir(parents=True, exist_ok=True)
    with _file_lock(database):
        connection = sqlite3.connect(database, timeout=SQLITE_BUSY_TIMEOUT_MS / 1000)
        try:
            if connection.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
                connection.execute("PRAGMA journal_mode = WAL")
        finally:
            connection.close()


def make_engine(url: str) -> Engine:
    """An engine for `url`, configured for many processes sharing the database."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            _ensure_wal(parsed.database)
        # A pool of connections per process (the engine is made after a fork, on first
        # use): opening and closing a SQLite connection per write cost ~2 ms a record.
        engine = create_engine(
            parsed,
            connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000, "check_same_thread": False},
            pool_size=2,
            max_overflow=8,
        )
        _sqlite_setup(engine)
        return engine
    return create_engine(parsed, pool_pre_ping=True, pool_size=2, max_overflow=4)


def _alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def head_revision() -> str | None:
    return ScriptDirectory.from_config(_alembic_config()).get_current_head()


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


@contextmanager
def _file_lock(database: str | None) -> Iterator[None]:
    """An exclusive lock beside a SQLite file (none for an in-memory database)."""
    if not database or database == ":memory:":
        yield
        return
    with open(f"{database}.lock", "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def upgrade(engine: Engine) -> None:
    """Bring the schema to the head revision, in one transaction; idempotent."""
    if current_revision(engine) == head_revision():
        return
    config = _alembic_config()
    sqlite_file = engine.url.database if engine.dialect.name == "sqlite" else None
    with _file_lock(sqlite_file), engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            connection.execute(
                text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK_KEY}
            )
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


def open_database(config: Settings) -> Engine:
    """The configured database, its schema at head."""
    engine = make_engine(database_url(config))
    upgrade(engine)
    return engine
