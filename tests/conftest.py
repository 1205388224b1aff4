"""Session set-up shared by every test: one real redis-server and fast-recovery settings.

Celery reads its configuration when first used, so the Redis URL and the shortened
visibility timeout must be in the environment before any test imports the app.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest

from pipeline.runtime.embedded_redis import EmbeddedRedis

# Redelivery after a killed worker within ~12 s instead of ~30 s; limits stay below it.
TEST_SETTINGS = {
    "BCRM_VISIBILITY_TIMEOUT": "10",
    "BCRM_RESTORE_INTERVAL": "1",
    "BCRM_TASK_SOFT_TIME_LIMIT": "6",
    "BCRM_TASK_TIME_LIMIT": "8",
    "BCRM_RETRY_BACKOFF_MAX": "2",
    "BCRM_LOG_LEVEL": "WARNING",
    # The canary flow's placeholder tasks test the machinery alone; workers the tests start
    # register them too.
    "BCRM_FLOWS": "commerce,fulfilment,disclosures,approvals,cases,recalls,campaigns,canary",
    # Seeded stores hold disputed orders: only the case files' own tests open their cases,
    # so no other test's counts of records and subjects change.
    "BCRM_CASES_OPEN_ON_DISPUTE": "false",
}

_session: dict[str, object] = {}


def pytest_configure(config: pytest.Config) -> None:
    data_dir = Path(tempfile.mkdtemp(prefix="bcrm-tests-"))
    server = EmbeddedRedis(data_dir)
    server.start()
    _session.update(server=server, data_dir=data_dir)
    os.environ.update(TEST_SETTINGS)
    os.environ["BCRM_REDIS_URL"] = server.url
    os.environ["BCRM_DATA_DIR"] = str(data_dir)


def pytest_unconfigure(config: pytest.Config) -> None:
    server = _session.get("server")
    if isinstance(server, EmbeddedRedis):
        server.stop()
    data_dir = _session.get("data_dir")
    if isinstance(data_dir, Path):
        shutil.rmtree(data_dir, ignore_errors=True)


@pytest.fixture(scope="session")
def redis_url() -> str:
    """URL of the session's real redis-server."""
    server = _session["server"]
    assert isinstance(server, EmbeddedRedis)
    return server.url
