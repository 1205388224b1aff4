"""Who sells: the seller printed on every commercial document, per store.

Configured in `sellers.toml` (path `BCRM_SELLERS_FILE`, default the file beside
`retention.toml` in the checkout), one table per store hash; what a store's table leaves
out comes from `GET /v2/store` (name, display address, country, phone, order e-mail),
which has no field for a VAT or tax id. The file is optional: without it every store's
seller comes from `GET /v2/store`. A worker and beat load it as they start, so a broken
file stops them there, naming the problem.

    [stores.abc123]
    legal_name = "Röstwerk Handels GmbH"
    address_lines = ["Kaffeegasse 3", "20095 Hamburg", "Germany"]
    country_iso2 = "DE"
    tax_id = "DE123456789"           # main VAT / tax id
    email = "buchhaltung@roestwerk.example"
    phone = "+49 40 1234567"
    [stores.abc123.tax_ids]          # VAT registrations in other countries (OSS, local)
    FR = "FR12345678901"

What an EU invoice must carry follows VAT Directive 2006/112/EC Art 226; `seller_gaps`
names what a seller lacks for it, and `bcrm config` / `bcrm retention check` print those.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Iterable, Mapping
from functools import cache
from pathlib import Path
from typing import Any

from marshmallow import ValidationError

from schemas.snapshot import Seller, SellerSchema

SELLERS_FILE_ENV = "BCRM_SELLERS_FILE"
DEFAULT_SELLERS_FILE = Path(__file__).resolve().parents[3] / "sellers.toml"

# EU member states by ISO code (Greece's VAT ids use EL; its ISO code is GR).
EU_COUNTRIES = frozenset(
    {
        "AT",
        "BE",
        "BG",
        "CY",
        "CZ",
        "DE",
        "DK",
        "EE",
        "ES",
        "FI",
        "FR",
        "GR",
        "HR",
        "HU",
        "IE",
        "IT",
        "LT",
        "LU",
        "LV",
        "MT",
        "NL",
        "PL",
        "PT",
        "RO",
        "SE",
        "SI",
        "SK",
    }
)

_SCHEMA = SellerSchema()


class SellersFileError(ValueError):
    """`sellers.toml` cannot be read or a store's table is not a valid seller."""


def sellers_path() -> Path:
    return Path(os.environ.get(SELLERS_FILE_ENV, DEFAULT_SELLERS_FILE))


def load_sellers(path: Path) -> dict[str, dict[str, Any]]:
    """Store hash -> the seller fields configured for it (validated, as `SellerSchema`
    dumps them). A missing file is no sellers; a file set explicitly must exist."""
    if not path.exists():
        if SELLERS_FILE_ENV in os.environ:
            raise SellersFileError(f"{path}: no such file ({SELLERS_FILE_ENV})")
        return {}
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise SellersFileError(f"{path}: {exc}") from exc
    stores = data.get("stores", {})
    unknown = set(data) - {"stores"}
    if unknown or not isinstance(stores, dict):
        raise SellersFileError(f"{path}: expected only [stores.<store hash>] tables")
    sellers: dict[str, dict[str, Any]] = {}
    for store_hash, table in stores.items():
        try:
            seller = _SCHEMA.load(table)
        except ValidationError as exc:
            raise SellersFileError(f"{path}: [stores.{store_hash}]: {exc.messages}") from exc
        if "tax_ids" in table and not isinstance(table["tax_ids"], dict):
            raise SellersFileError(f"{path}: [stores.{store_hash}].tax_ids must be a table")
        sellers[store_hash] = {key: table[key] for key in _SCHEMA.dump(seller) if key in table}
    return sellers


@cache
def configured_sellers() -> Mapping[str, Mapping[str, Any]]:
    """The configured sellers of this process (read once)."""
    return load_sellers(sellers_path())


def from_store_information(store: Mapping[str, Any]) -> dict[str, Any]:
    """The seller `GET /v2/store` describes: its `address` is one display string whose
    lines are the postal lines; it carries no tax id."""
    address = [line.strip() for line in str(store.get("address", "")).splitlines() if line.strip()]
    country = str(store.get("country") or "")
    if country and address and address[-1] != country:
        address.append(country)
    seller: dict[str, Any] = {
        "legal_name": store.get("name") or store.get("domain") or "BigCommerce store",
        "address_lines": address,
        "country_iso2": str(store.get("country_code") or ""),
        "email": store.get("order_email") or store.get("admin_email") or "",
    }
    if store.get("phone"):
        seller["phone"] = str(store["phone"])
    if store.get("name"):
        seller["store_name"] = str(store["name"])
    return seller


def seller_for(store_hash: str, store: Mapping[str, Any]) -> dict[str, Any]:
    """The store's configured seller over what `GET /v2/store` says."""
    return {**from_store_information(store), **configured_sellers().get(store_hash, {})}


def seller_gaps(seller: Seller) -> list[str]:
    """What a seller lacks for the documents it issues: address and contact always, a VAT
    id where it sells from an EU country (VAT Directive Art 226(3)), a tax id otherwise."""
    gaps = []
    if not seller.address_lines:
        gaps.append("seller address")
    if not seller.country_iso2:
        gaps.append("seller country")
    if not (seller.tax_id or seller.tax_ids):
        eu = seller.country_iso2.upper() in EU_COUNTRIES
        gaps.append("seller VAT identification number" if eu else "seller tax id")
    if not (seller.email or seller.phone):
        gaps.append("seller contact (e-mail or phone)")
    return gaps


def configuration_warnings(store_hashes: Iterable[str]) -> list[str]:
    """One line per store whose documents would lack a seller fact; a broken file is one
    line too. For `bcrm config` and `bcrm retention check`."""
    try:
        sellers = configured_sellers()
    except SellersFileError as exc:
        return [f"sellers: {exc}"]
    warnings = []
    for store_hash in sorted(set(store_hashes) | set(sellers)):
        if store_hash not in sellers:
            warnings.append(
                f"sellers: store {store_hash} has no [stores.{store_hash}] in {sellers_path()}; "
                "its documents name the seller from GET /v2/store, which has no VAT or tax id"
            )
            continue
        seller: Seller = _SCHEMA.load(sellers[store_hash])
        gaps = seller_gaps(seller)
        if gaps:
            warnings.append(f"sellers: store {store_hash} lacks {', '.join(gaps)}")
    return warnings
