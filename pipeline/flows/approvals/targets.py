"""What a change is applied to, per change type: how to read its governed fields live,
how to write the after-state, in BigCommerce's terms (reference bigcommerce-api.md §6, §7).

- Product fields (`product_price`, `product_launch`, `product_takedown` on a product):
  `GET /v3/catalog/products/{id}`, partial `PUT` of only the changed fields (§6).
- Variant fields (the same on `product/{id}/variant/{vid}`): `GET|PUT
  /v3/catalog/products/{id}/variants/{vid}`; `purchasing_disabled` and its message
  (≤ 255 characters) are the takedown of a variant (§6).
- Content pages (`page`, a policy text): `GET /v3/content/pages/{id}?include=body` (the
  body is only returned when asked for), `PUT /v3/content/pages/{id}` with the changed
  fields (§8, pages.v3.yml).
- Refunds outside the returns policy (`refund_exception` on `order/{id}`, a creation of
  an order-level amount): `POST /v3/orders/{id}/payment_actions/refund_quotes` for the
  refund methods, then `POST .../payment_actions/refunds` (201) with the first method's
  provider (§5). Not idempotent: the change request id is carried in the refund's
  `reason` (`<reason> [<CR id>]`) and looked for with `GET .../payment_actions/refunds`
  before creating; the governed field is `amount` (the refund's `total_amount`).
- Promotions (`promotion`, a creation): `POST /v3/promotions` (201) is not idempotent, so
  the change request id is carried in the promotion's name (`<name> [<CR id>]`) and looked
  for with `GET /v3/promotions?query=<CR id>` (query matches name or code, §7.1) before
  creating; its governed fields are then read from the promotion found. An existing
  promotion (`promotion/{id}`, how a revert names it) is read and written in place.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any

from pipeline.core.errors import PermanentError
from pipeline.flows.approvals.change_request import ChangeRequest, canonical
from pipeline.integrations.bigcommerce.client import BigCommerceClient

PRODUCT_FIELDS = frozenset(
    {"price", "sale_price", "retail_price", "is_visible", "availability",
     "availability_description"}
)  # fmt: skip
VARIANT_FIELDS = frozenset(
    {"price", "sale_price", "retail_price", "purchasing_disabled", "purchasing_disabled_message"}
)
PAGE_FIELDS = frozenset({"body", "name", "is_visible", "meta_title", "meta_description"})
PROMOTION_FIELDS = frozenset(
    {"name", "redemption_type", "rules", "status", "start_date", "end_date", "channels",
     "customer", "can_be_used_with_other_promotions", "currency_code", "max_uses"}
)  # fmt: skip


class UnknownTarget(PermanentError):
    """A change names a target the publish stage cannot address."""


class Target(ABC):
    """One addressable object and the fields a change to it governs."""

    fields: frozenset[str]
    # A creation (a promotion, a refund): nothing is there before it, whatever a read finds.
    creates: bool = False

    @abstractmethod
    def read(self, client: BigCommerceClient, change: ChangeRequest) -> dict[str, Any] | None:
        """The governed fields as they are live (None: the object does not exist)."""

    @abstractmethod
    def write(self, client: BigCommerceClient, change: ChangeRequest) -> Any:
        """Apply the after-state once; the API's answer."""

    def governed(self, live: dict[str, Any], change: ChangeRequest) -> dict[str, Any]:
        return canonical({k: live.get(k) for k in change.after})


class ProductTarget(Target):
    fields = PRODUCT_FIELDS

    def __init__(self, product_id: int) -> None:
        self.path = f"/v3/catalog/products/{product_id}"

    def read(self, client: BigCommerceClient, change: ChangeRequest) -> dict[str, Any] | None:
        body = client.request("GET", self.path)
        return self.governed(body["data"], change)

    def write(self, client: BigCommerceClient, change: ChangeRequest) -> Any:
        return client.request("PUT", self.path, body=_wire(change.after))


class VariantTarget(ProductTarget):
    fields = VARIANT_FIELDS

    def __init__(self, product_id: int, variant_id: int) -> None:
        self.path = f"/v3/catalog/products/{product_id}/variants/{variant_id}"


class PageTarget(Target):
    fields = PAGE_FIELDS

    def __init__(self, page_id: int) -> None:
        self.path = f"/v3/content/pages/{page_id}"

    def read(self, client: BigCommerceClient, change: ChangeRequest) -> dict[str, Any] | None:
        body = client.request("GET", self.path, params={"include": "body"})
        return self.governed(body["data"], change)

    def write(self, client: BigCommerceClient, change: ChangeRequest) -> Any:
        return client.request("PUT", self.path, params={"include": "body"}, body=change.after)


