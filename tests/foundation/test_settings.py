from pathlib import Path

import pytest

from pipeline.runtime.settings import SettingsError, load_settings, mask_url


def test_defaults_are_valid_and_keep_limits_below_the_visibility_timeout() -> None:
    config = load_settings({}, env_file=None)
    assert config.redis_url is None
    assert config.task_soft_time_limit < config.task_time_limit < config.visibility_timeout
    assert config.retry_backoff_max < config.visibility_timeout


def test_a_bad_value_is_reported_with_its_variable_name() -> None:
    with pytest.raises(SettingsError, match="BCRM_VISIBILITY_TIMEOUT: Not a valid integer"):
        load_settings({"BCRM_VISIBILITY_TIMEOUT": "soon"}, env_file=None)


def test_a_hard_limit_at_or_above_the_visibility_timeout_is_refused() -> None:
    env = {"BCRM_VISIBILITY_TIMEOUT": "30", "BCRM_TASK_TIME_LIMIT": "30"}
    with pytest.raises(SettingsError, match="BCRM_TASK_TIME_LIMIT: must be below"):
        load_settings(env, env_file=None)


def test_an_unknown_variable_is_refused_so_typos_do_not_pass_silently() -> None:
    with pytest.raises(SettingsError, match="BCRM_VISIBILITY_TIMOUT: unknown setting"):
        load_settings({"BCRM_VISIBILITY_TIMOUT": "30"}, env_file=None)


def test_a_redis_url_must_name_a_redis_scheme() -> None:
    with pytest.raises(SettingsError, match="BCRM_REDIS_URL"):
        load_settings({"BCRM_REDIS_URL": "http://localhost:6379"}, env_file=None)


def test_dotenv_is_read_and_the_process_environment_wins(tmp_path: Path) -> None:
    env_file = tmp_path / ".env"
    env_file.write_text("BCRM_LOG_LEVEL=DEBUG\nBCRM_WORKER_CONCURRENCY=3\nOTHER=1\n")
    config = load_settings({"BCRM_WORKER_CONCURRENCY": "5"}, env_file=env_file)
    assert config.log_level == "DEBUG"
    assert config.worker_concurrency == 5


def test_masked_configuration_hides_secrets_and_url_passwords() -> None:
    config = load_settings(
        {"BCRM_REDIS_URL": "redis://:s3cret@redis.internal:6379/0",
         "BCRM_FLOWER_BASIC_AUTH": "admin:hunter2"},
        env_file=None,
    )  # fmt: skip
    shown = config.masked()
    assert shown["BCRM_REDIS_URL"] == "redis://:****@redis.internal:6379/0"
    assert shown["BCRM_FLOWER_BASIC_AUTH"] == "****"
    assert "s3cret" not in str(shown) and "hunter2" not in str(shown)


def test_mask_url_leaves_password_free_urls_alone() -> None:
    assert mask_url("redis://127.0.0.1:6379/0") == "redis://127.0.0.1:6379/0"
