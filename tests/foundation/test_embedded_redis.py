import json
import os
import subprocess
import sys
from pathlib import Path

import redis

from pipeline.runtime.embedded_redis import EmbeddedRedis


def test_embedded_redis_is_durable_loopback_and_never_evicts(tmp_path: Path) -> None:
    server = EmbeddedRedis(tmp_path)
    server.start()
    try:
        client = redis.Redis.from_url(server.url, decode_responses=True)
        assert client.config_get("appendonly")["appendonly"] == "yes"
        assert client.config_get("appendfsync")["appendfsync"] == "everysec"
        assert client.config_get("maxmemory-policy")["maxmemory-policy"] == "noeviction"
        assert client.config_get("bind")["bind"] == "127.0.0.1"
        assert Path(client.config_get("dir")["dir"]) == tmp_path / "redis"
    finally:
        server.stop()
    assert not (tmp_path / "redis" / "redis.json").exists()


def test_a_running_server_is_reused_and_left_running_by_its_guest(tmp_path: Path) -> None:
    owner = EmbeddedRedis(tmp_path)
    url = owner.ensure()
    try:
        guest = EmbeddedRedis(tmp_path)
        assert guest.ensure() == url
        assert not guest.owned
        guest.stop()
        assert redis.Redis.from_url(url).ping()
    finally:
        owner.stop()


def test_data_survives_a_restart_through_the_aof(tmp_path: Path) -> None:
    first = EmbeddedRedis(tmp_path)
    redis.Redis.from_url(first.ensure()).set("ledger-key", "kept")
    first.stop()
    second = EmbeddedRedis(tmp_path)
    try:
        assert redis.Redis.from_url(second.ensure()).get("ledger-key") == b"kept"
    finally:
        second.stop()


def test_a_stale_runtime_file_is_ignored(tmp_path: Path) -> None:
    (tmp_path / "redis").mkdir()
    (tmp_path / "redis" / "redis.json").write_text(json.dumps({"pid": 2**22 + 7, "port": 1}))
    server = EmbeddedRedis(tmp_path)
    assert not server.find_running()
    try:
        assert redis.Redis.from_url(server.ensure()).ping()
        assert server.owned
    finally:
        server.stop()


def test_redis_start_lets_go_of_its_callers_output(tmp_path: Path) -> None:
    """`x=$(bcrm redis start 2>&1)` returns: the server keeps none of bcrm's streams open,
    so a caller reading both to their end sees them close when bcrm exits."""
    env = {k: v for k, v in os.environ.items() if k != "BCRM_REDIS_URL"}
    env["BCRM_DATA_DIR"] = str(tmp_path)
    bcrm = [sys.executable, "-m", "pipeline.cli", "redis"]
    started = subprocess.run([*bcrm, "start"], env=env, capture_output=True, text=True,
                             timeout=60, stdin=subprocess.DEVNULL)  # fmt: skip
    try:
        assert started.returncode == 0, started.stderr
        url = json.loads(started.stdout)["url"]
        assert redis.Redis.from_url(url).ping()
    finally:
        subprocess.run([*bcrm, "stop"], env=env, capture_output=True, timeout=60)
    assert not (tmp_path / "redis" / "redis.json").exists()
