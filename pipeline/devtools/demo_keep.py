"""`bcrm demo --keep`: after the summary, leave the emulated world and the pipeline running
so a person can look around, and say where everything is.

What is printed is meant to be used as is: the URLs of both emulators and the pipeline's
webhook receiver, and one command that fetches a record's PDF from the ECM (the same
`bcrm record pdf` an operator runs against a real server), with the settings it needs.
"""

from __future__ import annotations

import shlex
import signal
from dataclasses import dataclass
from pathlib import Path

from pipeline.devtools.demo_sandbox import Sandbox
from pipeline.index.records import ORDER_SUBJECT, ArchiveIndex

# The kind the printed command fetches when the order has one: the document finance and
# auditors ask for first.
SHOWN_KIND = "invoice"


@dataclass(frozen=True)
class Endpoint:
    """Something still running, where it listens, and how to get in."""

    name: str
    url: str
    access: str = ""


def endpoints(world: Sandbox, webhook_url: str, redis_url: str) -> list[Endpoint]:
    """What a person may want to open or point a client at, with the emulators' throwaway
    credentials: without them the URLs only answer 401."""
    bigcommerce, otcs = world.bigcommerce, world.otcs
    return [
        Endpoint(
            "BigCommerce emulator",
            bigcommerce["base_url"],
            f"header X-Auth-Token: {bigcommerce['access_token']}",
        ),
        Endpoint(
            "Content Server (ECM) emulator",
            otcs["base_url"],
            f"user {otcs['username']}, password {otcs['password']}",
        ),
        Endpoint(
            "ECM inventory", otcs["admin_url"] + "/inventory", "the emulator's admin API, no login"
        ),
        Endpoint("webhook receiver", webhook_url),
        Endpoint("Redis (broker, ledger)", redis_url),
    ]


def sample_record(index: ArchiveIndex, store_hash: str) -> tuple[int, str] | None:
    """An order and a kind it has a record of: the lowest order with an invoice, else the
    lowest order with any record; None when nothing was declared."""
    rows = [
        row
        for row in index.store_content(store_hash).records.values()
        if row.subject_kind == ORDER_SUBJECT
    ]
    if not rows:
        return None
    row = min(rows, key=lambda r: (r.kind != SHOWN_KIND, int(r.subject_id), r.part or ""))
    return int(row.subject_id), row.kind


def pdf_command(world: Sandbox, data_dir: Path, order_id: int, kind: str) -> str:
    """`bcrm record pdf` with the settings that point it at this run's index and ECM."""
    settings = {
        "BCRM_DATA_DIR": str(data_dir.resolve()),
        "BCRM_OTCS_URL": world.env["BCRM_OTCS_URL"],
        "BCRM_OTCS_USERNAME": world.env["BCRM_OTCS_USERNAME"],
        "BCRM_OTCS_PASSWORD": world.env["BCRM_OTCS_PASSWORD"],
    }
    args = ["bcrm", "record", "pdf", "--order", str(order_id), "--kind", kind]
    args += ["--store", world.store_hash, "--out", f"order-{order_id}-{kind}.pdf"]
    return " ".join(
        [*(f"{k}={shlex.quote(v)}" for k, v in settings.items()), *map(shlex.quote, args)]
    )


def wait_for_stop() -> None:
    """Block until Ctrl-C or SIGTERM (which `bcrm demo` turns into KeyboardInterrupt)."""
    try:
        while True:
            signal.pause()
    except KeyboardInterrupt:
        return
