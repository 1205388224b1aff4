"""`bcrm index rebuild`, `bcrm record show` and `bcrm records find`: the archive index.

Each opens the index (bringing its schema to head) only when run. A database or ECM that
cannot be reached is one line on stderr and exit 2, like every operator error.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from datetime import time as dt_time
from typing import Any

import click

from pipeline.cli.exits import EXIT_USAGE
from pipeline.cli.options import check_order, parse_moment
from pipeline.runtime.settings import Settings, load_settings


@contextmanager
def index_errors() -> Iterator[None]:
    """Database and ECM failures as one line: an operator fixes a URL or a password."""
    from sqlalchemy.exc import SQLAlchemyError

    from pipeline.integrations.otcs.errors import OTCSRefused, OTCSUnavailable
    from pipeline.runtime.clients import EcmNotConfigured

    try:
        yield
    except SQLAlchemyError as exc:
        orig = getattr(exc, "orig", None)  # the driver's error, on DBAPIError only
        first = str(orig or exc).strip().splitlines()[0]
        click.echo(f"bcrm: archive index: {type(exc).__name__}: {first}", err=True)
        sys.exit(EXIT_USAGE)
    except (OTCSRefused, OTCSUnavailable, EcmNotConfigured) as exc:
        click.echo(f"bcrm: ECM: {exc}", err=True)
        sys.exit(EXIT_USAGE)


def echo_json(data: Any) -> None:
    click.echo(json.dumps(data, indent=2, default=str))


# --- bcrm index ----------------------------------------------------------------------------


@click.group(name="index")
def index_group() -> None:
    """The archive index: what must be looked up for years (SQLite, or BCRM_DATABASE_URL)."""


@index_group.command(name="rebuild")
@click.option("--store", "store_hash", required=True, help="Store hash to rebuild.")
@click.option("--dry-run", is_flag=True, help="Report the differences, change nothing.")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
def index_rebuild(store_hash: str, dry_run: bool, as_json: bool) -> None:
    """Rebuild the store's records and order lines from the ECM alone, and report the
    rows added, changed and removed against the current index."""
    from pipeline.runtime.session import connected

    config = load_settings()
    with connected(config), index_errors():
        from pipeline.index.rebuild import rebuild
        from pipeline.runtime import clients, services

        report = rebuild(
            clients.otcs(), services.archive_index(), store_hash, config.otcs_root_id, dry_run
        )
    if as_json:
        echo_json(report.to_json())
        return
    verb = "would change" if dry_run else "changed"
    click.echo(f"{store_hash}: {report.records} records, {report.orders} orders in the ECM")
    for title, keys in (
        ("records added", report.added),
        ("records changed", report.changed),
        ("records removed", report.removed),
        ("orders' lines added", report.lines_added),
        ("orders' lines changed", report.lines_changed),
        ("orders' lines removed", report.lines_removed),
        ("documents that are not records", report.not_records),
    ):
        click.echo(f"  {title}: {len(keys)}")
        for key in keys[:20]:
            click.echo(f"    {key}")
    click.echo("  index already equal to the ECM" if report.unchanged else f"  {verb}: index")


# --- bcrm record show ----------------------------------------------------------------------


@click.group(name="record")
def record_group() -> None:
    """One record's story: ledger, audit trail, dead letters, index row, ECM node."""


def otcs_factory(config: Settings) -> Callable[[], Any] | None:
    if not (config.otcs_url and config.otcs_username and config.otcs_password):
        return None
    from pipeline.runtime import clients

    return clients.otcs


def holds_text(holds: list[dict[str, Any]]) -> str:
    """`CASE-abc-7, CASE-abc-9 (inherited)`, or `-`."""
    return ", ".join(h["name"] + ("" if h["direct"] else " (inherited)") for h in holds) or "-"


