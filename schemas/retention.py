"""Schema of ``retention.toml``, the file plan that maps document kinds to records classes.

The plan is validated when a worker starts, so a typo (an unknown kind, a jurisdiction
that is not an ISO code, a record date that names no field) stops the fleet with the bad
key named, instead of misfiling records for weeks.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from marshmallow import (
    Schema,
    ValidationError,
    fields,
    post_load,
    validate,
    validates,
)

DEFAULT_JURISDICTION = "default"

CUTOFFS = ("fiscal_year_end", "none")
DISPOSITIONS = ("review", "destroy", "retain_permanently")


class RetentionPlanError(ValueError):
    """The file plan cannot be used; the message names every bad key."""


@dataclass(frozen=True)
class RecordClassRule:
    """How one document kind is filed and kept."""

    classification: str
    rsi: str
    record_date: str
    trigger_event: str
    cutoff: str
    folder: str
    vital: bool
    disposition: str
    mandate: str
    retention_years: Mapping[str, int]

    def years_for(self, jurisdiction: str) -> int:
        return self.retention_years.get(
            jurisdiction.upper(), self.retention_years[DEFAULT_JURISDICTION]
        )

    def rsi_for(self, jurisdiction: str) -> str:
        """The RSI whose schedule the ECM runs: ``{rsi}-{CC}`` where the period is overridden.

        The ECM owns the retention clock, so a jurisdiction's period must be its own RSI
        (the file plan seeds one per override), not just a number we keep.
        """
        code = jurisdiction.upper()
        return f"{self.rsi}-{code}" if code in self.retention_years else self.rsi


@dataclass(frozen=True)
class RetentionPlan:
    version: str
    category: str
    classes: Mapping[str, RecordClassRule]


def _validate_jurisdiction(value: str) -> None:
    if value != DEFAULT_JURISDICTION and not (
        len(value) == 2 and value.isascii() and value.isalpha() and value.isupper()
    ):
        raise ValidationError(
            f"jurisdiction {value!r} must be '{DEFAULT_JURISDICTION}' or an ISO 3166-1 alpha-2 code"
        )


class RecordClassRuleSchema(Schema):
    classification = fields.String(required=True, validate=validate.Regexp(r"^[^/]+(/[^/]+)*$"))
    rsi = fields.String(required=True, validate=validate.Regexp(r"^[A-Z0-9][A-Z0-9-]{1,31}$"))
    record_date = fields.String(
        required=True, validate=validate.Regexp(r"^[a-z_]+\.[a-z_]+$", error="not a source field")
    )
    trigger_event = fields.String(required=True, validate=validate.Regexp(r"^[a-z][a-z0-9_]*$"))
    cutoff = fields.String(required=True, validate=validate.OneOf(CUTOFFS))
    folder = fields.String(required=True, validate=validate.Length(min=1))
    vital = fields.Boolean(required=True, truthy={True}, falsy={False})
    disposition = fields.String(required=True, validate=validate.OneOf(DISPOSITIONS))
    mandate = fields.String(required=True, validate=validate.Length(min=1))
    retention_years = fields.Dict(
        required=True,
        keys=fields.String(validate=_validate_jurisdiction),
        values=fields.Integer(strict=True, validate=validate.Range(min=0, max=100)),
    )

    @validates("retention_years")
    def _has_default(self, value: Mapping[str, int], **kwargs: Any) -> None:
        if DEFAULT_JURISDICTION not in value:
            raise ValidationError(f"needs a '{DEFAULT_JURISDICTION}' period")

    @post_load
    def _make(self, data: dict[str, Any], **kwargs: Any) -> RecordClassRule:
        return RecordClassRule(**data)


class CategorySchema(Schema):
    name = fields.String(required=True, validate=validate.Length(min=1))


class RetentionPlanSchema(Schema):
    version = fields.String(required=True, validate=validate.Length(min=1))
    category = fields.Nested(CategorySchema, required=True)
    classes = fields.Dict(
        required=True,
        keys=fields.String(validate=validate.Regexp(r"^[a-z][a-z0-9_]*$")),
        values=fields.Nested(RecordClassRuleSchema),
    )

    @post_load
    def _make(self, data: dict[str, Any], **kwargs: Any) -> RetentionPlan:
        return RetentionPlan(
            version=data["version"],
            category=data["category"]["name"],
            classes=dict(data["classes"]),
        )


def _fit_problems(plan: RetentionPlan, record_dates: Mapping[str, tuple[str, ...]]) -> list[str]:
    """Every class for a kind no flow files, or dated by a fact its kind does not have (a
    record date must come from the part of the source the document is about)."""
    problems = []
    for kind, rule in sorted(plan.classes.items()):
        if kind not in record_dates:
            problems.append(f"classes.{kind}: {kind!r} is not a document kind")
        elif rule.record_date not in record_dates[kind]:
            allowed = ", ".join(record_dates[kind])
            problems.append(f"classes.{kind}.record_date: must be one of {allowed}")
    return problems


def _flatten(messages: Any, path: tuple[str, ...] = ()) -> list[str]:
    """Turn marshmallow's nested messages into ``classes.invoice.rsi: ...`` lines."""
    if isinstance(messages, Mapping):
        lines: list[str] = []
        for key, value in messages.items():
            # Dict fields nest errors under "key"/"value"; the user only knows the key itself.
            step = () if key in ("key", "value") else (str(key),)
            lines += _flatten(value, path + step)
        return lines
    if isinstance(messages, list) and all(isinstance(item, str) for item in messages):
        return [f"{'.'.join(path) or '<plan>'}: {'; '.join(messages)}"]
    return [f"{'.'.join(path) or '<plan>'}: {messages}"]


def parse_retention_plan(
    text: str, record_dates: Mapping[str, tuple[str, ...]], source: str = "retention.toml"
) -> RetentionPlan:
    """Validate the TOML text of a file plan against the document kinds the flows file
    (kind → the record-date facts it has); raises RetentionPlanError naming the bad keys."""
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise RetentionPlanError(f"{source}: not valid TOML: {error}") from error
    try:
        plan: RetentionPlan = RetentionPlanSchema().load(raw)
    except ValidationError as error:
        details = "\n  ".join(sorted(_flatten(error.messages)))
        raise RetentionPlanError(f"{source} is not a valid file plan:\n  {details}") from error
    problems = _fit_problems(plan, record_dates)
    if problems:
        details = "\n  ".join(problems)
        raise RetentionPlanError(f"{source} is not a valid file plan:\n  {details}")
    return plan


def load_retention_plan(path: Path, record_dates: Mapping[str, tuple[str, ...]]) -> RetentionPlan:
    return parse_retention_plan(path.read_text(encoding="utf-8"), record_dates, source=str(path))
