"""Disclosure tests use the archive index on every backend (tests/index/conftest.py)."""

from tests.index.conftest import database_url, index

__all__ = ["database_url", "index"]
