"""The per-process stores every stage uses, built once from the settings."""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING

from pipeline.core.deadletters import DeadLetterStore
from pipeline.core.ledger import AuditTrail, Ledger
from pipeline.core.staging import StagingStore
from pipeline.runtime import redis_client, settings

if TYPE_CHECKING:
    from pipeline.index.records import ArchiveIndex
    from pipeline.records.containers import RememberedIds
    from pipeline.records.counterparts import SubjectRegister


@lru_cache(maxsize=1)
def ledger() -> Ledger:
    return Ledger(redis_client())


@lru_cache(maxsize=1)
def audit() -> AuditTrail:
    return AuditTrail(redis_client())


@lru_cache(maxsize=1)
def dead_letters() -> DeadLetterStore:
    return DeadLetterStore(redis_client())


@lru_cache(maxsize=1)
def staging() -> StagingStore:
    config = settings()
    return StagingStore(
        redis_client(),
        ttl_s=config.staging_ttl,
        max_total_bytes=config.staging_max_bytes,
        max_blob_bytes=config.staging_max_blob_bytes,
    )


@lru_cache(maxsize=1)
def archive_index() -> ArchiveIndex:
    """The archive index, its schema brought to head on first use. Imported and opened
    only here, so a process that never touches the index neither loads SQLAlchemy nor
    opens the database; and a forked worker child opens its own connections."""
    from pipeline.index.database import open_database
    from pipeline.index.records import ArchiveIndex

    return ArchiveIndex(open_database(settings()))


def container_ids() -> RememberedIds:
    """Workspace and folder ids of the configured Content Server, shared by the fleet."""
    return _container_ids(settings().otcs_url or "")


def subject_register() -> SubjectRegister:
    """The nodes filed per subject on the configured Content Server, in filing order."""
    return _subject_register(settings().otcs_url or "")


# Per server URL: a process (a test) that is configured for another server meanwhile must
# not keep the first one's ids.
@lru_cache(maxsize=4)
def _container_ids(otcs_url: str) -> RememberedIds:
    from pipeline.records.containers import RememberedIds, server_scope

    return RememberedIds(redis_client(), server_scope(otcs_url))


@lru_cache(maxsize=4)
def _subject_register(otcs_url: str) -> SubjectRegister:
    from pipeline.records.containers import server_scope
    from pipeline.records.counterparts import SubjectRegister

    return SubjectRegister(redis_client(), server_scope(otcs_url))
