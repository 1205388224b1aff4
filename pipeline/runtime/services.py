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


def _otcs_server() -> str:
    from pipeline.records.containers import server_scope

    return server_scope(settings().otcs_url or "")


@lru_cache(maxsize=1)
def container_ids() -> RememberedIds:
    """Workspace and folder ids of the configured Content Server, shared by the fleet."""
    from pipeline.records.containers import RememberedIds

    return RememberedIds(redis_client(), _otcs_server())


@lru_cache(maxsize=1)
def subject_register() -> SubjectRegister:
    """The nodes filed per subject on the configured Content Server, in filing order."""
    from pipeline.records.counterparts import SubjectRegister

    return SubjectRegister(redis_client(), _otcs_server())
