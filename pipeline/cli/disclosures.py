"""`bcrm disclosures as-of|history|diff`: which policy texts were live when, from the
archive index alone (no BigCommerce call; ECM node ids as the index holds them)."""

from __future__ import annotations

import difflib
import json
from typing import TYPE_CHECKING, Any

import click

from pipeline.cli.index import index_errors
from pipeline.cli.options import OperatorError, parse_moment
from pipeline.runtime.settings import load_settings
from schemas.disclosures import DISCLOSURE_KINDS

if TYPE_CHECKING:
    from pipeline.index.disclosures import DisclosureIndex


def _index() -> DisclosureIndex:
    from pipeline.flows.disclosures.index import disclosure_index

    return disclosure_index()


@click.group()
def disclosures() -> None:
    """Policies and disclosures (flow 4): versions, as-of answers, differences."""


def _order_answer(store_hash: str, order_id: int, channel_id: int | None) -> dict[str, Any]:
    from pipeline.flows.disclosures.asof import order_answer

    try:
        return order_answer(_index(), store_hash, order_id, channel_id)
    except LookupError as exc:
        raise OperatorError(str(exc)) from None


def _print_answer(answer: dict[str, Any]) -> None:
    order = f" (order {answer['order_id']})" if answer["order_id"] is not None else ""
    click.echo(f"{answer['store']} as of {answer['at']}{order}")
    for item in answer["disclosures"]:
        subject = item["subject"] or "-"
        click.echo(f"  {item['kind']:<15} {subject:<6} {item['state']:<10} {item['name']}")
        for version in item["versions"]:
            click.echo(
                f"      sha256 {version['content_sha256'][:16]}  node {version['ecm_node_id']}"
                f"  seen {version['first_seen']} .. {version['last_seen']}"
            )


@disclosures.command(name="as-of")
@click.option("--store", "store_hash", required=True, help="Store hash.")
@click.option("--order", "order_id", type=int, default=None, help="An archived order's id.")
@click.option("--at", "moment", default=None, help="A moment (ISO 8601; naive is UTC).")
@click.option("--channel", "channel_id", type=int, default=None, help="Only this channel.")
@click.option("--json", "as_json", is_flag=True, help="Print the answer as JSON.")
def as_of_command(
    store_hash: str, order_id: int | None, moment: str | None, channel_id: int | None, as_json: bool
) -> None:
    """Which version of every disclosure was live when an order was placed (its receipt's
    frozen answer) or at a moment: exact, ambiguous (the versions either side of an
    unobserved change) or unknown (nothing captured before)."""
    if (order_id is None) == (moment is None):
        raise OperatorError("give exactly one of --order N and --at ISO8601")
    at = None if moment is None else parse_moment(moment)
    load_settings()
    with index_errors():
        from pipeline.flows.disclosures.asof import as_of

        if order_id is not None:
            answer = _order_answer(store_hash, order_id, channel_id)
        else:
            assert at is not None
            answer = as_of(_index(), store_hash, at, channel_id)
    if as_json:
        click.echo(json.dumps(answer, indent=2))
        return
    _print_answer(answer)


@disclosures.command()
@click.option("--store", "store_hash", required=True, help="Store hash.")
@click.option("--kind", type=click.Choice(DISCLOSURE_KINDS), default=None, help="Only this kind.")
@click.option("--subject", default=None, help="Only this page id or channel id.")
@click.option("--json", "as_json", is_flag=True, help="Print as JSON.")
def history(store_hash: str, kind: str | None, subject: str | None, as_json: bool) -> None:
    """Every version of the store's disclosures, with the runs of looks that saw it."""
    load_settings()
    with index_errors():
        index = _index()
        versions = index.versions(store_hash, kind=kind, subject=subject)
        rows: list[dict[str, Any]] = []
        for key in sorted({(v.kind, v.subject) for v in versions}):
            by_fingerprint = {v.fingerprint: v for v in versions if (v.kind, v.subject) == key}
            for run in index.evidence(store_hash, *key).runs:
                version = by_fingerprint[run.fingerprint]
                rows.append(
                    {
                        "kind": version.kind,
                        "subject": version.subject,
                        "name": version.name,
                        "state": version.state,
                        "content_sha256": version.content_sha256,
                        "ecm_node_id": version.ecm_node_id,
                        "first_seen": run.first_seen.isoformat(),
                        "last_seen": run.last_seen.isoformat(),
                        "looks": run.looks,
                        "watched": run.watched,
                    }
                )
    if as_json:
        click.echo(json.dumps(rows, indent=2))
        return
    click.echo(f"{store_hash}: {len(versions)} versions, {len(rows)} runs of looks")
    for row in rows:
        click.echo(
            f"  {row['kind']:<15} {row['subject']:<6} {row['state']:<9} "
            f"sha256 {row['content_sha256'][:12]} node {row['ecm_node_id']} "
            f"{row['first_seen']} .. {row['last_seen']} ({row['looks']} looks"
            f"{'' if row['watched'] else ', unwatched'})"
        )


@disclosures.command()
@click.argument("node_a", type=int)
@click.argument("node_b", type=int)
def diff(node_a: int, node_b: int) -> None:
    """A unified diff of the text of two disclosure versions, by their ECM node ids."""
    load_settings()
    with index_errors():
        index = _index()
        texts = []
        for node in (node_a, node_b):
            version = index.version_by_node(node)
            if version is None:
                raise OperatorError(f"node {node} is no disclosure version in the archive index")
            texts.append((f"node {node} ({version.kind} {version.subject})", index.text(version)))
    (name_a, text_a), (name_b, text_b) = texts
    lines = difflib.unified_diff(
        text_a.splitlines(), text_b.splitlines(), name_a, name_b, lineterm=""
    )
    for line in lines:
        click.echo(line)
