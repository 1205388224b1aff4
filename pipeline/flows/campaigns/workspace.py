"""Campaigns in the ECM: a "Campaign" business workspace (business object type CAMPAIGN,
id `<store>-CMP-<n>`) with the "Campaign" category (the approved scope, the decision, who
requested and decided it, closure), the scope document (`Briefs/<bo>-scope-<hash>.json`:
the scope and the fingerprint of each linked promotion's version as filed, which is what
an approval binds) and the brief, legal approval and creative as documents.

Filing, linking, deciding and closing are done as the person at the command line (the
Content Server's audit trail names them); the ECM poller (`ecm_poll`) reads it all back
into the archive index. Linking after a decision files a new scope document and changes
the category, which makes the linker the last editor in the audit trail: the approval no
longer stands until someone in the approver group decides again (flow 3's rule).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from pipeline.flows.approvals.change_requests import current_user
from pipeline.integrations.otcs.client import OTCSClient
from pipeline.integrations.otcs.errors import NotConfigured
from pipeline.records.declare import versions

EXT_SYSTEM = "BigCommerce"
BO_TYPE = "CAMPAIGN"
CATEGORY = "Campaign"
SCOPE_FOLDER = "Briefs"
# The documents a person files with a campaign, by the folder they go to.
DOCUMENT_FOLDERS = {"brief": "Briefs", "approval": "Legal Approvals", "creative": "Briefs"}
UNLINKED = "unlinked"
REQUESTED, APPROVED, REJECTED, CLOSED = "requested", "approved", "rejected", "closed"


class UnknownCampaign(LookupError):
    """No such campaign in the ECM."""


@dataclass(frozen=True)
class Scope:
    """What a campaign asks approval for. `promotions` maps each linked promotion
    (`promotion/7`, `coupon/3`) to the fingerprint of its version when it was linked
    ("" for one not created yet: the campaign publishes it)."""

    store_hash: str
    campaign_id: str
    name: str
    starts_at: str
    ends_at: str
    promotions: dict[str, str] = field(default_factory=dict)
    coupons: tuple[str, ...] = ()
    channels: tuple[int, ...] = ()
    countries: tuple[str, ...] = ()
    currencies: tuple[str, ...] = ()
    max_discount_percent: str = ""

    @property
    def bo_id(self) -> str:
        return bo_id(self.store_hash, self.campaign_id)

    def to_json_bytes(self) -> bytes:
        return json.dumps(asdict(self), sort_keys=True, indent=2).encode()

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Scope:
        return cls(
            **{
                **data,
                "promotions": dict(data["promotions"]),
                "coupons": tuple(data["coupons"]),
                "channels": tuple(int(c) for c in data["channels"]),
                "countries": tuple(data["countries"]),
                "currencies": tuple(data["currencies"]),
            }
        )


def bo_id(store_hash: str, campaign_id: str) -> str:
    return f"{store_hash}-CMP-{campaign_id}"


def workspace_name(business_object_id: str) -> str:
    """As the seeded workspace type names it (`Campaign {bo_id}`)."""
    return f"Campaign {business_object_id}"


def scope_stem(scope: Scope) -> str:
    return f"{scope.bo_id}-scope"


def next_campaign_id(otcs: OTCSClient, store_hash: str) -> str:
    """One above the store's highest campaign number (a race ends in the ECM refusing a
    second workspace for the business object, and the person files again)."""
    prefix = workspace_name(bo_id(store_hash, ""))
    numbers = [
        int(node.name.removeprefix(prefix))
        for node in otcs.workspaces(EXT_SYSTEM, BO_TYPE)
        if node.name.startswith(prefix) and node.name.removeprefix(prefix).isdigit()
    ]
    return str(max(numbers, default=0) + 1)


def _facts(scope: Scope) -> dict[str, Any]:
    return {
        "Campaign ID": scope.bo_id,
        "Campaign Name": scope.name[:250],
        "Promotion IDs": [
            p.split("/", 1)[1] for p in sorted(scope.promotions) if p.startswith("promotion/")
        ],
        "Coupon Codes": list(scope.coupons),
        "Channels": [str(c) for c in scope.channels],
        "Countries": list(scope.countries),
        "Currencies": list(scope.currencies),
        "Start Date": scope.starts_at,
        "End Date": scope.ends_at,
        "Largest Discount Approved": scope.max_discount_percent,
    }


def _category(otcs: OTCSClient, by_name: Mapping[str, Any]) -> tuple[int, dict[str, Any]]:
    definition = otcs.category(CATEGORY)
    return definition.id, definition.values(by_name)


def _folder(otcs: OTCSClient, node_id: int, name: str) -> int:
    folder = otcs.find_child(node_id, name)
    if folder is None:
        raise NotConfigured(f"the Campaign workspace template has no {name!r} folder")
    return folder.id


def _file_scope(otcs: OTCSClient, node_id: int, scope: Scope) -> None:
    raw = scope.to_json_bytes()
    name = f"{scope_stem(scope)}-{hashlib.sha256(raw).hexdigest()[:8]}.json"
    folder = _folder(otcs, node_id, SCOPE_FOLDER)
    if otcs.find_child(folder, name) is None:
        otcs.create_document(folder, name, raw, "application/json")


def file_campaign(
    otcs: OTCSClient, scope: Scope, documents: Mapping[str, Path] | None = None
) -> int:
    """Create the campaign's workspace, its category, scope document and the given
    documents (`brief`, `approval`, `creative` → a file), as the user `otcs` is; its
    node id."""
    _, login = current_user(otcs)
    category_id, values = _category(
        otcs, {**_facts(scope), "Requested By": login, "Campaign Status": REQUESTED}
    )
    node_id = otcs.create_workspace(
        EXT_SYSTEM,
        BO_TYPE,
        scope.bo_id,
        workspace_name(scope.bo_id),
        categories={category_id: values},
    )
    _file_scope(otcs, node_id, scope)
    for role, path in (documents or {}).items():
        folder = _folder(otcs, node_id, DOCUMENT_FOLDERS[role])
        otcs.create_document(
            folder, f"{scope.bo_id}-{role}-{path.name}", path.read_bytes(), _media_type(path)
        )
    return node_id


def _media_type(path: Path) -> str:
    return {
        ".pdf": "application/pdf",
        ".json": "application/json",
        ".png": "image/png",
        ".jpg": "image/jpeg",
        ".txt": "text/plain",
    }.get(path.suffix.lower(), "application/octet-stream")


def workspace_of(otcs: OTCSClient, store_hash: str, campaign_id: str) -> int:
    node = otcs.find_workspace(EXT_SYSTEM, BO_TYPE, bo_id(store_hash, campaign_id))
    if node is None:
        raise UnknownCampaign(f"no campaign {campaign_id} of store {store_hash} in the ECM")
    return node.id


def facts_of(otcs: OTCSClient, node_id: int) -> dict[str, Any]:
    """The category's values by attribute name (lists for multi-value attributes)."""
    definition = otcs.category(CATEGORY)
    values = otcs.get_category(node_id, definition.id).values
    return {name: values.get(key) for name, key in definition.keys.items()}


