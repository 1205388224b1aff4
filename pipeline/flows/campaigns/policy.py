"""`campaigns.toml`: per compliance check, whether a promotion failing it is disabled
(through the publish stage, as a system change request) besides being recorded.

Loaded and checked once when a worker or beat starts (like `approvals.toml`): a typo
stops the fleet naming the bad key, rather than leaving an unapproved promotion running
that the file meant to stop. A check the file does not name records only.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from pipeline.flows.campaigns.checks import CHECKS

CAMPAIGNS_FILE_ENV = "BCRM_CAMPAIGNS_FILE"
DEFAULT_CAMPAIGNS_FILE = Path(__file__).resolve().parents[3] / "campaigns.toml"
KEYS = {"disable"}


class CampaignsPolicyError(ValueError):
    """`campaigns.toml` cannot be used; the message names every bad key."""


@dataclass(frozen=True)
class CampaignsPolicy:
    version: str
    disabling: frozenset[str]

    def disables(self, check: str) -> bool:
        return check in self.disabling


def parse_policy(raw: Mapping[str, Any]) -> CampaignsPolicy:
    problems: list[str] = []
    version = raw.get("version")
    if not isinstance(version, str) or not version:
        problems.append("version: required")
    problems.extend(f"{key}: unknown key" for key in sorted(set(raw) - {"version", "checks"}))
    checks = raw.get("checks", {})
    if not isinstance(checks, dict):
        problems.append("checks: must be a table")
        checks = {}
    disabling = set()
    for name, rule in sorted(checks.items()):
        if name not in CHECKS:
            problems.append(f"checks.{name}: not a check ({', '.join(CHECKS)})")
            continue
        if not isinstance(rule, dict):
            problems.append(f"checks.{name}: must be a table")
            continue
        problems.extend(f"checks.{name}.{key}: unknown key" for key in sorted(set(rule) - KEYS))
        disable = rule.get("disable", False)
        if not isinstance(disable, bool):
            problems.append(f"checks.{name}.disable: true or false")
        elif disable:
            disabling.add(name)
    if problems:
        raise CampaignsPolicyError("campaigns.toml: " + "; ".join(problems))
    return CampaignsPolicy(str(version), frozenset(disabling))


def load_policy(path: Path) -> CampaignsPolicy:
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise CampaignsPolicyError(f"{path}: {exc}") from exc
    return parse_policy(raw)


@cache
def policy() -> CampaignsPolicy:
    """The deployment's policy (`BCRM_CAMPAIGNS_FILE`, else the repository's file)."""
    return load_policy(Path(os.environ.get(CAMPAIGNS_FILE_ENV, DEFAULT_CAMPAIGNS_FILE)))
