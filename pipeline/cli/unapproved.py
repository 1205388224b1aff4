"""`bcrm changes unapproved` and `bcrm changes acknowledge`: the changes made in
BigCommerce outside the workflow that flow 3's watch saw, what became of each (reverted
by policy, acknowledged by whom), and how a person marks one as looked at, which takes it
off `bcrm status`. Read from and written to Redis, where the watch keeps them."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import click

from pipeline.cli.options import OperatorError, unknown_store
from pipeline.flows.approvals import observed
from pipeline.runtime import redis_client
from pipeline.runtime.session import connected
from pipeline.runtime.settings import load_settings


def _store(store_hash: str) -> None:
    if store_hash not in load_settings().store_tokens:
        raise unknown_store(store_hash)


def _state(outcome: dict[str, str] | None) -> str:
    outcome = outcome or {}
    if "acknowledged_by" in outcome:
        return f"acknowledged by {outcome['acknowledged_by']}"
    if "revert" in outcome:
        return f"revert {outcome['revert']}: {outcome.get('result', 'owed')}"
    return "open"


@click.command(name="unapproved")
@click.option("--store", "store_hash", required=True, help="Store hash.")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable.")
def unapproved(store_hash: str, as_json: bool) -> None:
    """Every unapproved change seen in the store, oldest first, and what became of it."""
    _store(store_hash)
    with connected(load_settings()):
        client = redis_client()
        changes = observed.every_change(client, store_hash)
        done = observed.outcomes(client, store_hash)
    if as_json:
        rows = [{**c.to_json(), "id": c.id, "outcome": done.get(c.id, {})} for c in changes]
        click.echo(json.dumps(rows, indent=2))
        return
    for change in changes:
        moved = ", ".join(
            f"{name} {json.dumps(change.before[name])} → {json.dumps(change.after[name])}"
            for name in sorted(change.after)
        )
        state = _state(done.get(change.id))
        click.echo(f"{change.id:<28} {change.observed_at}  {moved}  [{state}]")


@click.command(name="acknowledge")
@click.argument("change_id")
@click.option("--store", "store_hash", required=True, help="Store hash.")
@click.option("--by", "who", required=True, help="Who looked at it (kept with it).")
def acknowledge(change_id: str, store_hash: str, who: str) -> None:
    """Mark an unapproved change as looked at: `bcrm status` no longer lists it."""
    _store(store_hash)
    with connected(load_settings()):
        client = redis_client()
        if change_id not in {c.id for c in observed.every_change(client, store_hash)}:
            raise OperatorError(f"no unapproved change {change_id} in store {store_hash}")
        when = datetime.now(UTC).isoformat(timespec="seconds")
        observed.note_outcome(client, store_hash, change_id, acknowledged_by=who, at=when)
    click.echo(f"{change_id} acknowledged by {who}")
