"""`approvals.toml` is checked as a whole and every bad key is named."""

from __future__ import annotations

import tomllib

import pytest

from pipeline.flows.approvals.policy import (
    DEFAULT_APPROVALS_FILE,
    ApprovalsPolicyError,
    load_policy,
    parse_policy,
)


def test_the_shipped_file_covers_every_change_type() -> None:
    policy = load_policy(DEFAULT_APPROVALS_FILE)
    assert policy.of("product_price").approver_group == "Pricing Approvers"
    assert policy.of("product_price").second_approver_above_pct == 30


def test_every_problem_is_named() -> None:
    raw = tomllib.loads(DEFAULT_APPROVALS_FILE.read_text())
    raw["types"]["product_price"] = {"approver_group": "", "valid_days": 0, "colour": "red"}
    raw["types"]["discount"] = {"approver_group": "x", "valid_days": 1}
    del raw["types"]["page"]
    with pytest.raises(ApprovalsPolicyError) as caught:
        parse_policy(raw)
    message = str(caught.value)
    for named in (
        "types.discount: not a change type",
        "types.page: missing",
        "types.product_price.colour: unknown key",
        "types.product_price.approver_group",
        "types.product_price.valid_days",
    ):
        assert named in message
