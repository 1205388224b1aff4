"""`bcrm changes`: change requests for makers and approvers (and tests), done through the
Content Server REST API as the user of the configured OTCS credentials
(BCRM_OTCS_USERNAME/PASSWORD: the maker's own when requesting, the approver's when
deciding), so the ECM's audit trail records who did what. Bad input is one line, exit 2.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

import click

from pipeline.cli.ecm_user import EcmCommands, as_user
from pipeline.cli.options import OperatorError, parse_moment, unknown_store
from pipeline.cli.unapproved import acknowledge, unapproved
from pipeline.flows.approvals import change_requests
from pipeline.flows.approvals.change_request import STATUSES
from pipeline.flows.approvals.change_requests import UnreadableRequest
from pipeline.flows.approvals.policy import ApprovalsPolicyError, policy
from pipeline.flows.approvals.requesting import BadChange, request_change
from pipeline.integrations.otcs.client import OTCSClient
from pipeline.runtime import clients
from pipeline.runtime.settings import load_settings

CLOSED = ("published", "refused", "cancelled", "rejected", "expired")


def _target(change_type: str, text: str) -> str:
    """`12` or `product/12` (a product), `12/variant/40` (a variant), a page's id for a
    page, an order's for a refund; promotions have none (they are created)."""
    if change_type == "promotion":
        return "promotion"
    kind = {"page": "page", "refund_exception": "order"}.get(change_type, "product")
    return text if text.startswith(f"{kind}/") else f"{kind}/{text}"


def _assignments(pairs: tuple[str, ...]) -> dict[str, str]:
    parsed = {}
    for pair in pairs:
        field, sep, value = pair.partition("=")
        if not sep or not field:
            raise OperatorError(f"--set {pair!r}: expected FIELD=VALUE")
        parsed[field] = value
    return parsed


@click.group(cls=EcmCommands)
def changes() -> None:
    """Change requests: approved in the ECM, published to BigCommerce exactly once."""


@changes.command(name="request")
@click.option("--store", "store_hash", required=True, help="Store hash.")
@click.option("--type", "change_type", required=True, help="product_price, product_launch...")
@click.option(
    "--target", default="", help="Product id, PRODUCT/variant/VARIANT, page id or order id."
)
@click.option("--set", "pairs", multiple=True, metavar="FIELD=VALUE", help="A field's new value.")
@click.option("--effective-from", default=None, help="ISO time before which it is not published.")
@click.option("--reason", default="", help="Why the change is asked for.")
def changes_request(
    store_hash: str,
    change_type: str,
    target: str,
    pairs: tuple[str, ...],
    effective_from: str | None,
    reason: str,
) -> None:
    """Read the live before-state and file the change request as the configured user."""
    config = load_settings()
    if store_hash not in config.store_tokens:
        raise unknown_store(store_hash)
    effective = parse_moment(effective_from).isoformat() if effective_from else ""
    try:
        change = request_change(
            as_user(config),
            clients.bigcommerce(store_hash),
            store_hash,
            change_type,
            _target(change_type, target),
            _assignments(pairs),
            reason,
            effective,
        )
    except BadChange as exc:
        raise OperatorError(str(exc)) from None
    click.echo(f"filed {change.id}: {change.change_type} {change.target} → "
               f"{json.dumps(change.after, sort_keys=True)}")  # fmt: skip


@changes.command(name="list")
@click.option("--status", type=click.Choice(STATUSES), default=None, help="Only this status.")
@click.option("--store", "store_hash", default=None, help="Only this store.")
def changes_list(status: str | None, store_hash: str | None) -> None:
    """Every change request in the ECM (or those with one status)."""
    otcs = as_user(load_settings())
    prefix = change_requests.workspace_name(f"{store_hash}-CR-" if store_hash else "")
    for node in otcs.workspaces(change_requests.EXT_SYSTEM, change_requests.BO_TYPE):
        if not node.name.startswith(prefix):
            continue
        facts = change_requests.facts_of(otcs, node.id)
        if status and facts["Status"] != status:
            continue
        click.echo(
            f"{facts['Change Request ID']:<24} {facts['Status']:<10} "
            f"{facts['Change Type']:<17} {facts['Target']}"
        )


def _stored(otcs: OTCSClient, change_id: str) -> change_requests.StoredRequest:
    try:
        return change_requests.read_request(otcs, change_id)
    except UnreadableRequest as exc:
        raise OperatorError(str(exc)) from None


@changes.command(name="show")
@click.argument("change_id")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable.")
def changes_show(change_id: str, as_json: bool) -> None:
    """One change request: its category's facts and the requested change."""
    stored = _stored(as_user(load_settings()), change_id)
    if as_json:
        click.echo(json.dumps({"facts": stored.facts, "change": stored.change.to_json()}))
        return
    for name, value in stored.facts.items():
        click.echo(f"{name:<18} {value or '-'}")
    click.echo(f"{'Before':<18} {json.dumps(stored.change.before, sort_keys=True)}")
    click.echo(f"{'After':<18} {json.dumps(stored.change.after, sort_keys=True)}")
    click.echo(f"{'Reason':<18} {stored.change.reason or '-'}")


@changes.command(name="decide")
@click.argument("change_id")
@click.option("--approve/--reject", default=None, help="The decision.")
@click.option("--note", default="", help="Kept with the decision.")
def changes_decide(change_id: str, approve: bool | None, note: str) -> None:
    """Approve or reject, as the configured user (what an approver does in the ECM)."""
    if approve is None:
        raise OperatorError("say --approve or --reject")
    otcs = as_user(load_settings())
    stored = _stored(otcs, change_id)
    if stored.status != "requested":
        raise OperatorError(f"{change_id} is {stored.status}, not requested")
    try:
        days = policy().of(stored.change.change_type).valid_days
    except ApprovalsPolicyError as exc:
        raise OperatorError(" ".join(str(exc).split())) from None
    change_requests.decide(otcs, change_id, approve, days, note)
    click.echo(f"{change_id} {'approved' if approve else 'rejected'}")


@changes.command(name="cancel")
@click.argument("change_id")
def changes_cancel(change_id: str) -> None:
    """Withdraw a change request that is not published yet."""
    otcs = as_user(load_settings())
    stored = _stored(otcs, change_id)
    if stored.status in CLOSED:
        raise OperatorError(f"{change_id} is {stored.status} and cannot be cancelled")
    when = datetime.now(UTC).isoformat(timespec="seconds")
    change_requests.set_status(otcs, stored.node_id, "cancelled", f"cancelled at {when}")
    click.echo(f"{change_id} cancelled")


changes.add_command(unapproved)
changes.add_command(acknowledge)
