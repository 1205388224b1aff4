"""What an operator can get wrong is one line on stderr and exit 2, never a traceback:
ports, a Redis that is not there or not Redis, unknown queues and stores, a window upside
down, a store that refuses the hooks, settings in the wrong format."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from sandbox.bigcommerce import BigCommerceEmulator

BCRM = [sys.executable, "-m", "pipeline.cli"]
UNREACHABLE = "redis://127.0.0.1:1/0"
WEBHOOKS = {"BCRM_WEBHOOK_SECRET": "s", "BCRM_WEBHOOK_STORES": "abc123"}


def _bcrm(*args: str, timeout: float = 120, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*BCRM, *args], env={**os.environ, **env}, capture_output=True,
                          text=True, timeout=timeout, stdin=subprocess.DEVNULL)  # fmt: skip


def _refused(result: subprocess.CompletedProcess[str], *words: str) -> str:
    """Exit 2 with exactly one line on stderr (naming `words`), no traceback."""
    line = result.stderr.strip()
    assert result.returncode == 2, (result.returncode, result.stderr[-2000:])
    assert len(line.splitlines()) == 1 and "Traceback" not in line, result.stderr[-2000:]
    assert line.startswith("bcrm"), line
    for word in words:
        assert word in line, line
    return line


@pytest.fixture
def busy_port() -> Iterator[int]:
    """A loopback port something else is listening on."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        yield int(sock.getsockname()[1])


SERVERS = {
    "sandbox bigcommerce": (["sandbox", "bigcommerce", "--orders", "1"], {}),
    "sandbox otcs": (["sandbox", "otcs"], {}),
    "flower": (["flower"], {"BCRM_FLOWER_BASIC_AUTH": "ops:s3cret"}),
    "metrics serve": (["metrics", "serve"], {}),
    "webhooks serve": (
        ["webhooks", "serve"],
        {"BCRM_WEBHOOK_SECRET": "s", "BCRM_WEBHOOK_STORES": "abc123"},
    ),
}


@pytest.mark.parametrize("server", SERVERS)
def test_a_port_in_use_is_one_line(server: str, busy_port: int) -> None:
    args, env = SERVERS[server]
    result = _bcrm(*args, "--port", str(busy_port), **env)
    _refused(result, f"127.0.0.1:{busy_port}", "in use")


@pytest.mark.parametrize("server", SERVERS)
@pytest.mark.parametrize("port", ["70000", "-1"])
def test_a_port_out_of_range_is_one_line(server: str, port: str) -> None:
    args, env = SERVERS[server]
    _refused(_bcrm(*args, "--port", port, **env), port, "0-65535")


