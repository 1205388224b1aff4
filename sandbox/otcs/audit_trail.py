"""One node audit entry and the event types the emulator records (see `audit.py`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

CREATE = 1
ATTRIBUTE_VALUE_CHANGED = 10
EVENT_NAMES = {CREATE: "Create", ATTRIBUTE_VALUE_CHANGED: "Attribute Value Changed"}


@dataclass(frozen=True)
class AuditEntry:
    node_id: int
    event_type: int
    user_id: int
    audit_date: str
    seq: int

    def wire(self) -> dict[str, object]:
        return {
            "id": self.node_id,
            "event_type": self.event_type,
            "audit_date": self.audit_date,
            "user_id": self.user_id,
            "agent_id": None,
            "audit_language_code": None,
            "target_user_id": None,
            "audit_name": EVENT_NAMES[self.event_type],
        }


def entry(node_id: int, event_type: int, user_id: int, seq: int) -> AuditEntry:
    return AuditEntry(
        node_id, event_type, user_id, datetime.now().strftime("%Y-%m-%dT%H:%M:%S"), seq
    )
