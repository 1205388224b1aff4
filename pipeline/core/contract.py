"""The flow contract: what a flow provides so the machinery can run it without knowing it.

A **subject** is what a record is about (an order, a store's month, later a case or a
recall); a **document spec** names one document a subject owes and the fingerprint of
exactly the facts it shows. A **source** is what fetch reads and stages for a subject (an
order snapshot); every flow that owes documents from that kind of source is asked for them,
so one fetch of an order serves both the commerce and the fulfilment flow. A **flow**
renders its kinds, tells classify what the file plan needs (jurisdiction, record-date
facts, category attributes) and tells declare where a record goes (its **placement**).

Record keys and ECM names are derived from specs in one place, `pipeline.core.names`.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, ClassVar

from pipeline.core.errors import PermanentError

if TYPE_CHECKING:
    import redis

    from pipeline.records.pdf.sheet import RenderedDocument
    from pipeline.runtime.settings import Settings
    from schemas.retention import RetentionPlan


@dataclass(frozen=True)
class Subject:
    """What a record is about: `order` 100, `store_month` 2024-03."""

    kind: str
    id: str


@dataclass(frozen=True)
class DocumentSpec:
    """One document a subject owes, and which version of its facts (`fingerprint`, the
    SHA-256 of exactly what it shows). `part` names a part of the subject (a shipment, a
    refund, a currency and country) for kinds owed once per part."""

    flow: str
    kind: str
    store_hash: str
    subject: Subject
    part: str | None
    fingerprint: str


@dataclass(frozen=True)
class DocumentKind:
    """A kind of document a flow files.

    `name` is the template of its deterministic name, from `{subject}` (the subject id)
    and `{part}`; `pipeline.core.names` adds the fingerprint. Names of declared records
    must never change: a changed name would file every existing record again. `source`
    names the source it is rendered from, which is how a stage loads a message's source.
    """

    kind: str
    name: str
    source: str
    render: Callable[[Any, DocumentSpec], RenderedDocument]
    # Kept in its own format (a case attachment): its part ends in its file extension
    # (`3.png`), which the ECM name keeps instead of `.pdf`.
    own_extension: bool = False


@dataclass(frozen=True)
class Workspace:
    """A business workspace, found or created by type and business object id."""

    type: str
    business_object_id: str
    name: str


@dataclass(frozen=True)
class Link:
    """A cross-reference to every version of another document in the same container:
    `outgoing` runs from the record being declared to it, else from it to the record.
    `declared`: the other document is a record declare files about the same subject, so
    the archive index knows its versions; else (a document filed by other means) they
    are found by listing `folder`."""

    xref_type: str
    folder: str
    stem: str
    outgoing: bool
    declared: bool = True


@dataclass(frozen=True)
class NodeLink:
    """A cross-reference from the record being declared to a record known by its ECM node
    id, wherever it is filed (a receipt to the disclosure versions it cites)."""

    node_id: int
    xref_type: str


@dataclass(frozen=True)
class Placement:
    """Where declare files a record: in a workspace, or under a folder path that must
    already exist below the ECM's root (its set-up is a records manager's decision), then
    in `folders` (created as needed); with its cross-references and holds."""

    folders: tuple[str, ...]
    workspace: Workspace | None = None
    root_path: str | None = None
    links: tuple[Link, ...] = ()
    holds: tuple[str, ...] = ()
    node_links: tuple[NodeLink, ...] = ()


@dataclass(frozen=True)
class EcmNeeds:
    """What a flow's placements need to find on the Content Server before its first
    declare: the workspace types (business object types) it creates or looks up, the
    folder paths below the ECM's root it files into, the category attributes it writes
    (name → Content Server type name) and the cross-reference types its links use.
    `bcrm ecm check` verifies them; a placement naming anything else is a bug."""

    workspace_types: frozenset[str] = frozenset()
    root_paths: frozenset[str] = frozenset()
    attributes: Mapping[str, str] = field(default_factory=dict)
    xref_types: frozenset[str] = frozenset()
    holds: frozenset[str] = frozenset()


@dataclass(frozen=True)
class StoreCounter:
    """A Prometheus counter a flow keeps per store (`bcrm metrics` shows it labelled by
    store and `label`): its name, help text, and the count per label value."""

    name: str
    doc: str
    label: str
    values: Mapping[str, float]


class UnknownRecordDate(PermanentError):
    """A record date the flow cannot give for this document (a file-plan mistake)."""


class Source(ABC):
    """What fetch reads for one subject and stages; the flows that consume it owe
    documents from it."""

    name: ClassVar[str]
    # The flow whose producers start this source's fetches (its work units count there).
    flow: ClassVar[str]

    @abstractmethod
    def load(self, raw: bytes) -> Any:
        """The staged canonical bytes back as the source object."""


class FetchedSource(Source):
    """A source read by a fetch stage task (`bcrm.fetch.<name>`) from a producer's
    reference; sources a control job stages itself (a store's month) are plain `Source`s."""

    @abstractmethod
    def fetch(self, ref: Mapping[str, Any]) -> tuple[Any, bytes]:
        """Read what the message names; the source object and its canonical bytes."""

    def after_fetch(self, source: Any) -> None:
        """What else a fetch records about its source (the archive index's order lines)."""

    @abstractmethod
    def subjects_changed(self, store_hash: str, since: datetime, until: datetime) -> list[str]:
        """Ids of the subjects that changed in a window, asked of the system of origin
        (reconciliation's question)."""

    @abstractmethod
    def read(self, store_hash: str, subject_id: str) -> Any:
        """The subject's source as a fetch would read it now (without staging it)."""

    @abstractmethod
    def refetch(self, store_hash: str, subject_id: str, reason: str, event_id: str) -> None:
        """Hand the subject to the pipeline again, as its producers would."""


class Flow(ABC):
    """One flow's part of the contract; see the module docstring."""

    name: ClassVar[str]
    kinds: ClassVar[Mapping[str, DocumentKind]]

    @property
    def sources(self) -> frozenset[str]:
        """The sources this flow's documents are made from."""
        return frozenset(kind.source for kind in self.kinds.values())

    @abstractmethod
    def documents_owed(self, source: Any) -> list[DocumentSpec]:
        """Every document of this flow the source's current state calls for (the source
        is one of `sources`; a flow with several tells them apart by type)."""

    @abstractmethod
    def jurisdiction(self, source: Any, spec: DocumentSpec) -> str:
        """ISO 3166-1 alpha-2 country whose retention rules apply."""

    @abstractmethod
    def record_date(self, source: Any, spec: DocumentSpec, fact: str) -> datetime:
        """The fact `retention.toml` names as the kind's record date (UnknownRecordDate
        if the flow has no such fact for this kind)."""

    @abstractmethod
    def category_attributes(self, source: Any, spec: DocumentSpec) -> dict[str, str]:
        """This flow's category attribute values (identifiers only, no personal data)."""

    @abstractmethod
    def placement(self, source: Any, spec: DocumentSpec, folder: str) -> Placement:
        """Where the record goes; `folder` is its kind's folder from the file plan."""

    @abstractmethod
    def ecm_needs(self, plan: RetentionPlan) -> EcmNeeds:
        """Everything `placement` and `category_attributes` can name, known before any
        source is read (`plan` gives the file plan's folders)."""

    def streams(self, config: Settings) -> dict[str, dict[str, Any]]:
        """Beat schedule entries of this flow's producers (pollers, monthly jobs)."""
        return {}

    def stream_lags(
        self, client: redis.Redis, store_hash: str, now: datetime
    ) -> dict[str, float | None]:
        """Per polled stream, seconds since its last successful poll (None: none yet), for
        status and metrics; not since the source's newest change (a quiet store is not late)."""
        return {}

    def polls_completed(self, client: redis.Redis, store_hash: str) -> dict[str, int]:
        """Per polled stream, how many polls completed (settling waits for two more)."""
        return {}

    def units_waiting(self, client: redis.Redis, store_hash: str) -> int:
        """Work this flow holds back outside the ledger until something happens (a
        receipt waiting for its evidence to settle): settling is not done while any waits."""
        return 0

    def needs_attention(self, client: redis.Redis, store_hash: str) -> list[str]:
        """What this flow found that a person must look at (flow 3: changes made in the
        store outside the workflow), each as one sentence naming the command to use."""
        return []

    def store_counters(self, client: redis.Redis, store_hash: str) -> list[StoreCounter]:
        """Counters of this flow's own, per store, for the metrics exporter."""
        return []

    def stream_intervals(self, config: Settings) -> dict[str, float]:
        """Per polled stream that does not run every BCRM_POLL_INTERVAL_S, how often it
        runs (status calls a stream late after three of them)."""
        return {}

    def documents_kept(self, store_hash: str) -> list[tuple[DocumentSpec, Placement]]:
        """Documents owed for what this flow saw once and the store can no longer show (a
        disclosure version replaced since), with their placement: the closing inventory
        counts them beside what the sources owe now."""
        return []

    # Per kind, the record-date facts it has: what `retention.toml` may name for it.
    record_date_facts: ClassVar[Mapping[str, tuple[str, ...]]]

    def source_fetched(self, source: Any) -> None:
        """What this flow does when a source it consumes was fetched, besides owing
        documents (flow 2: an order now disputed opens a case, open cases of the order
        take in its news)."""
        return None

    def record_declared(self, spec: DocumentSpec, node_id: int) -> None:
        """Told of every record declared, of any flow (flow 2: a case about the record's
        order links it), once its index row is written."""
        return None

    def render(self, source: Any, spec: DocumentSpec) -> RenderedDocument:
        """The kind's renderer."""
        return self.kinds[spec.kind].render(source, spec)

    def classify(self, source: Any, spec: DocumentSpec) -> dict[str, Any]:
        """The records class from the file plan (`pipeline.records.classify`), as JSON."""
        from pipeline.records.classify import classify_document

        return classify_document(self, source, spec)

    def declare(self, source: Any, spec: DocumentSpec, message: Mapping[str, Any]) -> Any:
        """File the record in the ECM (`pipeline.records.declare`); a `DeclaredRecord`."""
        from pipeline.records.declare import declare_document

        return declare_document(self, source, spec, message)
