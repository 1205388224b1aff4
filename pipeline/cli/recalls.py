"""`bcrm recalls`: open, decide, close, attach to, scan for, list and show product recalls
(flow 6).

`open`, `decide` and `close` act in the ECM through the Content Server REST API as the
user of the configured OTCS credentials (BCRM_OTCS_USERNAME/PASSWORD), so the audit trail
names who did what, exactly as a person doing it in the ECM would; each then saves the
recall in the archive index at once and owes its fetch (the ECM poller would find the
same change a poll later). A recall counts as decided only when someone other than its
opener decided it (`decide` run as another user, or the category changed by one in the
ECM): the audit trail says who. Bad input is one line and exit 2.
"""

from __future__ import annotations

import mimetypes
from pathlib import Path
from typing import Any

import click

from pipeline.cli.ecm_user import EcmCommands, as_user
from pipeline.cli.index import echo_json, index_errors
from pipeline.cli.options import OperatorError, parse_moment, unknown_store
from pipeline.runtime.settings import load_settings

KINDS = ("notice", "certificate", "bulletin")


def _file(path: Path) -> tuple[str, bytes]:
    """A file to keep: its type (from its name) must be one the recall file keeps."""
    from pipeline.flows.recalls.documents import ALLOWED_FILES

    content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    if content_type not in ALLOWED_FILES:
        kept = ", ".join(sorted(ALLOWED_FILES))
        raise OperatorError(f"{path.name}: type {content_type} is not kept (kept: {kept})")
    try:
        return content_type, path.read_bytes()
    except OSError as exc:
        raise OperatorError(f"cannot read {path}: {exc.strerror}") from None


def _sync(otcs: Any, store_hash: str, node_id: int, reason: str) -> Any:
    """Save the recall as the ECM now holds it and owe its fetch; the recall. Run as a
    person, this process cannot tell the fleet's service account from them: the audit
    trail is read with no account left out (the ECM poller leaves the fleet's out)."""
    from pipeline.flows.recalls import intake, sync

    recall = sync.sync(otcs, store_hash, node_id, service_user=0)
    intake.refresh(store_hash, recall.recall_id, reason)
    return recall


def _find(recall_id: str, store_hash: str | None) -> Any:
    """The one recall with this id (in the index), or a one-line refusal."""
    from pipeline.runtime import services

    found = [
        r for r in services.archive_index().recalls.listed(store_hash) if r.recall_id == recall_id
    ]
    if not found:
        where = f" in store {store_hash}" if store_hash else ""
        raise OperatorError(f"no recall {recall_id}{where}")
    if len(found) > 1:
        stores = ", ".join(r.store_hash for r in found)
        raise OperatorError(f"recall {recall_id} exists in several stores ({stores}): give --store")
    return found[0]


def _workspace_id(otcs: Any, recall: Any) -> int:
    from pipeline.flows.recalls import ecm

    node = otcs.find_workspace(
        ecm.EXT_SYSTEM, ecm.BO_TYPE, ecm.business_object(recall.store_hash, recall.recall_id)
    )
    if node is None:
        raise OperatorError(f"recall {recall.recall_id} has no workspace in the ECM")
    return int(node.id)


@click.group(name="recalls", cls=EcmCommands)
def recalls() -> None:
    """Product recalls: affected SKUs and orders found, the file kept, records held."""


@recalls.command(name="open")
@click.option("--store", "store_hash", required=True, help="Store hash.")
@click.option("--sku", "skus", multiple=True, help="A recalled SKU (product or variant).")
@click.option("--gtin", "gtins", multiple=True, help="A recalled GTIN or UPC.")
@click.option("--mpn", "mpns", multiple=True, help="A recalled manufacturer part number.")
@click.option("--lot", "lots", multiple=True, help="An affected lot (kept on the recall).")
@click.option("--from", "sold_from", required=True, help="First day the product was sold.")
@click.option("--to", "sold_to", default=None, help="Last day it was sold (default: open).")
@click.option("--hazard", required=True, help="What the hazard is.")
@click.option("--remedy", required=True, help="What customers are offered.")
@click.option("--severity", type=click.Choice(["low", "medium", "high", "serious"]),
              default="high")  # fmt: skip
