"""`BigCommerceEmulator`: the whole emulator as one object, runnable in-process.

`start()` seeds the store, then runs the aiohttp app on its own event loop in a daemon
thread and returns once the socket listens; `stop()` shuts it down. The control methods
hop onto that loop, so tests can drive the store from their own thread safely.
"""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Callable, Coroutine
from typing import Any, Self, TypeVar

from aiohttp import web

from sandbox.threaded_server import ThreadedServer

from .admin import add_admin_routes
from .app import Runtime, build_app
from .auth import ALL_SCOPES, new_token
from .control import Control
from .delivery import WebhookDispatcher
from .ratelimit import RateLimiter
from .seed import seed_store
from .state import Store

T = TypeVar("T")


def default_store_hash(seed: int) -> str:
    """Stable per seed, shaped like a real store hash (10 lowercase alphanumerics)."""
    return hashlib.sha1(f"bcrm-store-{seed}".encode()).hexdigest()[:10]


class BigCommerceEmulator(ThreadedServer):
    """A seeded BigCommerce store served over real HTTP on loopback."""

    def __init__(
        self,
        *,
        orders: int = 1000,
        seed: int = 1,
        store_hash: str | None = None,
        quota: int | None = 150,
        window_ms: int = 30_000,
        host: str = "127.0.0.1",
        port: int = 0,
        access_token: str | None = None,
        client_secret: str | None = None,
        webhook_time_scale: float = 1.0,
        webhook_timeout_s: float = 10.0,
        allow_plain_http_hooks: bool = False,
    ) -> None:
        super().__init__(host, port)
        self.orders = orders
        self.seed = seed
        self.store_hash = store_hash or default_store_hash(seed)
        store_id = str(
            1_000_000 + int(hashlib.sha1(self.store_hash.encode()).hexdigest(), 16) % 9_000_000
        )
        self.store = Store(
            store_hash=self.store_hash,
            store_id=store_id,
            allow_plain_http_hooks=allow_plain_http_hooks,
        )
        token = new_token(ALL_SCOPES, client_secret=client_secret, access_token=access_token)
        self.store.tokens[token.access_token] = token
        self.access_token = token.access_token
        self.client_id = token.client_id
        self.runtime = Runtime(store=self.store, limiter=RateLimiter(quota, window_ms))
        self.runtime.rng.seed(seed)
        self._dispatcher_options = {
            "time_scale": webhook_time_scale,
            "timeout_s": webhook_timeout_s,
        }
        self.control: Control | None = None
        self.base_url = self.admin_url = self.root_url = ""
        self._dispatcher: WebhookDispatcher | None = None
        self._info: dict[str, Any] = {}

    thread_name = "bigcommerce-emulator"

    def start(self) -> Self:
        seed_store(self.store, orders=self.orders, seed=self.seed)
        return super().start()

    async def build_app(self) -> web.Application:
        self._dispatcher = WebhookDispatcher(self.store, **self._dispatcher_options)
        self.store.emit = self._dispatcher.emit
        self.control = Control(self.runtime, self._dispatcher)
        app = build_app(self.runtime)
        add_admin_routes(app, self.control, self._info)
        return app

    def on_listening(self) -> None:
        self.root_url = f"http://{self.host}:{self.port}"
        self.base_url = f"{self.root_url}/stores/{self.store_hash}"
        self.admin_url = f"{self.root_url}/admin"
        self.store.base_url = self.base_url
        self._info.update(self.info())

    async def on_shutdown(self) -> None:
        if self._dispatcher is not None:
            await self._dispatcher.close()

    def info(self) -> dict[str, Any]:
        """The start-up line: where the API is and how to authenticate against it."""
        return {
            "base_url": self.base_url,
            "store_hash": self.store_hash,
            "access_token": self.access_token,
            "admin_url": self.admin_url,
        }

    def _call(self, fn: Callable[..., T | Coroutine[Any, Any, T]], *args: Any, **kwargs: Any) -> T:
        """Run a control action on the emulator's loop and return (or raise) its result."""
        if self._loop is None:
            raise RuntimeError("the emulator is not running")

        async def invoke() -> T:
            result = fn(*args, **kwargs)
            if asyncio.iscoroutine(result):
                return await result
            return result  # type: ignore[return-value]

        return asyncio.run_coroutine_threadsafe(invoke(), self._loop).result(timeout=60)

    def __getattr__(self, name: str) -> Callable[..., Any]:
        """The control API (`place_order`, `refund`, `set_faults`, `request_counters`...):
        every public `Control` method, executed on the emulator's loop."""
        control = self.__dict__.get("control")
        if name.startswith("_") or control is None or not hasattr(control, name):
            raise AttributeError(name)
        method = getattr(control, name)
        return lambda *args, **kwargs: self._call(method, *args, **kwargs)

    def __dir__(self) -> list[str]:
        control = [n for n in dir(Control) if not n.startswith("_")]
        return sorted({*super().__dir__(), *control})
