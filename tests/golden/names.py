"""What the golden fixture pins: for every staged source, the record key, ECM name,
workspace and folder of each document it owes.

The sources (order snapshots and tax summaries, as canonical JSON) are stored in the
fixture itself, so the test holds the key and name derivation to what records already
declared carry, whatever later changes the emulators' seed data.
Regenerate only on purpose: `python -m tests.golden.make_fixture`.
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any

FIXTURE = Path(__file__).with_name("record_names.json.gz")


def load_fixture() -> dict[str, Any]:
    with gzip.open(FIXTURE, "rt", encoding="utf-8") as handle:
        return dict(json.load(handle))


def save_fixture(body: dict[str, Any]) -> None:
    text = json.dumps(body, sort_keys=True, indent=0)
    FIXTURE.write_bytes(gzip.compress(text.encode(), mtime=0))