@click.option("--notice", type=click.Path(dir_okay=False, path_type=Path), default=None)
def recalls_open(
    store_hash: str,
    skus: tuple[str, ...],
    gtins: tuple[str, ...],
    mpns: tuple[str, ...],
    lots: tuple[str, ...],
    sold_from: str,
    sold_to: str | None,
    hazard: str,
    remedy: str,
    severity: str,
    notice: Path | None,
) -> None:
    """Open a recall in the ECM (workspace and category); prints its id."""
    from pipeline.flows.recalls import ecm, intake
    from pipeline.index.recalls import Identifiers, Recall
    from pipeline.runtime.session import connected

    config = load_settings()
    if store_hash not in config.store_tokens:
        raise unknown_store(store_hash)
    if not (skus or gtins or mpns):
        raise OperatorError("name what is recalled: --sku, --gtin or --mpn")
    start = parse_moment(sold_from)
    end = parse_moment(sold_to).replace(hour=23, minute=59, second=59) if sold_to else None
    if end is not None and end < start:
        raise OperatorError(f"--to ({sold_to}) is before --from ({sold_from})")
    if not hazard.strip() or not remedy.strip():
        raise OperatorError("--hazard and --remedy must say something")
    attached = _file(notice) if notice is not None else None
    with connected(config), index_errors():
        otcs = as_user(config)
        recall = Recall(
            store_hash=store_hash,
            recall_id=ecm.next_recall_id(otcs, store_hash),
            identifiers=Identifiers(skus, gtins, mpns, lots),
            sold_from=start,
            sold_to=end,
            hazard=hazard.strip(),
            remedy=remedy.strip(),
            severity=severity,
        )
        node_id = ecm.file_recall(otcs, recall)
        _sync(otcs, store_hash, node_id, "open")
        if attached is not None and notice is not None:
            content_type, data = attached
            intake.hand_in(store_hash, recall.recall_id, "notice", notice.name, content_type, data)
    click.echo(recall.recall_id)


@recalls.command(name="decide")
@click.argument("recall_id")
@click.option("--store", "store_hash", default=None, help="Store hash (when ids repeat).")
def recalls_decide(recall_id: str, store_hash: str | None) -> None:
    """Decide the recall, as the configured user (not the one who opened it)."""
    from pipeline.flows.recalls import ecm
    from pipeline.runtime.session import connected

    config = load_settings()
    with connected(config), index_errors():
        recall = _find(recall_id, store_hash)
        otcs = as_user(config)
        node_id = _workspace_id(otcs, recall)
        ecm.decide(otcs, node_id)
        decided = _sync(otcs, recall.store_hash, node_id, "decide")
    if not decided.decided_by:
        raise OperatorError(
            f"recall {recall_id} is not decided: the ECM's audit trail names its opener "
            "as the decider (separation of duties: decide as another user)"
        )
    click.echo(f"{recall_id} decided by user {decided.decided_by}")


@recalls.command(name="close")
@click.argument("recall_id")
@click.option("--store", "store_hash", default=None, help="Store hash (when ids repeat).")
@click.option("--release-holds", is_flag=True, help="Release the recall's legal hold too.")
def recalls_close(recall_id: str, store_hash: str | None, release_holds: bool) -> None:
    """Close the recall (its legal hold stays unless --release-holds)."""
    from pipeline.flows.recalls import ecm
    from pipeline.runtime.session import connected

    config = load_settings()
    with connected(config), index_errors():
        recall = _find(recall_id, store_hash)
        if recall.holds_released_at is not None:
            raise OperatorError(f"recall {recall_id} is closed and its holds are released")
        otcs = as_user(config)
        node_id = _workspace_id(otcs, recall)
        ecm.close(otcs, node_id, release_holds, recall.closed_at)
        _sync(otcs, recall.store_hash, node_id, "close")
    click.echo(f"{recall_id} closed" + (", holds released" if release_holds else ", holds kept"))


@recalls.command(name="attach")
@click.argument("recall_id")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--kind", type=click.Choice(KINDS), default="certificate")
@click.option("--store", "store_hash", default=None, help="Store hash (when ids repeat).")
def recalls_attach(recall_id: str, path: Path, kind: str, store_hash: str | None) -> None:
    """File a notice, a supplier certificate or a safety bulletin in the recall."""
    from pipeline.flows.recalls import intake
    from pipeline.runtime.session import connected

    content_type, data = _file(path)
    config = load_settings()
    with connected(config), index_errors():
        recall = _find(recall_id, store_hash)
        intake.hand_in(recall.store_hash, recall_id, kind, path.name, content_type, data)
    click.echo(f"{path.name} queued as the recall's {kind}")


@recalls.command(name="scan")
@click.argument("recall_id")
@click.option("--since", required=True, help="Read the store's orders placed from this day.")
@click.option("--store", "store_hash", default=None, help="Store hash (when ids repeat).")
def recalls_scan(recall_id: str, since: str, store_hash: str | None) -> None:
    """Page the store's orders older than the archive index (resumable) for the recall."""
    from pipeline.flows.recalls import intake
    from pipeline.flows.recalls.scan import FOUND_BY, scan
    from pipeline.integrations.bigcommerce.errors import BigCommerceUnavailable
    from pipeline.runtime import clients, services
    from pipeline.runtime.session import connected

    start = parse_moment(since)
    config = load_settings()
    with connected(config), index_errors():
        recall = _find(recall_id, store_hash)
        if start < recall.sold_from:
            start = recall.sold_from
        index = services.archive_index()
        try:
            state = scan(clients.bigcommerce(recall.store_hash), index, recall, start)
        except BigCommerceUnavailable as exc:
            raise OperatorError(f"BigCommerce cannot be asked now (resume later): {exc}") from None
        found = index.recalls.add_orders(
            recall.store_hash, recall_id, index.recalls.affected_orders(recall), FOUND_BY
        )
        intake.refresh(recall.store_hash, recall_id, "scan")
    click.echo(
        f"scanned {state.orders_read} orders placed {state.since.date()} to "
        f"{state.until.date()}; {len(found)} affected order(s) found"
    )


