"""Flow 4, policies and disclosures: every version of a store's content pages, checkout
terms and privacy settings, per channel, filed in the store's "Storefront Disclosures"
workspace; and a disclosure receipt per archived order, from the order source commerce
fetches, filed in the order's workspace and cross-referenced to the versions it cites.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any, ClassVar

import redis

from pipeline.core import names
from pipeline.core.contract import (
    DocumentKind,
    DocumentSpec,
    EcmNeeds,
    FetchedSource,
    Flow,
    NodeLink,
    Placement,
    Subject,
    UnknownRecordDate,
    Workspace,
)
from pipeline.flows.commerce import order_records
from pipeline.flows.commerce.documents import ORDER
from pipeline.flows.commerce.pollers import Checkpoints, poll_runs_key
from pipeline.flows.disclosures import receipts
from pipeline.flows.disclosures.index import disclosure_index
from pipeline.flows.disclosures.intake import DISCLOSURES, enqueue_look
from pipeline.flows.disclosures.look import channel_ids, read_channel, take_look
from pipeline.flows.disclosures.render.receipt import render_receipt
from pipeline.flows.disclosures.render.version import first_seen, render_version
from pipeline.index.disclosures import VersionRow
from pipeline.records.classify import default_plan
from pipeline.runtime import clients, redis_client, settings
from pipeline.runtime.settings import Settings
from schemas.disclosures import CHECKOUT_TERMS, PAGE, PRIVACY, Disclosure, DisclosureLook
from schemas.retention import RetentionPlan
from schemas.snapshot import OrderSnapshot

WORKSPACE_TYPE = "DISCLOSURES"
CITES = "CITES_DISCLOSURE"
FIRST_SEEN = "disclosure.first_seen"
ORDER_PLACED = "order.date_created"
# A version's subject: a page by its id, a channel's settings by the channel id.
SUBJECT_KINDS = {PAGE: "page", CHECKOUT_TERMS: "channel", PRIVACY: "channel"}
VERSION_NAMES = {
    PAGE: "disclosure-page-{subject}",
    CHECKOUT_TERMS: "disclosure-checkout-terms-channel-{subject}",
    PRIVACY: "disclosure-privacy-channel-{subject}",
}
# How often waiting receipts are checked for settled evidence, at most (and at every look
# where looks are more frequent).
RECEIPT_RELEASE_S = 30.0


def document_kind(kind: str) -> str:
    """`disclosure_page` for a page: the file plan keys its classes by document kind."""
    return f"disclosure_{kind}"


def version_spec(store_hash: str, item: Disclosure | VersionRow) -> DocumentSpec:
    """The record of one version, from a look's disclosure or the index's row of it."""
    return DocumentSpec(
        flow=DISCLOSURES,
        kind=document_kind(item.kind),
        store_hash=store_hash,
        subject=Subject(SUBJECT_KINDS[item.kind], item.subject),
        part=None,
        fingerprint=item.fingerprint,
    )


def version_record_key(store_hash: str, item: Disclosure) -> str:
    return names.record_key(version_spec(store_hash, item))


def version_placement(spec: DocumentSpec, folder: str) -> Placement:
    """A version's place: the store's disclosures workspace, its kind's folder."""
    workspace = Workspace(
        WORKSPACE_TYPE, spec.store_hash, f"Storefront Disclosures {spec.store_hash}"
    )
    return Placement(folders=(folder,), workspace=workspace)


