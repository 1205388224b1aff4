"""Running the receiver: bind, announce the URL, serve until told to stop, drain.

On stop the listener closes first, requests in flight finish (their enqueue included)
for up to `DRAIN_S`, then the Redis pool is closed.
"""

from __future__ import annotations

import asyncio
import signal
from collections.abc import Callable

from aiohttp import web

from pipeline.integrations.webhooks.config import WebhookConfig
from pipeline.integrations.webhooks.receiver import build_app

DRAIN_S = 10.0
LINGER_S = 1.0


async def serve(
    config: WebhookConfig,
    redis_url: str,
    host: str,
    port: int,
    stop: asyncio.Event,
    on_ready: Callable[[str], None],
) -> None:
    # keepalive_timeout also bounds a connection that never completes its headers:
    # aiohttp arms it when the connection opens (slow-loris protection).
    runner = web.AppRunner(
        build_app(config, redis_url),
        access_log=None,
        handle_signals=False,
        keepalive_timeout=config.read_timeout_s,
        # A refused body is drained this long (so the client reads our 4xx), not 10 s.
        lingering_time=LINGER_S,
        shutdown_timeout=DRAIN_S,
    )
    await runner.setup()
    try:
        await web.TCPSite(runner, host, port, backlog=1024).start()
        bound = runner.addresses[0]
        on_ready(f"http://{bound[0]}:{bound[1]}")
        await stop.wait()
    finally:
        await runner.cleanup()


def run_until_signalled(
    config: WebhookConfig, redis_url: str, host: str, port: int, on_ready: Callable[[str], None]
) -> None:
    """Serve in the foreground; SIGINT or SIGTERM stops it cleanly."""

    async def main() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        await serve(config, redis_url, host, port, stop, on_ready)

    asyncio.run(main())
