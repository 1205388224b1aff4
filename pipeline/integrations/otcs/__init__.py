"""Content Server (OpenText Extended ECM) REST client: see `client.OTCSClient`."""

from pipeline.integrations.otcs.client import OTCSClient, fleet_client
from pipeline.integrations.otcs.envelopes import Node
from pipeline.integrations.otcs.errors import (
    AlreadyExists,
    AuthenticationFailed,
    EditConflict,
    NameCollision,
    NodeNotFound,
    NotConfigured,
    OTCSRefused,
    OTCSUnavailable,
    RecordLocked,
    TicketRejected,
)
from pipeline.integrations.otcs.tickets import (
    MemoryTicketStore,
    RedisTicketStore,
    TicketStore,
    account_scope,
)

__all__ = [
    "AlreadyExists",
    "AuthenticationFailed",
    "EditConflict",
    "MemoryTicketStore",
    "NameCollision",
    "Node",
    "NodeNotFound",
    "NotConfigured",
    "OTCSClient",
    "OTCSRefused",
    "OTCSUnavailable",
    "RecordLocked",
    "RedisTicketStore",
    "TicketRejected",
    "TicketStore",
    "account_scope",
    "fleet_client",
]