def _summary(recall: Any) -> dict[str, Any]:
    return {
        "store": recall.store_hash,
        "recall_id": recall.recall_id,
        "decision": recall.decision,
        "identifiers": recall.identifiers.as_json(),
        "sold_from": recall.sold_from.isoformat(),
        "sold_to": recall.sold_to.isoformat() if recall.sold_to else None,
        "severity": recall.severity,
        "opened_by": recall.opened_by,
        "decided_by": recall.decided_by,
        "decided_at": recall.decided_at.isoformat() if recall.decided_at else None,
        "closed_at": recall.closed_at.isoformat() if recall.closed_at else None,
        "hold": recall.hold_name,
        "holds_released_at": (
            recall.holds_released_at.isoformat() if recall.holds_released_at else None
        ),
    }


@recalls.command(name="list")
@click.option("--store", "store_hash", default=None, help="Only this store's.")
@click.option("--open", "open_only", is_flag=True, help="Only open recalls.")
@click.option("--json", "as_json", is_flag=True)
def recalls_list(store_hash: str | None, open_only: bool, as_json: bool) -> None:
    """Recalls from the archive index, oldest first."""
    from pipeline.runtime import services
    from pipeline.runtime.session import connected

    config = load_settings()
    with connected(config), index_errors():
        index = services.archive_index()
        rows = []
        for recall in index.recalls.listed(store_hash, "open" if open_only else None):
            orders = index.recalls.orders(recall.store_hash, recall.recall_id)
            rows.append({**_summary(recall), "affected_orders": len(orders)})
    if as_json:
        echo_json({"recalls": rows})
        return
    for row in rows:
        decided = f"decided by {row['decided_by']}" if row["decided_by"] else "undecided"
        skus = ",".join(row["identifiers"]["skus"]) or "-"
        click.echo(
            f"{row['store']} {row['recall_id']} {row['decision']} {decided} "
            f"skus={skus} affected_orders={row['affected_orders']}"
        )


@recalls.command(name="show")
@click.argument("recall_id")
@click.option("--store", "store_hash", default=None, help="Store hash (when ids repeat).")
@click.option("--json", "as_json", is_flag=True)
def recalls_show(recall_id: str, store_hash: str | None, as_json: bool) -> None:
    """One recall: its facts, items, affected orders and records."""
    from pipeline.index.recalls import RECALL
    from pipeline.runtime import services
    from pipeline.runtime.session import connected

    config = load_settings()
    with connected(config), index_errors():
        recall = _find(recall_id, store_hash)
        index = services.archive_index()
        report = {
            **_summary(recall),
            "items": [
                {
                    "product_id": i.product_id,
                    "variant_id": i.variant_id,
                    "sku": i.sku,
                    "matched_by": i.matched_by,
                }
                for i in index.recalls.items(recall.store_hash, recall_id)
            ],
            "affected_orders": index.recalls.orders(recall.store_hash, recall_id),
            "records": [
                {
                    "kind": r.kind,
                    "ecm_name": r.ecm_name,
                    "node_id": r.ecm_node_id,
                    "sha256": r.sha256,
                }
                for r in index.records_of_subject(recall.store_hash, RECALL, recall_id)
            ],
        }
    if as_json:
        echo_json(report)
        return
    for key in ("store", "recall_id", "decision", "severity", "opened_by", "decided_by",
                "decided_at", "closed_at", "hold", "holds_released_at"):  # fmt: skip
        click.echo(f"{key}: {report[key] if report[key] is not None else '-'}")
    click.echo(f"identifiers: {report['identifiers']}")
    click.echo(f"items: {len(report['items'])}")
    for item in report["items"]:
        variant = item["variant_id"] or "all"
        click.echo(f"  product {item['product_id']} variant {variant} {item['sku']} "
                   f"({item['matched_by']})")  # fmt: skip
    click.echo(f"affected orders ({len(report['affected_orders'])}): "
               + (", ".join(map(str, report["affected_orders"])) or "-"))  # fmt: skip
    click.echo(f"records ({len(report['records'])}):")
    for record in report["records"]:
        click.echo(f"  {record['ecm_name']} node {record['node_id']} {record['sha256']}")