@pytest.fixture
def not_redis() -> Iterator[str]:
    """A TCP server that answers like a web server: something, but not Redis."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    stop = threading.Event()
    held: list[socket.socket] = []

    def serve() -> None:
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                connection, _ = server.accept()
            except TimeoutError:
                continue
            connection.sendall(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")
            held.append(connection)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield f"redis://127.0.0.1:{server.getsockname()[1]}/0"
    finally:
        stop.set()
        thread.join(10)
        for connection in held:
            connection.close()
        server.close()


@pytest.mark.parametrize(
    "args", [["status"], ["worker"], ["beat"], ["webhooks", "serve", "--port", "0"]]
)
def test_a_redis_url_that_is_not_redis_is_one_line(args: list[str], not_redis: str) -> None:
    line = _refused(_bcrm(*args, BCRM_REDIS_URL=not_redis, **WEBHOOKS))
    assert "BCRM_REDIS_URL" in line and "not as Redis" in line


@pytest.mark.parametrize(
    "args", [["worker"], ["beat"], ["webhooks", "serve", "--port", "0"], ["dlq", "list"]]
)
def test_redis_unreachable_at_start_is_one_line(args: list[str]) -> None:
    """Celery would retry the broker forever; the command says so and stops instead."""
    line = _refused(_bcrm(*args, BCRM_REDIS_URL=UNREACHABLE, **WEBHOOKS))
    assert "BCRM_REDIS_URL redis://127.0.0.1:1/0: cannot connect" in line


def test_a_worker_refuses_an_unknown_queue() -> None:
    line = _refused(_bcrm("worker", "-Q", "fetch,rendr"), "rendr")
    assert "fetch, publish, render, classify, declare, control" in line


def test_the_store_refusing_the_hooks_is_one_line() -> None:
    with BigCommerceEmulator(orders=1, quota=None) as emulator:
        result = _bcrm(
            "webhooks", "register", "--destination", "https://hooks.example.com/hooks",
            BCRM_WEBHOOK_SECRET="s",
            BCRM_BIGCOMMERCE_STORES=f"{emulator.store_hash}:not-the-token",
            BCRM_BIGCOMMERCE_API_URL=emulator.root_url,
        )  # fmt: skip
    _refused(result, f"store {emulator.store_hash} did not register the hooks", "401")


STORE_COMMANDS = [
    ["backfill", "--since", "2026-01-01", "--store", "nosuchstore", "--no-wait"],
    ["reconcile", "--since", "2026-01-01", "--store", "nosuchstore"],
    ["fixity", "audit", "--store", "nosuchstore"],
    ["summaries", "run", "--store", "nosuchstore", "--month", "2024-03"],
]


@pytest.mark.parametrize("args", STORE_COMMANDS, ids=lambda a: a[0])
def test_an_unknown_store_is_the_same_refusal_everywhere(args: list[str]) -> None:
    result = _bcrm(*args, BCRM_BIGCOMMERCE_STORES="abc123:token")
    assert _refused(result) == "bcrm: store nosuchstore is not in BCRM_BIGCOMMERCE_STORES"


@pytest.mark.parametrize(
    "args",
    [
        ["backfill", "--since", "2026-02-01", "--until", "2026-01-01", "--no-wait"],
        ["reconcile", "--since", "2026-02-01", "--until", "2026-01-01"],
        ["records", "find", "--sku", "X", "--since", "2026-02-01", "--until", "2026-01-31"],
    ],
    ids=lambda a: a[0],
)
def test_until_before_since_is_refused(args: list[str]) -> None:
    _refused(_bcrm(*args, BCRM_BIGCOMMERCE_STORES="abc123:token"), "--until", "before --since")


@pytest.mark.parametrize(
    ("variable", "value", "expected"),
    [
        ("BCRM_BIGCOMMERCE_STORES", "abc123", "hash:token[,hash:token…]"),
        ("BCRM_OTCS_URL", "https://cs.example.com/otcs", "ending in /api"),
        ("BCRM_REDIS_URL", "localhost:6379", "redis://"),
        ("BCRM_BIGCOMMERCE_API_URL", "api.bigcommerce.com", "https://api.bigcommerce.com"),
        ("BCRM_WEBHOOK_STORES", "abc123;def456", "hash[,hash…]"),
        ("BCRM_FLOWER_BASIC_AUTH", "admin", "user:password"),
        ("BCRM_FLOWER_BASIC_AUTH", ":secret", "user:password"),
    ],
)
def test_a_setting_in_the_wrong_format_says_the_expected_one(
    variable: str, value: str, expected: str
) -> None:
    _refused(_bcrm("config", **{variable: value}), f"{variable}: expected", expected)


@pytest.mark.parametrize(
    "content",
    ["[[[ not toml", '[meta]\nversion = "x"\n'],
    ids=["corrupt", "not-a-file-plan"],
)
@pytest.mark.parametrize("command", ["worker", "beat"])
def test_a_bad_retention_file_stops_a_node_as_it_starts(
    command: str, content: str, tmp_path: Path
) -> None:
    """Validated at start, not at the first classify: one line naming the file, exit 2."""
    plan = tmp_path / "retention.toml"
    plan.write_text(content)
    result = _bcrm(command, BCRM_RETENTION_FILE=str(plan), BCRM_DATA_DIR=str(tmp_path))
    _refused(result, "retention plan", str(plan), "bcrm retention check")
