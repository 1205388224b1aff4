"""`WebhookConfig.from_env` and the refusals of `bcrm webhooks serve|register`."""

from __future__ import annotations

import subprocess

import pytest

from pipeline.integrations.webhooks.config import WebhookConfig, WebhookConfigError
from tests.webhooks.support import CLIENT_SECRET, WEBHOOKS, WHSEC, environment


def test_from_env_reads_every_variable() -> None:
    config = WebhookConfig.from_env(
        {
            "BCRM_WEBHOOK_SECRET": "topsecret",
            "BCRM_WEBHOOK_SECRET_HEADER": "X-Hook-Auth",
            "BCRM_WEBHOOK_SIGNING_SECRETS": f"{WHSEC}, whsec_b2xk",
            "BCRM_WEBHOOK_TOLERANCE": "60",
            "BCRM_WEBHOOK_MAX_BODY_BYTES": "4096",
            "BCRM_WEBHOOK_READ_TIMEOUT": "2.5",
            "BCRM_WEBHOOK_DEDUP_TTL": "3600",
            "BCRM_WEBHOOK_STORES": "abc123, def456",
        }
    )
    assert config == WebhookConfig(
        shared_secret="topsecret",
        secret_header="X-Hook-Auth",
        signing_keys=(CLIENT_SECRET.encode(), b"old"),
        timestamp_tolerance_s=60,
        max_body_bytes=4096,
        read_timeout_s=2.5,
        dedup_ttl_s=3600,
        stores=frozenset({"abc123", "def456"}),
    )
    assert "topsecret" not in repr(config) and "client-secret" not in repr(config)


@pytest.mark.parametrize(
    ("env", "names"),
    [
        ({}, "BCRM_WEBHOOK_SECRET"),
        ({"BCRM_WEBHOOK_SIGNING_SECRETS": "whsec_***"}, "BCRM_WEBHOOK_SIGNING_SECRETS"),
        ({"BCRM_WEBHOOK_SECRET": "s", "BCRM_WEBHOOK_TOLERANCE": "soon"}, "BCRM_WEBHOOK_TOLERANCE"),
        (
            {"BCRM_WEBHOOK_SECRET": "s", "BCRM_WEBHOOK_READ_TIMEOUT": "0"},
            "BCRM_WEBHOOK_READ_TIMEOUT",
        ),
    ],
)
def test_bad_or_missing_settings_name_the_variable(env: dict[str, str], names: str) -> None:
    with pytest.raises(WebhookConfigError, match=names):
        WebhookConfig.from_env(env)


def test_the_stores_served_default_to_the_stores_archived() -> None:
    archived = {"BCRM_WEBHOOK_SECRET": "s", "BCRM_BIGCOMMERCE_STORES": "abc123:t1,def456:t2"}
    assert WebhookConfig.from_env(archived).stores == {"abc123", "def456"}
    narrowed = WebhookConfig.from_env({**archived, "BCRM_WEBHOOK_STORES": "def456"})
    assert narrowed.stores == {"def456"}
    alone = WebhookConfig.from_env({"BCRM_WEBHOOK_SECRET": "s", "BCRM_WEBHOOK_STORES": "abc123"})
    assert alone.stores == {"abc123"}


def test_a_receiver_with_no_store_to_serve_is_refused() -> None:
    with pytest.raises(WebhookConfigError, match="BCRM_BIGCOMMERCE_STORES"):
        WebhookConfig.from_env({"BCRM_WEBHOOK_SECRET": "s"})


def test_unknown_webhook_variable_is_refused() -> None:
    env = {"BCRM_WEBHOOK_SECRET": "s", "BCRM_WEBHOOK_SECRT": "typo", "BCRM_LOG_LEVEL": "INFO"}
    with pytest.raises(WebhookConfigError, match="BCRM_WEBHOOK_SECRT"):
        WebhookConfig.from_env(env)


@pytest.mark.parametrize(
    "command", [["serve", "--port", "0"], ["register", "--destination", "https://x"]]
)
def test_commands_refuse_to_run_without_authentication(command: list[str]) -> None:
    done = subprocess.run(
        [*WEBHOOKS, *command],
        env=environment(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2
    assert "BCRM_WEBHOOK_SECRET" in done.stderr and "Traceback" not in done.stderr
