"""v3 filter operators (`attr`, `:in`, `:not_in`, `:min`, `:max`, `:greater`, `:less`,
`:like`) over wire-shaped dicts, declared once per resource as a field -> kind table."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Literal

from .envelopes import Query
from .errors import ApiError
from .formats import iso8601, parse_date_filter

Kind = Literal["int", "num", "str", "bool", "date"]
Row = dict[str, Any]
OPERATORS = ("in", "not_in", "min", "max", "greater", "less", "like")


def _convert(kind: Kind, raw: str, name: str) -> Any:
    try:
        if kind == "int":
            return int(raw)
        if kind == "num":
            return float(raw)
    except ValueError:
        raise ApiError(
            422, f"The filter '{name}' has an invalid value.", errors={name: "invalid value"}
        ) from None
    if kind == "bool":
        return raw.lower() in ("1", "true")
    if kind == "date":
        ts = parse_date_filter(raw, allow_unix=True)
        return None if ts is None else iso8601(ts)
    return raw


def _predicate(field: str, op: str, value: Any) -> Callable[[Row], bool]:
    tests: dict[str, Callable[[Any], bool]] = {
        "": lambda v: v == value,
        "in": lambda v: v in value,
        "not_in": lambda v: v not in value,
        "min": lambda v: v is not None and v >= value,
        "max": lambda v: v is not None and v <= value,
        "greater": lambda v: v is not None and v > value,
        "less": lambda v: v is not None and v < value,
        "like": lambda v: isinstance(v, str) and value.lower() in v.lower(),
    }
    test = tests[op]

    def check(row: Row) -> bool:
        v = row.get(field)
        if isinstance(v, list) and op in ("", "in"):
            return any(test(x) for x in v)
        return test(v)

    return check


def v3_filter(
    q: Query,
    fields: dict[str, Kind],
    rows: list[Row],
    operators: Mapping[str, frozenset[str]] | None = None,
) -> list[Row]:
    """Keep rows matching every recognised filter; unknown parameters are not filters.

    `operators` (field -> the operators its spec lists, `""` the plain filter) narrows
    a resource to exactly its documented parameters (the catalog: `sku` and `sku:in`,
    but no `mpn:in`); fields it does not name take every operator.
    Unparseable dates drop the filter, as the real API does.
    """
    preds = []
    for key, raw in q.raw.items():
        field, _, op = key.partition(":")
        if field not in fields or op not in ("", *OPERATORS) or raw == "":
            continue
        if operators is not None and op not in operators.get(field, frozenset(("", *OPERATORS))):
            continue
        kind = fields[field]
        if op in ("in", "not_in"):
            value: Any = [_convert(kind, part, key) for part in raw.split(",") if part]
        else:
            value = _convert(kind, raw, key)
        if value is None:
            continue
        preds.append(_predicate(field, op, value))
    if not preds:
        return rows
    return [row for row in rows if all(p(row) for p in preds)]


def sort_rows(
    rows: list[Row], field: str | None, direction: str | None, allowed: set[str]
) -> list[Row]:
    if not field or field not in allowed:
        field = "id"
    return sorted(
        rows,
        key=lambda r: (r.get(field) is None, r.get(field), r["id"]),
        reverse=(direction or "asc").lower() == "desc",
    )


def public(row: Row) -> Row:
    """Strip the emulator's private `_` keys before a dict goes on the wire."""
    return {k: v for k, v in row.items() if not k.startswith("_")}
