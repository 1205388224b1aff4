"""Which database the index uses, and how a bad `BCRM_DATABASE_URL` is reported."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.index.database import database_url
from pipeline.runtime.settings import SettingsError, load_settings


def test_the_default_is_a_sqlite_file_in_the_data_dir(tmp_path: Path) -> None:
    config = load_settings({"BCRM_DATA_DIR": str(tmp_path)}, env_file=None)
    assert database_url(config) == f"sqlite:///{tmp_path / 'index.sqlite3'}"
    assert config.ledger_retain_days == 30


def test_a_postgresql_url_uses_psycopg_and_its_password_is_masked() -> None:
    config = load_settings({"BCRM_DATABASE_URL": "postgres://bcrm:s3cret@db:5432/bcrm"}, None)
    assert database_url(config) == "postgresql+psycopg://bcrm:s3cret@db:5432/bcrm"
    assert config.masked()["BCRM_DATABASE_URL"] == "postgres://bcrm:****@db:5432/bcrm"


@pytest.mark.parametrize(
    "url", ["mysql://root@db/x", "db.example.com", "postgresql+psycopg://db:5432/", "sqlite://"]
)
def test_a_bad_url_names_the_variable(url: str) -> None:
    with pytest.raises(SettingsError, match="BCRM_DATABASE_URL"):
        load_settings({"BCRM_DATABASE_URL": url}, None)


def test_retain_days_must_be_positive() -> None:
    with pytest.raises(SettingsError, match="BCRM_LEDGER_RETAIN_DAYS"):
        load_settings({"BCRM_LEDGER_RETAIN_DAYS": "0"}, None)
