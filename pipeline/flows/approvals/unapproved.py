"""An unapproved change: a governed field changed in BigCommerce that no publish explains
(issue 15 §6), and the record of it, filed in the workspace of what was changed: a
product's ("Product <store>-<id>", business object type PRODUCT) or a promotion's
("Campaign <store>-promotion-<id>", CAMPAIGN; a campaign may later gather several
promotions, this names the one promotion).

A change is numbered per target (`product-12-variant-40-3`: the third on that variant),
which is its id and its record's part, so two looks that see it file one record.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from typing import Any

from pipeline.core.contract import DocumentSpec, Placement, Subject, Workspace
from pipeline.flows.approvals.change_request import digest
from pipeline.flows.approvals.governed import subject_of

FLOW = "approvals"
UNAPPROVED = "unapproved_change"
OBSERVED_AT = "watch.observed_at"
WORKSPACES = {"product": ("PRODUCT", "Product"), "promotion": ("CAMPAIGN", "Campaign")}


@dataclass(frozen=True)
class UnapprovedChange:
    """`before` the changed fields as last seen, `after` as seen now, `sanctioned` as last
    approved (a baseline or a publish): what a revert restores. `modified` is the store's
    `date_modified` of the product (none for promotions)."""

    store_hash: str
    target: str
    number: int
    change_type: str
    before: dict[str, Any]
    after: dict[str, Any]
    sanctioned: dict[str, Any]
    observed_at: str
    modified: str = ""

    @property
    def id(self) -> str:
        return f"{self.target.replace('/', '-')}-{self.number}"

    @property
    def subject(self) -> Subject:
        return Subject(*subject_of(self.target))

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    def dumps(self) -> str:
        return json.dumps(self.to_json(), sort_keys=True, separators=(",", ":"))

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> UnapprovedChange:
        return cls(**data)


def unapproved_spec(change: UnapprovedChange) -> DocumentSpec:
    """One record per change: its facts never change once seen, so neither does its key."""
    return DocumentSpec(
        flow=FLOW,
        kind=UNAPPROVED,
        store_hash=change.store_hash,
        subject=change.subject,
        part=change.id,
        fingerprint=digest(change.to_json()),
    )


def workspace_of(store_hash: str, subject: Subject) -> Workspace:
    bo_type, label = WORKSPACES[subject.kind]
    bo_id = f"{store_hash}-{subject.id}"
    if subject.kind == "promotion":
        bo_id = f"{store_hash}-promotion-{subject.id}"
    return Workspace(bo_type, bo_id, f"{label} {bo_id}")


def unapproved_placement(spec: DocumentSpec, folder: str) -> Placement:
    return Placement(folders=(folder,), workspace=workspace_of(spec.store_hash, spec.subject))


def unapproved_attributes(spec: DocumentSpec) -> dict[str, str]:
    return {"Object Type": spec.subject.kind, "Object ID": spec.subject.id}
