"""A helpdesk as `bcrm demo` and `bcrm chaos cases` play it: case deliveries to the
webhook receiver's `POST /cases`, shaped as the README documents them and signed
Standard-Webhooks style with the cases secret the pipeline's processes were started with
(`BCRM_CASES_SIGNING_SECRETS`, which `PipelineProcesses` draws per run)."""

from __future__ import annotations

import base64
import json
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import requests

from pipeline.integrations.webhooks import cases
from pipeline.integrations.webhooks.config import signing_key
from pipeline.integrations.webhooks.receiver import PATH
from pipeline.integrations.webhooks.verify import signature

CASES_SECRETS = "BCRM_CASES_SIGNING_SECRETS"
REQUEST_TIMEOUT_S = 30.0


def message(message_id: str, author_role: str, at: datetime, text: str) -> dict[str, Any]:
    return {"id": message_id, "author_role": author_role, "at": at.isoformat(), "text": text}


def attachment(name: str, content_type: str, data: bytes) -> dict[str, Any]:
    return {
        "name": name,
        "content_type": content_type,
        "content_base64": base64.b64encode(data).decode(),
    }


@dataclass(frozen=True)
class CaseHeader:
    """What every delivery of one case repeats: the case as the helpdesk sees it."""

    store: str
    case_id: str
    order_ids: tuple[int, ...]
    opened_at: datetime
    reason: str
    subject: str
    legal_hold: bool = False

    def delivery(
        self,
        status: str,
        messages: Sequence[dict[str, Any]] = (),
        attachments: Sequence[dict[str, Any]] = (),
        release_hold: bool = False,
    ) -> dict[str, Any]:
        return {
            "case_id": self.case_id,
            "store": self.store,
            "order_ids": list(self.order_ids),
            "opened_at": self.opened_at.isoformat(),
            "reason": self.reason,
            "subject": self.subject,
            "status": status,
            "legal_hold": self.legal_hold,
            "release_hold": release_hold,
            "messages": list(messages),
            "attachments": list(attachments),
        }


@dataclass(frozen=True)
class Answer:
    """The receiver's answer: its status (0: no HTTP answer) and its `status` or
    `error` field (`accepted`, `duplicate`, `unknown_order`, ...)."""

    status: int
    outcome: str

    @property
    def accepted(self) -> bool:
        return self.status == 202


class Helpdesk:
    """Posts case deliveries to one receiver, signed with one key."""

    def __init__(self, webhook_url: str, env: dict[str, str]) -> None:
        self.url = webhook_url.removesuffix(PATH) + cases.PATH
        self.key = signing_key(env[CASES_SECRETS], CASES_SECRETS)

    def send(self, delivery: dict[str, Any]) -> Answer:
        """POST one delivery as the helpdesk would: a new message id each time (a retry of
        the same body is still the same delivery to the receiver, which hashes bodies)."""
        body = json.dumps(delivery, sort_keys=True).encode()
        msg_id, sent_at = f"msg_{uuid.uuid4().hex}", int(time.time())
        headers = {
            "Content-Type": "application/json",
            "webhook-id": msg_id,
            "webhook-timestamp": str(sent_at),
            "webhook-signature": "v1," + signature(self.key, msg_id, sent_at, body),
        }
        try:
            response = requests.post(
                self.url, data=body, headers=headers, timeout=REQUEST_TIMEOUT_S
            )
        except requests.RequestException as exc:
            return Answer(0, type(exc).__name__)
        try:
            fields = response.json()
        except ValueError:
            fields = {}
        return Answer(response.status_code, str(fields.get("status") or fields.get("error") or ""))
