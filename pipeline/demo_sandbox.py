"""The emulated world `bcrm demo` archives: a seeded BigCommerce store and an empty ECM,
each a real `bcrm sandbox ...` process, and the settings that point bcrm at them."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from pipeline.processes import ChildProcess


@dataclass(frozen=True)
class Sandbox:
    """Where the emulators listen and how to reach them."""

    store_hash: str
    bigcommerce: dict[str, Any]
    otcs: dict[str, Any]
    env: dict[str, str]


@contextmanager
def sandbox(log_dir: Path, orders: int, quota: int, window_ms: int) -> Iterator[Sandbox]:
    """Start both emulators, export their settings into this process, stop them after."""
    store_hash = uuid.uuid4().hex[:10]
    bigcommerce = ChildProcess(
        "bigcommerce-emulator",
        ["sandbox", "bigcommerce", "--orders", str(orders), "--store-hash", store_hash,
         "--quota", str(quota), "--window-ms", str(window_ms)],
        log_dir,
    )  # fmt: skip
    otcs = ChildProcess("otcs-emulator", ["sandbox", "otcs"], log_dir)
    try:
        bc_info = bigcommerce.start()
        otcs_info = otcs.start()
        origin = urlsplit(bc_info["base_url"])
        env = {
            "BCRM_BIGCOMMERCE_API_URL": f"{origin.scheme}://{origin.netloc}",
            "BCRM_BIGCOMMERCE_STORES": f"{store_hash}:{bc_info['access_token']}",
            "BCRM_OTCS_URL": otcs_info["base_url"],
            "BCRM_OTCS_USERNAME": otcs_info["username"],
            "BCRM_OTCS_PASSWORD": otcs_info["password"],
        }
        os.environ.update(env)
        yield Sandbox(store_hash, bc_info, otcs_info, env)
    finally:
        otcs.stop()
        bigcommerce.stop()
