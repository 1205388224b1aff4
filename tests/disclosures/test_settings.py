"""BCRM_DISCLOSURE_POLL_INTERVAL_S: validated with the other settings, named when wrong."""

from __future__ import annotations

import pytest

from pipeline.flows.disclosures.flow import FLOW
from pipeline.runtime.settings import SettingsError, load_settings


def test_the_default_is_five_minutes_and_beat_uses_it() -> None:
    config = load_settings({"BCRM_BIGCOMMERCE_STORES": "s1:token"}, env_file=None)
    assert config.disclosure_poll_interval_s == 300
    assert FLOW.streams(config)["poll-disclosures-s1"]["schedule"] == 300


@pytest.mark.parametrize(
    ("value", "message"),
    [("soon", "Not a valid number"), ("2", "expected seconds between looks, at least 5")],
)
def test_a_bad_interval_is_refused_with_its_name(value: str, message: str) -> None:
    with pytest.raises(SettingsError, match=f"BCRM_DISCLOSURE_POLL_INTERVAL_S: {message}"):
        load_settings({"BCRM_DISCLOSURE_POLL_INTERVAL_S": value}, env_file=None)