class RefundTarget(Target):
    fields = frozenset({"amount", "reason"})
    creates = True

    def __init__(self, order_id: int) -> None:
        self.order_id = order_id
        self.path = f"/v3/orders/{order_id}/payment_actions"

    def read(self, client: BigCommerceClient, change: ChangeRequest) -> dict[str, Any] | None:
        marker = marked_name("", change.id)
        for refund in client.get_v3(f"/orders/{self.order_id}/payment_actions/refunds") or []:
            if str(refund.get("reason", "")).endswith(marker):
                found = {"amount": refund["total_amount"], "reason": refund["reason"]}
                return self.governed(found, change)
        return None

    def write(self, client: BigCommerceClient, change: ChangeRequest) -> Any:
        amount = float(change.after["amount"])
        items = [{"item_type": "ORDER", "item_id": self.order_id, "amount": amount}]
        quote = client.request("POST", f"{self.path}/refund_quotes", body={"items": items})
        method = quote["data"]["refund_methods"][0][0]
        payments = [{"provider_id": method["provider_id"], "amount": amount,
                     "offline": method["offline"]}]  # fmt: skip
        reason = marked_name(str(change.after.get("reason", "")), change.id)
        body = {"items": items, "payments": payments, "reason": reason}
        return client.request("POST", f"{self.path}/refunds", body=body)

    def governed(self, live: dict[str, Any], change: ChangeRequest) -> dict[str, Any]:
        reason = str(live.get("reason", "")).removesuffix(marked_name("", change.id))
        return super().governed({**live, "reason": reason}, change)


class PromotionTarget(Target):
    fields = PROMOTION_FIELDS
    creates = True

    def read(self, client: BigCommerceClient, change: ChangeRequest) -> dict[str, Any] | None:
        marker = marked_name("", change.id)
        for promotion in client.iter_v3("/promotions", {"query": change.id}):
            if str(promotion.get("name", "")).endswith(marker):
                return self.governed(promotion, change)
        return None

    def write(self, client: BigCommerceClient, change: ChangeRequest) -> Any:
        body = {**_wire(change.after), "name": marked_name(change.after["name"], change.id)}
        return client.request("POST", "/v3/promotions", body=body)

    def governed(self, live: dict[str, Any], change: ChangeRequest) -> dict[str, Any]:
        name = str(live.get("name", "")).removesuffix(marked_name("", change.id))
        return super().governed({**live, "name": name}, change)


class PromotionUpdate(Target):
    """An existing promotion's fields (a revert of an unapproved change to its rules or
    status): `GET|PUT /v3/promotions/{id}` (§7.1), the PUT with only the changed fields."""

    fields = PROMOTION_FIELDS

    def __init__(self, promotion_id: int) -> None:
        self.path = f"/v3/promotions/{promotion_id}"

    def read(self, client: BigCommerceClient, change: ChangeRequest) -> dict[str, Any] | None:
        return self.governed(client.request("GET", self.path)["data"], change)

    def write(self, client: BigCommerceClient, change: ChangeRequest) -> Any:
        return client.request("PUT", self.path, body=change.after)


def marked_name(name: str, change_id: str) -> str:
    """A created object's name carrying its change request id, how it is found again."""
    return f"{name} [{change_id}]"


def _wire(after: dict[str, Any]) -> dict[str, Any]:
    """The after-state as BigCommerce takes it: catalog money as JSON numbers (§6),
    promotion money as strings (§7.1, kept as written)."""
    return {k: float(v) if k.endswith("price") and v is not None else v for k, v in after.items()}


def target_of(change: ChangeRequest) -> Target:
    parts = change.target.split("/")
    try:
        if change.change_type == "promotion" and parts == ["promotion"]:
            return PromotionTarget()
        if change.change_type == "promotion" and parts[0] == "promotion" and len(parts) == 2:
            return PromotionUpdate(int(parts[1]))
        if change.change_type == "refund_exception" and parts[0] == "order" and len(parts) == 2:
            return RefundTarget(int(parts[1]))
        if change.change_type == "page" and parts[0] == "page" and len(parts) == 2:
            return PageTarget(int(parts[1]))
        if parts[0] == "product" and len(parts) == 2:
            return ProductTarget(int(parts[1]))
        if parts[0] == "product" and len(parts) == 4 and parts[2] == "variant":
            return VariantTarget(int(parts[1]), int(parts[3]))
    except ValueError:
        pass
    raise UnknownTarget(f"{change.id}: no publishable target {change.target!r}")
