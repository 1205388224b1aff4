"""`bcrm record pdf`: save one record's document from the ECM, found by order and kind."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from pipeline.cli.exits import EXIT_FAILED, EXIT_USAGE
from pipeline.cli.index import index_errors
from pipeline.runtime.settings import load_settings


@click.command(name="pdf")
@click.option("--order", "order_id", type=int, required=True, help="The order the record is about.")
@click.option(
    "--kind", required=True, help="Document kind: invoice, credit_note, packing_slip, ..."
)
@click.option("--store", "store_hash", default=None, help="The order's store (if in several).")
@click.option("--part", default=None, help="The part (consignment, shipment, refund, transaction).")
@click.option(
    "--out",
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    required=True,
    help="Where to write the PDF.",
)
def record_pdf(
    order_id: int, kind: str, store_hash: str | None, part: str | None, out: Path
) -> None:
    """Write the latest record of KIND about an order to OUT, as the ECM holds it, after
    checking it against the SHA-256 recorded when it was declared."""
    from pipeline.runtime.session import connected

    config = load_settings()
    with connected(config), index_errors():
        from pipeline.index.record_content import (
            ContentAltered,
            RecordNotFound,
            order_record,
            record_content,
        )
        from pipeline.runtime import clients, services

        try:
            row = order_record(services.archive_index(), order_id, kind, store_hash, part)
        except RecordNotFound as exc:
            click.echo(f"bcrm: {exc}", err=True)
            sys.exit(EXIT_USAGE)
        try:
            data = record_content(clients.otcs(), row)
        except ContentAltered as exc:
            click.echo(f"bcrm: fixity failure: {exc}", err=True)
            sys.exit(EXIT_FAILED)
    out.write_bytes(data)
    click.echo(
        f"{out}: {row.ecm_name}, node {row.ecm_node_id}, {len(data)} bytes, "
        f"SHA-256 {row.sha256} as declared"
    )
