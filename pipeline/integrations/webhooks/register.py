"""`bcrm webhooks register`: make each store's hooks point at our receiver, idempotently.

BigCommerce allows one hook per scope and destination for an API account, so the pair is
the identity: an existing hook is updated in place (secret header rotated, re-activated
after BigCommerce deactivated it for failures), a missing one is created, and re-running
changes nothing. Hooks of other destinations are left alone.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from pipeline.integrations.bigcommerce import BigCommerceClient
from schemas.webhooks import REGISTERED_SCOPES, disclosure_scopes


@dataclass(frozen=True)
class HookChange:
    store_hash: str
    scope: str
    hook_id: int
    action: str  # created | updated | unchanged

    def to_json(self) -> dict[str, Any]:
        return {
            "store": self.store_hash,
            "scope": self.scope,
            "hook_id": self.hook_id,
            "action": self.action,
        }


def default_scopes(client: BigCommerceClient, disclosures: bool) -> tuple[str, ...]:
    """The order scopes, and where the disclosures flow runs, every channel's disclosure
    change scopes (a channel added later needs `register` again)."""
    if not disclosures:
        return REGISTERED_SCOPES
    from pipeline.flows.disclosures.look import channel_ids

    channels = channel_ids(client)
    return (*REGISTERED_SCOPES, *(s for c in channels for s in disclosure_scopes(c)))


def register_hooks(
    client: BigCommerceClient,
    store_hash: str,
    destination: str,
    scopes: Iterable[str],
    headers: Mapping[str, str],
) -> list[HookChange]:
    existing = {
        hook["scope"]: hook
        for hook in client.iter_v3("/hooks", {"destination": destination})
        if hook["destination"] == destination
    }
    changes = []
    for scope in scopes:
        hook = existing.get(scope)
        wanted = {"is_active": True, "headers": dict(headers) or None}
        if hook is None:
            body = {"scope": scope, "destination": destination, **wanted}
            created = client.request("POST", "/v3/hooks", body=body)["data"]
            changes.append(HookChange(store_hash, scope, created["id"], "created"))
        elif hook["is_active"] and (hook.get("headers") or None) == wanted["headers"]:
            changes.append(HookChange(store_hash, scope, hook["id"], "unchanged"))
        else:
            client.request("PUT", f"/v3/hooks/{hook['id']}", body=wanted)
            changes.append(HookChange(store_hash, scope, hook["id"], "updated"))
    return changes
