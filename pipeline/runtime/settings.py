"""Settings from the environment (`BCRM_` prefix) and an optional `.env` file.

Validated once at start-up so a bad value stops the process with a message naming the
variable, instead of surfacing later as an obscure failure inside a worker.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from dotenv import dotenv_values
from marshmallow import Schema, ValidationError, validate, validates, validates_schema
from marshmallow import fields as mf

from pipeline.core.registry import DEFAULT_FLOWS, FLOW_MODULES

PREFIX = "BCRM_"
SECRET_FIELDS = frozenset(
    {
        "flower_basic_auth",
        "bigcommerce_stores",
        "otcs_password",
        "webhook_secret",
        "webhook_signing_secrets",
        "cases_signing_secrets",
    }
)


DATABASE_SCHEMES = ("postgres", "postgresql", "postgresql+psycopg", "sqlite", "sqlite+pysqlite")


def database_url_problem(url: str) -> str | None:
    """Why `url` cannot be the archive index's database, or None if it can."""
    parts = urlsplit(url)
    if parts.scheme not in DATABASE_SCHEMES:
        return (
            f"not a supported database URL (scheme {parts.scheme or '(none)'!r}); expected "
            "postgresql+psycopg://user:password@host:5432/dbname or sqlite:///path/index.sqlite3"
        )
    if parts.scheme.startswith("postgres") and not (parts.hostname and parts.path.strip("/")):
        return (
            "a PostgreSQL URL needs a host and a database name: postgresql+psycopg://user@host/db"
        )
    if parts.scheme.startswith("sqlite") and not parts.path.strip("/"):
        return "a SQLite URL needs a file path: sqlite:////abs/path/index.sqlite3"
    return None


# Variables with our prefix that are not settings: the test suite's PostgreSQL server for
# the archive index tests, which `.ci/run` exports to every process it starts.
NOT_SETTINGS = frozenset({"BCRM_TEST_DATABASE_URL"})


class SettingsError(ValueError):
    """A configuration value is missing or invalid; the message names the variable."""


