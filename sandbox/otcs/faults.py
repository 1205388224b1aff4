"""Runtime fault injection: the failure modes our retry and re-login paths must survive.

Each fault is a probability or a delay applied before the request is handled, so a
test can turn one on, observe the client's reaction, and turn it off again.
"""

from __future__ import annotations

import asyncio
import random
import threading
from dataclasses import asdict, dataclass, field, fields
from typing import Any

from aiohttp import web

from sandbox.otcs.transport import json_response

HTML_ERROR_PAGE = (
    "<!DOCTYPE html><html><head><title>Content Server</title></head>"
    "<body><h1>Service Unavailable</h1><p>The server is restarting.</p></body></html>"
)


@dataclass
class FaultSettings:
    """Probabilities are in [0, 1]; `routes` limits faults to keys like `POST /v2/nodes`."""

    latency_min_ms: float = 0.0
    latency_max_ms: float = 0.0
    latency_spike_rate: float = 0.0
    latency_spike_ms: float = 0.0
    error_rate: float = 0.0
    error_status: int = 503
    html_error_rate: float = 0.0
    reset_rate: float = 0.0
    upload_bytes_per_s: float = 0.0
    routes: list[str] = field(default_factory=list)
    seed: int | None = None

    @classmethod
    def from_dict(cls, values: dict[str, Any]) -> FaultSettings:
        known = {f.name for f in fields(cls)}
        unknown = set(values) - known
        if unknown:
            raise ValueError(f"unknown fault settings: {sorted(unknown)}")
        settings = cls(**values)
        for name in ("error_rate", "html_error_rate", "reset_rate", "latency_spike_rate"):
            if not 0.0 <= getattr(settings, name) <= 1.0:
                raise ValueError(f"{name} must be between 0 and 1")
        if not 500 <= settings.error_status <= 599:
            raise ValueError("error_status must be a 5xx code")
        return settings


class Faults:
    """The active fault settings, swappable at runtime from any thread."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._settings = FaultSettings()
        self._random = random.Random()

    def configure(self, values: dict[str, Any]) -> FaultSettings:
        settings = FaultSettings.from_dict(values)
        with self._lock:
            self._settings = settings
            self._random = random.Random(settings.seed)
        return settings

    def describe(self) -> dict[str, Any]:
        return asdict(self._settings)

    def _roll(self, rate: float) -> bool:
        if rate <= 0.0:
            return False
        with self._lock:
            return self._random.random() < rate

    def _latency_s(self, settings: FaultSettings) -> float:
        with self._lock:
            delay = self._random.uniform(settings.latency_min_ms, settings.latency_max_ms)
        if self._roll(settings.latency_spike_rate):
            delay += settings.latency_spike_ms
        return delay / 1000.0

    async def apply(self, request: web.Request, route: str) -> web.StreamResponse | None:
        """Delay, fail or cut the connection; None means "handle normally"."""
        settings = self._settings
        if settings.routes and route not in settings.routes:
            return None
        delay = self._latency_s(settings) if settings.latency_max_ms > 0 else 0.0
        if settings.upload_bytes_per_s > 0 and request.content_length:
            delay += request.content_length / settings.upload_bytes_per_s
        if delay > 0:
            await asyncio.sleep(delay)
        if self._roll(settings.reset_rate):
            if request.transport is not None:
                request.transport.abort()
            raise asyncio.CancelledError
        if self._roll(settings.error_rate):
            return json_response({"error": "Injected server error"}, settings.error_status)
        if self._roll(settings.html_error_rate):
            return web.Response(text=HTML_ERROR_PAGE, content_type="text/html")
        return None
