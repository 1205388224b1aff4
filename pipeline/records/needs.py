"""What declaring needs to find on the Content Server, for the flows a deployment runs.

Each flow names what its placements use (`Flow.ecm_needs`); classify and declare add
what they write for every flow (the file plan's attributes, the fixity hash, the
`SUPERSEDES` link). `bcrm ecm check` verifies the union before the first declare, so
a missing piece shows at go-live instead of as dead letters.
"""

from __future__ import annotations

from collections.abc import Iterable

from pipeline.core.contract import EcmNeeds, Flow
from pipeline.records.classify import RECORD_ATTRIBUTES
from pipeline.records.declare import DECLARE_ATTRIBUTES, SUPERSEDES
from schemas.retention import RetentionPlan


def ecm_needs(flows: Iterable[Flow], plan: RetentionPlan) -> EcmNeeds:
    """The union of the flows' needs and what classify and declare write for all of them."""
    needs = [flow.ecm_needs(plan) for flow in flows]
    attributes = {**RECORD_ATTRIBUTES, **DECLARE_ATTRIBUTES}
    for each in needs:
        attributes.update(each.attributes)
    return EcmNeeds(
        workspace_types=frozenset().union(*(n.workspace_types for n in needs)),
        root_paths=frozenset().union(*(n.root_paths for n in needs)),
        attributes=attributes,
        xref_types=frozenset({SUPERSEDES}).union(*(n.xref_types for n in needs)),
        holds=frozenset().union(*(n.holds for n in needs)),
    )
