"""Alembic migrations of the archive index, shipped with the package (see `database.upgrade`)."""