def _print_trail(trail: dict[str, Any]) -> None:
    click.echo(trail["record_key"])
    ledger = trail["ledger"]
    if ledger is None:
        click.echo("  ledger: (not in Redis: retired or never seen)")
    else:
        stages = " ".join(
            f"{name}={v['attempts']}{'' if v['finished'] else '(unfinished)'}"
            for name, v in ledger["stages"].items()
        )
        click.echo(f"  ledger: {ledger['state']}  attempts: {stages or '-'}")
    row = trail["index"]
    if row is None:
        click.echo("  index: (no row)")
    else:
        click.echo(
            f"  index: {row['flow']}/{row['kind']} {row['subject']} part={row['part']} "
            f"node={row['ecm_node_id']} sha256={row['sha256'][:16]}… "
            f"record date {row['record_date']} declared {row['declared_at']} "
            f"supersedes {row['supersedes'] or '-'}"
        )
    ecm = trail["ecm"]
    if "error" in ecm:
        click.echo(f"  ecm: {ecm['error']}")
    else:
        refs = ", ".join(f"{x['type']}→{x['target_id']}" for x in ecm["cross_references"])
        click.echo(f"  ecm: node {ecm['node_id']} {ecm['name']} sha256={ecm['sha256'][:16]}…")
        click.echo(f"  cross-references: {refs or '-'}")
        click.echo(f"  holds: {holds_text(ecm['holds'])}")
    click.echo(f"  dead letters: {len(trail['dead_letters'])}")
    for letter in trail["dead_letters"]:
        click.echo(f"    {letter['id']} {letter['stage']} {letter['exception_type']}")
    click.echo(f"  audit events: {len(trail['audit_events'])}")
    for event in trail["audit_events"]:
        extra = " ".join(f"{k}={v}" for k, v in event.items() if k not in ("id", "record_key"))
        click.echo(f"    {event['id']} {extra}")


@record_group.command(name="show")
@click.argument("record_key", required=False)
@click.option("--order", "order_id", type=int, default=None, help="Every record of an order.")
@click.option("--store", "store_hash", default=None, help="The order's store (with --order).")
@click.option("--json", "as_json", is_flag=True, help="Print as JSON.")
def record_show(
    record_key: str | None, order_id: int | None, store_hash: str | None, as_json: bool
) -> None:
    """Show a record (KEY), or every record of an order (--order N [--store H])."""
    if (record_key is None) == (order_id is None):
        raise click.UsageError("give a record KEY or --order N, not both")
    from pipeline.runtime.session import connected

    config = load_settings()
    with connected(config), index_errors():
        from pipeline.index.trail import order_record_keys, record_trail
        from pipeline.runtime import services

        index, ledger = services.archive_index(), services.ledger()
        keys = (
            [record_key]
            if record_key is not None
            else order_record_keys(ledger, index, int(order_id or 0), store_hash)
        )
        otcs = otcs_factory(config)
        trails = [
            record_trail(key, ledger, services.audit(), services.dead_letters(), index, otcs)
            for key in keys
        ]
    if record_key is not None and trails[0]["ledger"] is None and trails[0]["index"] is None:
        click.echo(f"bcrm: no record {record_key} in the ledger or the index", err=True)
        sys.exit(EXIT_USAGE)
    if as_json:
        echo_json(
            trails[0] if record_key is not None else {"order_id": order_id, "records": trails}
        )
        return
    if order_id is not None:
        click.echo(f"order {order_id}: {len(trails)} records")
        for trail in trails:
            click.echo(f"  {trail['record_key']}")
    for trail in trails:
        _print_trail(trail)


# --- bcrm records find ---------------------------------------------------------------------


@click.group(name="records")
def records_group() -> None:
    """Search the archive index."""


@records_group.command(name="find")
@click.option("--sku", required=True, help="The SKU an order line must carry.")
@click.option("--since", default=None, help="Orders placed from (ISO 8601 date or time).")
@click.option("--until", default=None, help="Orders placed until (a date includes that day).")
@click.option("--store", "store_hash", default=None, help="Only this store.")
@click.option("--json", "as_json", is_flag=True, help="Print as JSON.")
def records_find(
    sku: str, since: str | None, until: str | None, store_hash: str | None, as_json: bool
) -> None:
    """Orders with a line of SKU, with their lines and records, from the index."""
    load_settings()  # a bad variable is reported before the index is opened
    lower = parse_moment(since) if since else None
    upper = _until(until) if until else None
    if lower is not None and upper is not None:
        check_order(lower, _end_of(upper))
    with index_errors():
        from pipeline.runtime import services

        orders = services.archive_index().find_orders_by_sku(sku, lower, upper, store_hash)
    if as_json:
        echo_json([order.to_json() for order in orders])
        return
    click.echo(f"{len(orders)} orders with SKU {sku}")
    for order in orders:
        quantity = sum(line.quantity for line in order.lines if line.sku == sku)
        click.echo(
            f"  {order.store_hash} order {order.order_id}  {order.order_date:%Y-%m-%d}  "
            f"qty {quantity}  {len(order.records)} records"
        )
        for row in order.records:
            click.echo(f"    {row.kind:<22} node {row.ecm_node_id:<8} {row.record_key}")


def _end_of(upper: Any) -> datetime:
    """The last moment `--until` lets in: a bare date runs to the end of its day (UTC)."""
    if isinstance(upper, datetime):
        return upper
    return datetime.combine(upper, dt_time.max, UTC)


def _until(text: str) -> Any:
    """A bare date includes its whole day."""
    from datetime import date

    try:
        return date.fromisoformat(text)
    except ValueError:
        return parse_moment(text)
