"""An aiohttp app served from its own event loop in a daemon thread.

Both emulators run in-process for tests and benchmarks and behind `bcrm sandbox ...`
for other processes; this is the one place that owns the loop, the thread, the socket
and their shutdown. A subclass says what app to serve and what to do around it.
"""

from __future__ import annotations

import asyncio
import threading
from types import TracebackType
from typing import Self

from aiohttp import web


class ThreadedServer:
    """Start with `start()` (returns once the socket listens; port 0 picks a free one),
    stop with `stop()`, or use it as a context manager."""

    thread_name = "aiohttp-server"

    def __init__(self, host: str, port: int) -> None:
        self.host = host
        self.port = port
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._runner: web.AppRunner | None = None

    async def build_app(self) -> web.Application:
        """The app to serve; built on the server's own loop."""
        raise NotImplementedError

    def on_listening(self) -> None:
        """Called once the port is known."""

    async def on_shutdown(self) -> None:
        """Called on the server's loop before the app is torn down."""

    def start(self) -> Self:
        ready = threading.Event()
        failure: list[BaseException] = []
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(
            target=self._serve, args=(ready, failure), name=self.thread_name, daemon=True
        )
        self._thread.start()
        ready.wait()
        if failure:
            raise failure[0]
        return self

    def _serve(self, ready: threading.Event, failure: list[BaseException]) -> None:
        loop = self._loop
        assert loop is not None
        asyncio.set_event_loop(loop)
        try:
            loop.run_until_complete(self._listen())
        except BaseException as error:  # reported to the starting thread, not swallowed
            failure.append(error)
            ready.set()
            return
        ready.set()
        loop.run_forever()
        loop.run_until_complete(self._shutdown())
        loop.close()

    async def _listen(self) -> None:
        self._runner = web.AppRunner(await self.build_app(), access_log=None, handle_signals=False)
        await self._runner.setup()
        await web.TCPSite(self._runner, self.host, self.port, reuse_address=True).start()
        self.port = int(self._runner.addresses[0][1])
        self.on_listening()

    async def _shutdown(self) -> None:
        await self.on_shutdown()
        if self._runner is not None:
            await self._runner.cleanup()

    def stop(self) -> None:
        if self._loop is None or self._thread is None:
            return
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=30)
        self._loop = self._thread = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
