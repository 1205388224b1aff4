"""A look against the BigCommerce emulator, written to the archive index: versions by
exactly the issue's facts, withdrawn pages, the same content seen again adding no
version, and a look watched only when the channel's hooks are registered and settled."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest
import redis

from pipeline.flows.disclosures.look import take_look, watched
from pipeline.index.disclosures import DisclosureIndex
from pipeline.index.records import ArchiveIndex
from pipeline.integrations.bigcommerce.client import BigCommerceClient
from sandbox.bigcommerce.server import BigCommerceEmulator
from schemas.disclosures import PAGE, WITHDRAWN, Disclosure, DisclosureLook
from schemas.webhooks import disclosure_scopes
from tests.disclosures.evidence_world import at


@pytest.fixture(scope="module")
def store() -> Iterator[BigCommerceEmulator]:
    with BigCommerceEmulator(orders=1, quota=None, store_hash=uuid.uuid4().hex[:10]) as emu:
        yield emu


@pytest.fixture
def client(store: BigCommerceEmulator) -> BigCommerceClient:
    return BigCommerceClient(store.base_url, store.access_token, governor=None)


def _look(
    client: BigCommerceClient, rclient: redis.Redis, index: DisclosureIndex, store_hash: str
) -> DisclosureLook:
    ref = {"store_hash": store_hash, "channel_id": 1, "reason": "test"}
    return take_look(client, rclient, index, ref, lambda store, d: f"{store}/{d.fingerprint}", 30)


def _pages(look: DisclosureLook) -> dict[str, Disclosure]:
    return {d.subject: d for d in look.disclosures if d.kind == PAGE}


def test_versions_withdrawals_and_repeats(
    index: ArchiveIndex, redis_url: str, store: BigCommerceEmulator, client: BigCommerceClient
) -> None:
    disclosures = DisclosureIndex(index.engine)
    rclient = redis.Redis.from_url(redis_url)
    first = _look(client, rclient, disclosures, store.store_hash)
    pages = _pages(first)
    assert pages and {d.kind for d in first.disclosures} == {"page", "checkout_terms", "privacy"}
    terms = next(d for d in pages.values() if "terms" in d.url)
    hidden = next(d for d in pages.values() if d is not terms)
    gone = next(d for d in pages.values() if d not in (terms, hidden))

    # Neither the order of keys nor an untracked field makes a version.
    client.request("PUT", f"/v3/content/pages/{terms.subject}", body={"meta_title": "new"})
    again = _pages(_look(client, rclient, disclosures, store.store_hash))
    assert again[terms.subject].fingerprint == terms.fingerprint

    client.request("PUT", f"/v3/content/pages/{terms.subject}", body={"body": "<p>B</p>"})
    client.request("PUT", f"/v3/content/pages/{hidden.subject}", body={"is_visible": False})
    client.request("DELETE", f"/v3/content/pages/{gone.subject}")
    changed = _pages(_look(client, rclient, disclosures, store.store_hash))
    assert changed[terms.subject].fingerprint != terms.fingerprint
    assert changed[hidden.subject].state == WITHDRAWN
    assert changed[gone.subject].state == WITHDRAWN and changed[gone.subject].text == ""

    # Back to the first text: the first version again, not a new one; the deletion is
    # not a new version at every later look.
    client.request("PUT", f"/v3/content/pages/{terms.subject}", body={"body": terms.text})
    back = _pages(_look(client, rclient, disclosures, store.store_hash))
    assert back[terms.subject].fingerprint == terms.fingerprint
    assert (
        gone.subject not in back
        or back[gone.subject].fingerprint == changed[gone.subject].fingerprint
    )
    versions = disclosures.versions(store.store_hash, kind=PAGE, subject=terms.subject)
    assert len(versions) == 2
    runs = disclosures.evidence(store.store_hash, PAGE, terms.subject).runs
    assert [r.fingerprint for r in runs] == [
        terms.fingerprint,
        versions_other(versions, terms),
        terms.fingerprint,
    ]


def versions_other(versions: list[Any], terms: Disclosure) -> str:
    return next(v.fingerprint for v in versions if v.fingerprint != terms.fingerprint)


def test_a_look_is_watched_only_with_settled_active_hooks() -> None:
    now = at(600)
    settled = now.timestamp() - 120
    hooks = [
        {"scope": s, "is_active": True, "created_at": settled, "updated_at": settled}
        for s in disclosure_scopes(1)
    ]
    assert watched(hooks, 1, now)
    assert not watched(hooks, 2, now)
    assert not watched(hooks[1:], 1, now)
    assert not watched([{**h, "is_active": False} for h in hooks], 1, now)
    assert not watched([{**h, "updated_at": now.timestamp() - 10} for h in hooks], 1, now)
    wildcard = [{"scope": "store/channel/1/*", "is_active": True, "created_at": settled}]
    assert watched(wildcard, 1, now)
