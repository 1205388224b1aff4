"""Alembic environment: runs on the connection `database.upgrade` opened and locked.

Without one (a developer running `alembic -x url=... revision --autogenerate`), it
connects to the `url` given with `-x`.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from pipeline.index.database import make_engine
from pipeline.index.models import Base


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


connection = context.config.attributes.get("connection")
if connection is not None:
    _run(connection)
else:
    url = context.get_x_argument(as_dictionary=True)["url"]
    with make_engine(url).begin() as own:
        _run(own)
