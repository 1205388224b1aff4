"""A look at one channel's disclosures, as fetch stages it: what each disclosure said, the
raw API JSON it came from, and when and how well-watched the look was.

A disclosure is one page, or one channel's checkout terms or privacy settings. Its
`facts` are exactly what its version is fingerprinted on (issue 13): a page's name, URL,
type, visibility and body; the checkout's terms fields; the privacy fields. `text` is the
disclosure's text exactly as the API returned it, whose SHA-256 the as-of answer shows.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from marshmallow import Schema, fields, post_load

from schemas.snapshot import canonical_json

PAGE = "page"
CHECKOUT_TERMS = "checkout_terms"
PRIVACY = "privacy"
DISCLOSURE_KINDS = (PAGE, CHECKOUT_TERMS, PRIVACY)
LIVE = "live"
WITHDRAWN = "withdrawn"


@dataclass(frozen=True)
class Disclosure:
    """One disclosure as a look saw it."""

    kind: str
    subject: str
    channel_id: int
    name: str
    url: str
    state: str
    text: str
    facts: dict[str, Any]
    raw: dict[str, Any]
    # When bcrm first saw this version (its earliest look), set once the look that saw it
    # is recorded: what its record shows and dates, the same whichever look owes it. Not
    # a fact of the version, so never fingerprinted.
    first_seen: datetime | None = None

    @property
    def fingerprint(self) -> str:
        """SHA-256 of exactly the facts a version differs by (kind and subject framed in,
        so two disclosures with the same text are still two versions)."""
        framed = {"kind": self.kind, "subject": self.subject, "facts": self.facts}
        return hashlib.sha256(canonical_json(framed)).hexdigest()

    @property
    def content_sha256(self) -> str:
        return hashlib.sha256(self.text.encode()).hexdigest()


@dataclass(frozen=True)
class DisclosureLook:
    """Every disclosure of one channel, read in one look. `watched`: the store's change
    webhooks for the channel were registered and active when the look was taken."""

    store_hash: str
    channel_id: int
    looked_at: datetime
    watched: bool
    reason: str
    disclosures: tuple[Disclosure, ...]

    def disclosure(self, kind: str, subject: str) -> Disclosure:
        for item in self.disclosures:
            if item.kind == kind and item.subject == subject:
                return item
        raise LookupError(f"no {kind} {subject} in the look of channel {self.channel_id}")

    @classmethod
    def from_json_bytes(cls, raw: bytes) -> DisclosureLook:
        look: DisclosureLook = _LOOK.load(json.loads(raw))
        return look

    def to_json_bytes(self) -> bytes:
        return canonical_json(_LOOK.dump(self))


class _DisclosureSchema(Schema):
    kind = fields.String(required=True)
    subject = fields.String(required=True)
    channel_id = fields.Integer(required=True)
    name = fields.String(required=True)
    url = fields.String(required=True)
    state = fields.String(required=True)
    text = fields.String(required=True)
    facts = fields.Dict(required=True)
    raw = fields.Dict(required=True)
    first_seen = fields.AwareDateTime(load_default=None, allow_none=True)

    @post_load
    def _make(self, data: dict[str, Any], **kwargs: Any) -> Disclosure:
        return Disclosure(**data)


class _LookSchema(Schema):
    store_hash = fields.String(required=True)
    channel_id = fields.Integer(required=True)
    looked_at = fields.AwareDateTime(required=True)
    watched = fields.Boolean(required=True)
    reason = fields.String(required=True)
    disclosures = fields.List(fields.Nested(_DisclosureSchema), required=True)

    @post_load
    def _make(self, data: dict[str, Any], **kwargs: Any) -> DisclosureLook:
        return DisclosureLook(**{**data, "disclosures": tuple(data["disclosures"])})


_LOOK = _LookSchema()