class DisclosureSource(FetchedSource):
    """One look at a channel's disclosures (`DisclosureLook`), recorded in the archive
    index as it is taken."""

    name = DISCLOSURES
    flow = DISCLOSURES

    def load(self, raw: bytes) -> DisclosureLook:
        return DisclosureLook.from_json_bytes(raw)

    def fetch(self, ref: Mapping[str, Any]) -> tuple[DisclosureLook, bytes]:
        store_hash = str(ref["store_hash"])
        look = take_look(
            clients.bigcommerce(store_hash),
            redis_client(),
            disclosure_index(),
            ref,
            version_record_key,
            float(settings().visibility_timeout),
        )
        Checkpoints(redis_client()).polled(store_hash, DISCLOSURES, look.looked_at)
        return look, look.to_json_bytes()

    def subjects_changed(self, store_hash: str, since: datetime, until: datetime) -> list[str]:
        """Every channel, whatever the window: BigCommerce keeps no dates for pages or
        settings, so only a read of each channel tells whether its texts now are filed."""
        return [str(c) for c in channel_ids(clients.bigcommerce(store_hash))]

    def read(self, store_hash: str, subject_id: str) -> DisclosureLook:
        """A channel's disclosures now, unrecorded and unwatched."""
        channel_id = int(subject_id)
        return DisclosureLook(
            store_hash=store_hash,
            channel_id=channel_id,
            looked_at=datetime.now(UTC),
            watched=False,
            reason="read",
            disclosures=tuple(read_channel(clients.bigcommerce(store_hash), channel_id)),
        )

    def refetch(self, store_hash: str, subject_id: str, reason: str, event_id: str) -> None:
        enqueue_look(store_hash, int(subject_id), reason, event_id)


KINDS: Mapping[str, DocumentKind] = {
    **{
        document_kind(kind): DocumentKind(document_kind(kind), name, DISCLOSURES, render_version)
        for kind, name in VERSION_NAMES.items()
    },
    receipts.RECEIPT: DocumentKind(receipts.RECEIPT, receipts.RECEIPT_NAME, ORDER, render_receipt),
}


