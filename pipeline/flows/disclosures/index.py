"""This process's view of the archive index's disclosure tables."""

from __future__ import annotations

from pipeline.index.disclosures import DisclosureIndex
from pipeline.runtime import services


def disclosure_index() -> DisclosureIndex:
    """Over the process's one archive index engine (`services.archive_index()`)."""
    return DisclosureIndex(services.archive_index().engine)
