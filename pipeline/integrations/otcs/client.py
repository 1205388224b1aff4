"""`OTCSClient`: the Content Server REST client the declare stage uses.

Each family of operations lives in its own module; this class only puts them
together over the one transport (session, tickets, error translation).
"""

from __future__ import annotations

from typing import Any

from pipeline.integrations.otcs.access import AccessOperations
from pipeline.integrations.otcs.categories import CategoryOperations
from pipeline.integrations.otcs.documents import DocumentOperations
from pipeline.integrations.otcs.holds import HoldOperations
from pipeline.integrations.otcs.records import RecordOperations
from pipeline.integrations.otcs.tickets import RedisTicketStore, account_scope
from pipeline.integrations.otcs.workspaces import WorkspaceOperations
from pipeline.integrations.otcs.xrefs import CrossReferenceOperations
from pipeline.runtime import redis_client


class OTCSClient(
    DocumentOperations,
    CategoryOperations,
    RecordOperations,
    HoldOperations,
    CrossReferenceOperations,
    WorkspaceOperations,
    AccessOperations,
):
    """One per worker process is enough; threads may share it (see `Transport`).

    `OTCSClient(base_url, username, password, *, domain=None, ticket_store=None,
    timeout_s=60, verify=True, chunk_threshold_bytes=16 MiB, categories_volume_id=2006,
    enterprise_workspace_id=2000)`; pass a `RedisTicketStore` to share the session
    across the worker fleet.
    """


def fleet_client(
    base_url: str, username: str, password: str, *, domain: str | None = None, **options: Any
) -> OTCSClient:
    """A client whose ticket is shared, through Redis, by every worker using this account."""
    store = RedisTicketStore(redis_client(), account_scope(base_url, username, domain))
    return OTCSClient(base_url, username, password, domain=domain, ticket_store=store, **options)
