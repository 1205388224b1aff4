"""`bcrm cases`: open, add to, close, list and show customer-service case files (flow 2).

`open`, `add` and `close` apply their event to the archive index at once (so `add` right
after `open` finds the case) and queue the case's fetch, which applies it again as a
no-op and files the documents; `list` and `show` read the index (and `show` the ECM's
holds). A message's text is never echoed.
"""

from __future__ import annotations

import mimetypes
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import click

from pipeline.cli.index import echo_json, holds_text, index_errors
from pipeline.cli.options import OperatorError, unknown_store
from pipeline.runtime.settings import Settings, load_settings
from schemas.cases import REASONS, AttachmentRef, CaseEvent, ThreadMessage


@click.group(name="cases")
def cases() -> None:
    """Customer-service case files: orders' records, communication and attachments."""


def _submit(config: Settings, event: CaseEvent) -> None:
    from pipeline.flows.cases import intake
    from pipeline.runtime import services
    from pipeline.runtime.session import connected

    with connected(config), index_errors():
        ref = intake.stage_event(event)
        services.archive_index().cases.apply(event)
        intake.send_fetch(ref)


def _event(store_hash: str, case_id: str, **facts: Any) -> CaseEvent:
    return CaseEvent(
        event_id=f"cli-{uuid.uuid4().hex}",
        origin="cli",
        store_hash=store_hash,
        case_id=case_id,
        at=datetime.now(UTC),
        **facts,
    )


def _check_orders(store_hash: str, order_ids: tuple[int, ...]) -> None:
    from pipeline.flows.cases.intake import unknown_order
    from pipeline.integrations.bigcommerce.errors import BigCommerceUnavailable

    try:
        missing = unknown_order(store_hash, order_ids)
    except BigCommerceUnavailable as exc:
        raise OperatorError(f"BigCommerce cannot be asked now: {exc}") from None
    if missing is not None:
        raise OperatorError(f"order {missing} is not in store {store_hash}")


@cases.command(name="open")
@click.option("--store", "store_hash", required=True, help="Store hash.")
@click.option("--order", "order_ids", type=int, multiple=True, required=True, help="Order id.")
@click.option("--reason", type=click.Choice(REASONS), required=True)
@click.option("--subject", default="", help="What the case is about.")
@click.option("--hold", is_flag=True, help="Put the case's records under legal hold.")
def cases_open(
    store_hash: str, order_ids: tuple[int, ...], reason: str, subject: str, hold: bool
) -> None:
    """Open a case about one or more orders; prints its id."""
    from pipeline.flows.cases.flow import new_case_id
    from pipeline.runtime.session import connected

    config = load_settings()
    if store_hash not in config.store_tokens:
        raise unknown_store(store_hash)
    with connected(config):
        _check_orders(store_hash, order_ids)
    case_id = new_case_id()
    now = datetime.now(UTC)
    event = _event(
        store_hash, case_id, order_ids=order_ids, opened_at=now, reason=reason,
        subject=subject, status="open", hold=hold,
    )  # fmt: skip
    _submit(config, event)
    click.echo(case_id)


def _find(config: Settings, case_id: str, store_hash: str | None) -> Any:
    """The one case with this id, or a one-line refusal."""
    from pipeline.runtime import services
    from pipeline.runtime.session import connected

    with connected(config), index_errors():
        found = services.archive_index().cases.find(case_id, store_hash)
    if not found:
        raise OperatorError(
            f"no case {case_id}" + (f" in store {store_hash}" if store_hash else "")
        )
    if len(found) > 1:
        stores = ", ".join(c.store_hash for c in found)
        raise OperatorError(f"case {case_id} exists in several stores ({stores}): give --store")
    return found[0]


@cases.command(name="add")
@click.option("--case", "case_id", required=True, help="Case id.")
@click.option("--store", "store_hash", default=None, help="Store hash (when ids repeat).")
@click.option("--message", default=None, help="A message to add to the thread.")
@click.option("--attach", "attach", type=click.Path(dir_okay=False, path_type=Path), default=None)
@click.option("--author", type=click.Choice(["agent", "customer", "system"]), default="agent")
def cases_add(
    case_id: str, store_hash: str | None, message: str | None, attach: Path | None, author: str
) -> None:
    """Add a message (--message TEXT) or an attachment (--attach FILE) to a case."""
    if (message is None) == (attach is None):
        raise click.UsageError("give --message TEXT or --attach FILE, one of them")
    config = load_settings()
    case = _find(config, case_id, store_hash)
    now = datetime.now(UTC)
    if message is not None:
        if not message.strip():
            raise OperatorError("the message is empty")
        note = ThreadMessage(f"cli-{uuid.uuid4().hex[:16]}", author, now, message)
        event = _event(case.store_hash, case.case_id, messages=(note,))
    else:
        assert attach is not None
        event = _event(case.store_hash, case.case_id, attachments=(_attachment(config, attach),))
    _submit(config, event)
    click.echo(f"added to case {case.case_id}")


