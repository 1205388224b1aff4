"""The registered flows and sources: what every operation iterates over.

Which flows a deployment runs is a setting (`BCRM_FLOWS`, by default every production
flow); each name is a module that defines a `FLOW` (and the `SOURCES` it brings). The
machinery imports them here, by name, and nowhere else: a new flow is its package plus
one line in `FLOW_MODULES`. The canary flow exists only for the tests, which name it: it
brings stage tasks of its own for the machinery's tests, and no `FLOW`.
"""

from __future__ import annotations

import importlib
from functools import cache

from pipeline.core.contract import DocumentKind, FetchedSource, Flow, Source
from pipeline.core.errors import PermanentError

FLOW_MODULES: dict[str, str] = {
    "commerce": "pipeline.flows.commerce.flow",
    "fulfilment": "pipeline.flows.fulfilment.flow",
    "disclosures": "pipeline.flows.disclosures.flow",
    "approvals": "pipeline.flows.approvals.flow",
    "cases": "pipeline.flows.cases.flow",
    "recalls": "pipeline.flows.recalls.flow",
    "campaigns": "pipeline.flows.campaigns.flow",
    "canary": "pipeline.devtools.canary",
}
DEFAULT_FLOWS = (
    "commerce", "fulfilment", "disclosures", "approvals", "cases", "recalls", "campaigns"
)  # fmt: skip


class UnknownFlow(PermanentError):
    """A message names a flow this deployment does not run."""


class UnknownKind(PermanentError):
    """A document kind no registered flow files."""


@cache
def _loaded(names: tuple[str, ...]) -> tuple[dict[str, Flow], dict[str, Source]]:
    flows: dict[str, Flow] = {}
    sources: dict[str, Source] = {}
    for name in names:
        module = importlib.import_module(FLOW_MODULES[name])
        if hasattr(module, "FLOW"):
            flows[name] = module.FLOW
        for source in getattr(module, "SOURCES", ()):
            sources[source.name] = source
    return flows, sources


def _configured() -> tuple[str, ...]:
    from pipeline.runtime import settings

    return settings().flow_names


def flows() -> dict[str, Flow]:
    return _loaded(_configured())[0]


def flow(name: str) -> Flow:
    try:
        return flows()[name]
    except KeyError:
        raise UnknownFlow(f"flow {name!r} is not in BCRM_FLOWS ({', '.join(flows())})") from None


def sources() -> dict[str, Source]:
    return _loaded(_configured())[1]


def source(name: str) -> Source:
    return sources()[name]


def fetched_sources() -> dict[str, FetchedSource]:
    """Sources with a fetch stage task of their own."""
    return {n: s for n, s in sources().items() if isinstance(s, FetchedSource)}


def consumers(source_name: str) -> list[Flow]:
    """Every flow that owes documents from one kind of source, in registry order."""
    return [f for f in flows().values() if source_name in f.sources]


def kind(name: str) -> DocumentKind:
    """A document kind, whichever flow files it (kinds are unique across flows: the file
    plan keys its classes by kind)."""
    return flow_of_kind(name).kinds[name]


def flow_of_kind(name: str) -> Flow:
    """The flow that files documents of a kind."""
    for candidate in flows().values():
        if name in candidate.kinds:
            return candidate
    raise UnknownKind(f"no flow in BCRM_FLOWS files documents of kind {name!r}")


def every_record_date_fact() -> dict[str, tuple[str, ...]]:
    """Per document kind of every flow bcrm has (running here or not: one file plan serves
    every deployment), the record-date facts it has; what `retention.toml` is checked against."""
    facts: dict[str, tuple[str, ...]] = {}
    for flow in _loaded(tuple(FLOW_MODULES))[0].values():
        facts.update(flow.record_date_facts)
    return facts
