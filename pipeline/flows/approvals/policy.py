"""`approvals.toml`: per change type, the OTCS group whose members may approve, how long an
approval stays valid, and the price drop above which a second approver is needed.

Loaded and checked once when a worker or beat starts (like `retention.toml`): a typo
stops the fleet naming the bad key, rather than refusing every change for weeks.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from pipeline.flows.approvals.change_request import CHANGE_TYPES

APPROVALS_FILE_ENV = "BCRM_APPROVALS_FILE"
DEFAULT_APPROVALS_FILE = Path(__file__).resolve().parents[3] / "approvals.toml"
KEYS = {"approver_group", "valid_days", "second_approver_above_pct", "revert_unapproved"}


class ApprovalsPolicyError(ValueError):
    """`approvals.toml` cannot be used; the message names every bad key."""


@dataclass(frozen=True)
class TypePolicy:
    approver_group: str
    valid_days: int
    second_approver_above_pct: float = 0.0
    revert_unapproved: bool = False


@dataclass(frozen=True)
class ApprovalsPolicy:
    version: str
    types: Mapping[str, TypePolicy]

    def of(self, change_type: str) -> TypePolicy:
        return self.types[change_type]


def _type_policy(name: str, raw: Any, found: list[str]) -> TypePolicy | None:
    """The type's policy, or None with what is wrong with it added to `found`."""
    if not isinstance(raw, dict):
        found.append(f"types.{name}: must be a table")
        return None
    problems: list[str] = []
    problems.extend(f"types.{name}.{key}: unknown key" for key in sorted(set(raw) - KEYS))
    group, days = raw.get("approver_group"), raw.get("valid_days")
    pct, revert = raw.get("second_approver_above_pct", 0), raw.get("revert_unapproved", False)
    if not isinstance(group, str) or not group.strip():
        problems.append(f"types.{name}.approver_group: a group name is required")
    if not isinstance(days, int) or isinstance(days, bool) or not 1 <= days <= 366:
        problems.append(f"types.{name}.valid_days: a whole number of days, 1 to 366")
    if not isinstance(pct, int | float) or isinstance(pct, bool) or not 0 <= pct <= 100:
        problems.append(f"types.{name}.second_approver_above_pct: a percentage, 0 to 100")
    if not isinstance(revert, bool):
        problems.append(f"types.{name}.revert_unapproved: true or false")
    found.extend(problems)
    if problems:
        return None
    return TypePolicy(str(group), int(days), float(pct), bool(revert))  # type: ignore[arg-type]


def parse_policy(raw: Mapping[str, Any]) -> ApprovalsPolicy:
    problems: list[str] = []
    version = raw.get("version")
    if not isinstance(version, str) or not version:
        problems.append("version: required")
    types = raw.get("types") if isinstance(raw.get("types"), dict) else {}
    assert isinstance(types, dict)
    problems.extend(f"types.{n}: not a change type" for n in sorted(set(types) - set(CHANGE_TYPES)))
    problems.extend(f"types.{n}: missing" for n in CHANGE_TYPES if n not in types)
    parsed = {n: _type_policy(n, types[n], problems) for n in CHANGE_TYPES if n in types}
    if problems:
        raise ApprovalsPolicyError("approvals.toml: " + "; ".join(problems))
    return ApprovalsPolicy(str(version), {n: p for n, p in parsed.items() if p is not None})


def load_policy(path: Path) -> ApprovalsPolicy:
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ApprovalsPolicyError(f"{path}: {exc}") from exc
    return parse_policy(raw)


@cache
def policy() -> ApprovalsPolicy:
    """The deployment's policy (`BCRM_APPROVALS_FILE`, else the repository's file)."""
    return load_policy(Path(os.environ.get(APPROVALS_FILE_ENV, DEFAULT_APPROVALS_FILE)))