class _SettingsSchema(Schema):
    redis_url = mf.String(
        load_default=None,
        validate=validate.Regexp(
            r"^(redis|rediss|unix)://",
            error="expected a Redis URL: redis://[:password@]host:6379/0, rediss://… or unix:///path",
        ),
    )
    data_dir = mf.String(load_default="var")
    log_level = mf.String(
        load_default="INFO",
        validate=validate.OneOf(
            ["DEBUG", "INFO", "WARNING", "ERROR"],
            error="expected one of DEBUG, INFO, WARNING, ERROR",
        ),
    )
    visibility_timeout = mf.Integer(load_default=25, validate=validate.Range(min=5))
    restore_interval = mf.Float(load_default=5.0, validate=validate.Range(min=0.5))
    task_soft_time_limit = mf.Integer(load_default=15, validate=validate.Range(min=1))
    task_time_limit = mf.Integer(load_default=20, validate=validate.Range(min=2))
    retry_backoff_max = mf.Integer(load_default=10, validate=validate.Range(min=1))
    max_tasks_per_child = mf.Integer(load_default=1000, validate=validate.Range(min=1))
    max_memory_per_child_kib = mf.Integer(load_default=400_000, validate=validate.Range(min=1))
    worker_concurrency = mf.Integer(load_default=2, validate=validate.Range(min=1))
    staging_ttl = mf.Integer(load_default=86_400, validate=validate.Range(min=60))
    staging_max_bytes = mf.Integer(load_default=512 * 1024 * 1024, validate=validate.Range(min=1))
    staging_max_blob_bytes = mf.Integer(
        load_default=64 * 1024 * 1024, validate=validate.Range(min=1)
    )
    flower_basic_auth = mf.String(
        load_default=None,
        validate=validate.Regexp(r"^[^:]+:.+$", error="expected user:password (both non-empty)"),
    )
    retention_file = mf.String(load_default=None)
    approvals_file = mf.String(load_default=None)
    bigcommerce_api_url = mf.String(
        load_default="https://api.bigcommerce.com",
        validate=validate.Regexp(
            r"^https?://[^/]+", error="expected an http(s) URL such as https://api.bigcommerce.com"
        ),
    )
    bigcommerce_stores = mf.String(
        load_default=None,
        validate=validate.Regexp(
            r"^[a-z0-9]+:[^,:]+(,[a-z0-9]+:[^,:]+)*$",
            error="expected hash:token[,hash:token…], hashes in lower-case letters and digits",
        ),
    )
    otcs_url = mf.String(
        load_default=None,
        validate=validate.Regexp(
            r"^https?://.+/api$",
            error="expected an http(s) URL ending in /api, e.g. https://cs.example.com/otcs/cs.exe/api",
        ),
    )
    otcs_username = mf.String(load_default=None)
    otcs_password = mf.String(load_default=None)
    otcs_root_id = mf.Integer(load_default=2000, validate=validate.Range(min=1))
    tls_ca_bundle = mf.String(load_default=None)
    poll_interval_s = mf.Float(load_default=60.0, validate=validate.Range(min=1))
    # Disclosures change rarely and webhooks wake a look early; a full look reads every page.
    disclosure_poll_interval_s = mf.Float(
        load_default=300.0,
        validate=validate.Range(min=5, error="expected seconds between looks, at least 5"),
    )
    # Promotions and coupons have no webhooks and no date_modified: each look reads them all.
    promotion_poll_interval_s = mf.Float(
        load_default=60.0,
        validate=validate.Range(min=1, error="expected seconds between looks, at least 1"),
    )
    campaigns_file = mf.String(load_default=None)
    webhook_secret = mf.String(load_default=None)
    webhook_secret_header = mf.String(load_default="X-Bcrm-Webhook-Secret")
    webhook_signing_secrets = mf.String(load_default=None)
    webhook_tolerance = mf.Integer(load_default=300, validate=validate.Range(min=1))
    webhook_max_body_bytes = mf.Integer(load_default=16 * 1024, validate=validate.Range(min=1))
    webhook_read_timeout = mf.Float(
        load_default=10.0, validate=validate.Range(min=0, min_inclusive=False)
    )
    webhook_dedup_ttl = mf.Integer(load_default=72 * 3600, validate=validate.Range(min=1))
    webhook_stores = mf.String(
        load_default=None,
        validate=validate.Regexp(
            r"^\s*[a-z0-9]+\s*(,\s*[a-z0-9]+\s*)*$",
            error="expected store hashes separated by commas: hash[,hash…]",
        ),
    )
    cases_signing_secrets = mf.String(load_default=None)
    case_max_attachment_bytes = mf.Integer(
        load_default=5 * 1024 * 1024, validate=validate.Range(min=1)
    )
    cases_open_on_dispute = mf.Boolean(load_default=True)
    reconcile_days = mf.Integer(load_default=2, validate=validate.Range(min=1))
    fixity_sample = mf.Integer(load_default=1000, validate=validate.Range(min=0))
    flows = mf.String(
        load_default=",".join(DEFAULT_FLOWS),
        validate=validate.Regexp(
            rf"^({'|'.join(FLOW_MODULES)})(,({'|'.join(FLOW_MODULES)}))*$",
            error=f"expected a comma-separated list of flows from: {', '.join(FLOW_MODULES)}",
        ),
    )
    database_url = mf.String(load_default=None)
    ledger_retain_days = mf.Integer(load_default=30, validate=validate.Range(min=1))

    @validates("database_url")
    def _database_url(self, value: str | None, **_: Any) -> None:
        """Checked at start-up: a typo here would otherwise surface as a failed declare."""
        problem = None if value is None else database_url_problem(value)
        if problem:
            raise ValidationError(problem)

    @validates_schema
    def _limits_below_visibility_timeout(self, data: dict[str, Any], **_: Any) -> None:
        """Redis redelivers anything unacked past the visibility timeout, so every task
        deadline and retry delay must end before it or a task runs twice in parallel."""
        vt = data["visibility_timeout"]
        if data["task_time_limit"] >= vt:
            raise ValidationError(
                f"must be below BCRM_VISIBILITY_TIMEOUT ({vt})", "task_time_limit"
            )
        if data["task_soft_time_limit"] >= data["task_time_limit"]:
            raise ValidationError(
                f"must be below BCRM_TASK_TIME_LIMIT ({data['task_time_limit']})",
                "task_soft_time_limit",
            )
        if data["retry_backoff_max"] >= vt:
            raise ValidationError(
                f"must be below BCRM_VISIBILITY_TIMEOUT ({vt})", "retry_backoff_max"
            )