def read_scope(otcs: OTCSClient, node_id: int, store_hash: str, campaign_id: str) -> Scope:
    """The newest scope document (the highest node id: filed last)."""
    stem = scope_stem(Scope(store_hash, campaign_id, "", "", ""))
    found = versions(otcs, _folder(otcs, node_id, SCOPE_FOLDER), stem + "-")
    if not found:
        raise UnknownCampaign(f"campaign {campaign_id} has no scope document")
    newest = max(found, key=lambda n: n.id)
    return Scope.from_json(json.loads(otcs.download(newest.id)))


def decide(otcs: OTCSClient, store_hash: str, campaign_id: str, approve: bool) -> None:
    """What an approver does in the ECM: set the decision, as themselves."""
    user_id, _ = current_user(otcs)
    decision = APPROVED if approve else REJECTED
    category_id, values = _category(
        otcs,
        {
            "Decision": decision,
            "Decided By": str(user_id),
            "Decided At": datetime.now(UTC).isoformat(timespec="seconds"),
            "Campaign Status": decision,
        },
    )
    otcs.update_category(workspace_of(otcs, store_hash, campaign_id), category_id, values)


def link(
    otcs: OTCSClient,
    store_hash: str,
    campaign_id: str,
    promotions: Mapping[str, str],
    coupons: tuple[str, ...] = (),
) -> Scope:
    """Add promotions (subject → fingerprint of the version linked) and coupon codes to
    the campaign's scope: a new scope document and the category's lists; the new scope."""
    node_id = workspace_of(otcs, store_hash, campaign_id)
    scope = read_scope(otcs, node_id, store_hash, campaign_id)
    scope = replace(
        scope,
        promotions={**scope.promotions, **promotions},
        coupons=tuple(sorted({*scope.coupons, *coupons})),
    )
    _file_scope(otcs, node_id, scope)
    facts = _facts(scope)
    category_id, values = _category(
        otcs, {"Promotion IDs": facts["Promotion IDs"], "Coupon Codes": facts["Coupon Codes"]}
    )
    otcs.update_category(node_id, category_id, values)
    return scope


def close(otcs: OTCSClient, store_hash: str, campaign_id: str, at: datetime) -> None:
    """Mark the campaign closed (its end, or stopped early): the closeout is owed."""
    category_id, values = _category(
        otcs, {"Campaign Status": CLOSED, "Closed At": at.isoformat(timespec="seconds")}
    )
    otcs.update_category(workspace_of(otcs, store_hash, campaign_id), category_id, values)


def max_discount(text: str) -> Decimal | None:
    return Decimal(text) if text else None