class DisclosuresFlow(Flow):
    name = DISCLOSURES
    kinds = KINDS
    record_date_facts: ClassVar[Mapping[str, tuple[str, ...]]] = {
        **{document_kind(kind): (FIRST_SEEN,) for kind in VERSION_NAMES},
        receipts.RECEIPT: (ORDER_PLACED,),
    }

    def documents_owed(self, source: Any) -> list[DocumentSpec]:
        """From a look, its versions not yet filed; from an order, its receipt once frozen."""
        if isinstance(source, OrderSnapshot):
            return receipts.owed_receipts(
                source, disclosure_index(), redis_client(), clients.bigcommerce(source.store_hash)
            )
        filed = {
            (v.kind, v.subject, v.fingerprint)
            for v in disclosure_index().versions(source.store_hash, channel_id=source.channel_id)
            if v.ecm_node_id is not None
        }
        return [
            version_spec(source.store_hash, item)
            for item in source.disclosures
            if (item.kind, item.subject, item.fingerprint) not in filed
        ]

    def jurisdiction(self, source: Any, spec: DocumentSpec) -> str:
        """An order's receipt, the order's country; a version, none in particular ("ZZ",
        ISO's unknown): one text is cited by orders of every country, and its class keeps
        it as long as the longest of them."""
        if isinstance(source, OrderSnapshot):
            return order_records.jurisdiction(source)
        return "ZZ"

    def record_date(self, source: Any, spec: DocumentSpec, fact: str) -> datetime:
        if fact not in self.record_date_facts.get(spec.kind, ()):
            raise UnknownRecordDate(f"{spec.kind} has no record date {fact!r}")
        if isinstance(source, OrderSnapshot):
            return source.order.date_created
        return first_seen(
            source, source.disclosure(spec.kind.removeprefix("disclosure_"), spec.subject.id)
        )

    def category_attributes(self, source: Any, spec: DocumentSpec) -> dict[str, str]:
        """Identifiers only; a receipt names its order and customer id, as order records do."""
        if isinstance(source, OrderSnapshot):
            order = str(source.order.id)
            return {
                "Object Type": "disclosure_receipt",
                "Object ID": order,
                "Order Number": order,
                "Order ID": order,
                "Source ID": "",
                "Customer ID": str(source.order.customer_id),
                "Currency": source.order.currency_code,
            }
        return {
            "Object Type": spec.subject.kind,
            "Object ID": spec.subject.id,
            "Order Number": "",
            "Order ID": "",
            "Source ID": spec.subject.id,
            "Customer ID": "",
            "Currency": "",
        }

    def placement(self, source: Any, spec: DocumentSpec, folder: str) -> Placement:
        """A version in the store's disclosures workspace, in its kind's folder (declare
        links it SUPERSEDES to the earlier versions there); a receipt in the order's
        workspace, cross-referenced to every version it cites."""
        if isinstance(source, OrderSnapshot):
            content = receipts.receipt_content(source)
            cited = sorted(
                {
                    int(v["ecm_node_id"])
                    for d in content["disclosures"]
                    for v in d["versions"]
                    if v["ecm_node_id"] is not None
                }
            )
            return Placement(
                folders=(folder,),
                workspace=order_records.order_workspace(spec),
                node_links=tuple(NodeLink(node, CITES) for node in cited),
            )
        return version_placement(spec, folder)

    def ecm_needs(self, plan: RetentionPlan) -> EcmNeeds:
        """The disclosures and order workspace types, the Commerce Record attributes, and
        the receipts' links to the versions they cite (declare adds SUPERSEDES itself)."""
        return EcmNeeds(
            workspace_types=frozenset({WORKSPACE_TYPE, order_records.ORDER_WORKSPACE}),
            attributes=order_records.ATTRIBUTE_TYPES,
            xref_types=frozenset({CITES}),
        )

    def streams(self, config: Settings) -> dict[str, dict[str, Any]]:
        """Per store, a look at every channel every BCRM_DISCLOSURE_POLL_INTERVAL_S, and the
        check of receipts waiting for their evidence to settle."""
        interval = config.disclosure_poll_interval_s
        # Evidence settles only at a look: checking more often than looks is no use,
        # less often only delays receipts.
        release = min(RECEIPT_RELEASE_S, interval)
        entries: dict[str, dict[str, Any]] = {}
        for store_hash in config.store_tokens:
            entries[f"poll-disclosures-{store_hash}"] = {
                "task": "bcrm.control.poll_disclosures",
                "schedule": interval,
                "args": [store_hash],
                "options": {"expires": interval},
            }
            entries[f"disclosure-receipts-{store_hash}"] = {
                "task": "bcrm.control.disclosure_receipts",
                "schedule": release,
                "args": [store_hash],
                "options": {"expires": release},
            }
        return entries

    def stream_lags(
        self, client: redis.Redis, store_hash: str, now: datetime
    ) -> dict[str, float | None]:
        return {DISCLOSURES: Checkpoints(client).lag_s(store_hash, DISCLOSURES, now)}

    def polls_completed(self, client: redis.Redis, store_hash: str) -> dict[str, int]:
        return {DISCLOSURES: int(client.get(poll_runs_key(store_hash, DISCLOSURES)) or 0)}

    def stream_intervals(self, config: Settings) -> dict[str, float]:
        return {DISCLOSURES: config.disclosure_poll_interval_s}

    def units_waiting(self, client: redis.Redis, store_hash: str) -> int:
        """Orders whose receipt waits for its evidence to settle."""
        return int(client.hlen(receipts.awaiting_key(store_hash)))

    def documents_kept(self, store_hash: str) -> list[tuple[DocumentSpec, Placement]]:
        """Every version a look saw: once replaced, no look shows it again, yet its record
        stays owed."""
        classes = default_plan().classes
        kept = []
        for row in disclosure_index().versions(store_hash):
            spec = version_spec(store_hash, row)
            kept.append((spec, version_placement(spec, classes[spec.kind].folder)))
        return kept


FLOW = DisclosuresFlow()
SOURCES = (DisclosureSource(),)