@dataclass(frozen=True)
class Settings:
    """The effective configuration; field names are the variable names without `BCRM_`."""

    redis_url: str | None
    data_dir: str
    log_level: str
    visibility_timeout: int
    restore_interval: float
    task_soft_time_limit: int
    task_time_limit: int
    retry_backoff_max: int
    max_tasks_per_child: int
    max_memory_per_child_kib: int
    worker_concurrency: int
    staging_ttl: int
    staging_max_bytes: int
    staging_max_blob_bytes: int
    flower_basic_auth: str | None
    retention_file: str | None
    approvals_file: str | None
    bigcommerce_api_url: str
    bigcommerce_stores: str | None
    otcs_url: str | None
    otcs_username: str | None
    otcs_password: str | None
    otcs_root_id: int
    tls_ca_bundle: str | None
    poll_interval_s: float
    disclosure_poll_interval_s: float
    promotion_poll_interval_s: float
    campaigns_file: str | None
    webhook_secret: str | None
    webhook_secret_header: str
    webhook_signing_secrets: str | None
    webhook_tolerance: int
    webhook_max_body_bytes: int
    webhook_read_timeout: float
    webhook_dedup_ttl: int
    webhook_stores: str | None
    cases_signing_secrets: str | None
    case_max_attachment_bytes: int
    cases_open_on_dispute: bool
    reconcile_days: int
    fixity_sample: int
    flows: str
    database_url: str | None
    ledger_retain_days: int

    @property
    def data_path(self) -> Path:
        return Path(self.data_dir).resolve()

    @property
    def store_tokens(self) -> dict[str, str]:
        """Store hash -> access token, from `BCRM_BIGCOMMERCE_STORES=hash:token,...`."""
        if not self.bigcommerce_stores:
            return {}
        return dict(pair.split(":", 1) for pair in self.bigcommerce_stores.split(","))

    @property
    def flow_names(self) -> tuple[str, ...]:
        """The flows this deployment runs (`BCRM_FLOWS`), in order, each once."""
        return tuple(dict.fromkeys(self.flows.split(",")))

    @property
    def tls_verify(self) -> bool | str:
        """What requests' `verify` takes: a CA bundle path, else the system store."""
        return self.tls_ca_bundle or True

    def masked(self) -> dict[str, Any]:
        """The configuration as printed to operators: secrets and URL passwords hidden."""
        shown: dict[str, Any] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if value is not None and f.name in SECRET_FIELDS:
                value = "****"
            elif isinstance(value, str) and "://" in value:
                value = mask_url(value)
            shown[PREFIX + f.name.upper()] = value
        return shown


def mask_url(url: str) -> str:
    """Hide the password of a URL such as redis://:secret@host:6379/0."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    user = parts.username or ""
    host = parts.hostname or ""
    netloc = f"{user}:****@{host}" + (f":{parts.port}" if parts.port else "")
    return urlunsplit(parts._replace(netloc=netloc))


def _raw_values(env: dict[str, str], env_file: Path | None) -> dict[str, str]:
    """Process environment wins over `.env`, as with every twelve-factor tool."""
    merged: dict[str, str] = {}
    if env_file is not None and env_file.is_file():
        merged.update({k: v for k, v in dotenv_values(env_file).items() if v is not None})
    merged.update(env)
    known = {f.name for f in fields(Settings)}
    raw: dict[str, str] = {}
    for key, value in merged.items():
        if not key.startswith(PREFIX) or key in NOT_SETTINGS:
            continue
        name = key[len(PREFIX) :].lower()
        if name not in known:
            raise SettingsError(f"{key}: unknown setting (known: {_known_names(known)})")
        if value != "":
            raw[name] = value
    return raw


def _known_names(known: set[str]) -> str:
    return ", ".join(sorted(PREFIX + n.upper() for n in known))


def load_settings(
    env: Mapping[str, str] | None = None, env_file: Path | None = Path(".env")
) -> Settings:
    """Read and validate the configuration; raise SettingsError naming the bad variable."""
    raw = _raw_values(dict(os.environ if env is None else env), env_file)
    try:
        data = _SettingsSchema().load(raw)
    except ValidationError as exc:
        problems = []
        for name, messages in sorted(exc.normalized_messages().items()):
            text = "; ".join(messages) if isinstance(messages, list) else str(messages)
            problems.append(f"{PREFIX}{name.upper()}: {text}")
        raise SettingsError(", ".join(problems)) from None
    return Settings(**data)
