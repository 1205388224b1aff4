"""The records a record is cross-referenced to, found without listing the ECM's folders:
the earlier versions of its document (SUPERSEDES) and the records its placement links
(an invoice to its order record), all about the same subject.

Two sources: the archive index, which holds every record declared (and rebuilt from the
ECM), and a register in Redis of the nodes filed about each subject, in the order they
were filed. The register is what makes each link written exactly once when the two
records of a pair are declared at the same moment (the fleet declares an order's
documents side by side), where listing folders let both see each other and both write
the link, the second one refused with 400 "already exists". A record's declare:

1. reads the index's rows of its subject (`I`), then
2. registers its node and reads the register in one atomic step (`R`; a Lua script),
3. links to every node registered before it, and to every index row whose node the
   register does not hold (filed longer ago than the register keeps, `TTL_S`),
4. writes its own index row (`W`) once its links are made.

Of two records A and B, the one registered second sees the first in the register; the
first sees the second neither there (registered later) nor in the index (a row the
register also holds is judged by the register). Exactly one writes the link, on every
retry too: a node keeps its place in the register. Nothing is lost if the first's entry
expired before the second registered: it expired `TTL_S` after an attempt began, and an
attempt that ends writes its row (`W`) within its time limit, long before.

What someone else changes in the ECM: a counterpart node that is gone (deleted by a
person) is skipped with a warning, since a link to nothing cannot be made; a version a
person filed by hand is no record of ours and is not linked (listing did link it).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import redis

from pipeline.core import keys
from pipeline.core.contract import DocumentSpec
from pipeline.index.rows import DeclaredRecordRow

# Far longer than any one declare attempt (task time limits are minutes), see step 3.
TTL_S = 24 * 3600
_SEQUENCE = "#seq"

# KEYS[1]: the subject's register, node id -> "<sequence> <ECM name>", and the counter.
# ARGV: node id, ECM name, TTL. A node registered before keeps its sequence.
_REGISTER = """
local entry = redis.call('HGET', KEYS[1], ARGV[1])
if not entry then
  local sequence = redis.call('HINCRBY', KEYS[1], '#seq', 1)
  entry = sequence .. ' ' .. ARGV[2]
  redis.call('HSET', KEYS[1], ARGV[1], entry)
end
redis.call('EXPIRE', KEYS[1], ARGV[3])
return redis.call('HGETALL', KEYS[1])
"""


@dataclass(frozen=True)
class Counterpart:
    """A node filed about the same subject before the record being declared."""

    node_id: int
    name: str

    def version_of(self, prefix: str) -> bool:
        """Whether it is a version of the document whose names start with `prefix`."""
        return self.name.startswith(prefix)


class SubjectRegister:
    """The Redis side of the module docstring; one per process."""

    def __init__(self, client: redis.Redis, server: str) -> None:
        self._server = server
        self._register = client.register_script(_REGISTER)

    def filed_before(
        self, spec: DocumentSpec, node_id: int, name: str, indexed: list[DeclaredRecordRow]
    ) -> list[Counterpart]:
        """Register `node_id` (named `name`) for the spec's subject and return every node
        filed about it before: registered earlier, or in `indexed` (the subject's index rows,
        read before this call) and no longer registered."""
        key = keys.declared_nodes(self._server, spec.store_hash, spec.subject.kind, spec.subject.id)
        flat = self._register(keys=[key], args=[node_id, name, TTL_S])
        register = _entries(dict(zip(flat[::2], flat[1::2], strict=True)))
        mine = register[node_id][0]
        found = {
            other: Counterpart(other, other_name)
            for other, (sequence, other_name) in register.items()
            if sequence < mine
        }
        for row in indexed:
            if row.ecm_node_id not in register:
                found.setdefault(row.ecm_node_id, Counterpart(row.ecm_node_id, row.ecm_name))
        return sorted(found.values(), key=lambda c: c.node_id)


def _entries(raw: Mapping[bytes, bytes]) -> dict[int, tuple[int, str]]:
    """node id -> (sequence, ECM name), without the counter."""
    entries = {}
    for field, value in raw.items():
        if field.decode() == _SEQUENCE:
            continue
        sequence, name = value.decode().split(" ", 1)
        entries[int(field)] = (int(sequence), name)
    return entries