def _attachment(config: Settings, path: Path) -> AttachmentRef:
    from pipeline.runtime import services
    from pipeline.runtime.session import connected

    try:
        data = path.read_bytes()
    except OSError as exc:
        raise OperatorError(f"cannot read {path}: {exc.strerror}") from None
    if len(data) > config.case_max_attachment_bytes:
        raise OperatorError(
            f"{path.name} is {len(data)} bytes, over BCRM_CASE_MAX_ATTACHMENT_BYTES "
            f"({config.case_max_attachment_bytes})"
        )
    content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    with connected(config):
        digest = services.staging().put(data)
    return AttachmentRef(path.name, content_type, len(data), digest)


@cases.command(name="close")
@click.option("--case", "case_id", required=True, help="Case id.")
@click.option("--store", "store_hash", default=None, help="Store hash (when ids repeat).")
@click.option("--release-hold", is_flag=True, help="Release the case's legal hold.")
def cases_close(case_id: str, store_hash: str | None, release_hold: bool) -> None:
    """Close a case: its closure record starts the retention of its records. Its legal
    hold stays unless --release-hold."""
    config = load_settings()
    case = _find(config, case_id, store_hash)
    if case.closed:
        click.echo(f"case {case.case_id} was closed already")
        return
    event = _event(case.store_hash, case.case_id, status="closed", release_hold=release_hold)
    _submit(config, event)
    click.echo(f"closed case {case.case_id}" + (", hold released" if release_hold else ""))


@cases.command(name="list")
@click.option("--open", "open_only", is_flag=True, help="Only cases still open.")
@click.option("--store", "store_hash", default=None, help="One store only.")
@click.option("--json", "as_json", is_flag=True, help="Print as JSON.")
def cases_list(open_only: bool, store_hash: str | None, as_json: bool) -> None:
    """Cases, oldest first."""
    from pipeline.flows.cases.report import case_summary
    from pipeline.runtime import services
    from pipeline.runtime.session import connected

    config = load_settings()
    with connected(config), index_errors():
        found = services.archive_index().cases.cases(open_only, store_hash)
    rows = [case_summary(c) for c in found]
    if as_json:
        echo_json({"cases": rows})
        return
    for row in rows:
        hold = row["hold"] and (row["hold"] + (" released" if row["hold_released"] else ""))
        click.echo(
            f"{row['store_hash']} {row['case_id']} {row['reason']} {row['status']} "
            f"opened {row['opened_at'][:19]} orders {','.join(map(str, row['orders']))} "
            f"hold {hold or '-'}"
        )
    click.echo(f"{len(rows)} cases")


@cases.command(name="show")
@click.argument("case_id")
@click.option("--store", "store_hash", default=None, help="Store hash (when ids repeat).")
@click.option("--json", "as_json", is_flag=True, help="Print as JSON.")
def cases_show(case_id: str, store_hash: str | None, as_json: bool) -> None:
    """The case file: facts, its records and its orders' linked records, with ECM node
    ids, SHA-256 and holds."""
    from pipeline.cli.index import otcs_factory
    from pipeline.flows.cases.report import case_report
    from pipeline.runtime import services
    from pipeline.runtime.session import connected

    config = load_settings()
    case = _find(config, case_id, store_hash)
    with connected(config), index_errors():
        report = case_report(case, services.archive_index(), otcs_factory(config))
    if as_json:
        echo_json(report)
        return
    click.echo(
        f"case {report['case_id']} ({report['store_hash']}): {report['reason']}, "
        f"{report['status']}, opened {report['opened_at'][:19]}"
        + (f", closed {report['closed_at'][:19]}" if report["closed_at"] else "")
    )
    click.echo(f"  orders: {', '.join(map(str, report['orders']))}")
    hold = report["hold"] or "-"
    click.echo(f"  hold: {hold}{' (released)' if report['hold_released'] else ''}")
    click.echo(f"  messages: {report['messages']}  attachments: {len(report['attachments'])}")
    if report["ecm"]:
        click.echo(f"  ecm: {report['ecm']}")
    for record in report["records"]:
        where = "file" if record["in_file"] else "link"
        holds = holds_text(record.get("holds", []))
        click.echo(
            f"  [{where}] {record['ecm_name']} node {record['ecm_node_id']} "
            f"sha256 {record['sha256']} holds {holds}"
        )
    if not report["records"]:
        click.echo("  (no records filed yet)")
