"""BigCommerce emulator: a seeded store behind the REST Management API (v2 and v3), with
rate limiting, webhooks, fault injection and an admin API, written from
`reference/bigcommerce-api.md`.

Run it with `bcrm sandbox bigcommerce` or in-process with `BigCommerceEmulator`.

Choices where the reference says UNCONFIRMED (each follows what the cited clients expect,
or is the stricter option so client bugs show up here rather than in production):

- `limit` above 250 is **413** on every list, v2 orders included (DOC-STATUS lists 413 for
  an over-limit `limit`; PY and Airbyte never send more than 250, so they are unaffected).
- Date filters: v2 takes RFC 2822 or ISO 8601, v3 ISO 8601 or unix seconds. Bounds are
  **inclusive**. A value that does not parse is **ignored** (the unfiltered set comes back),
  matching what users of the PHP and Ruby clients report.
- Unknown store hash with a valid token: **403**; missing or unknown token: **401**.
- A real 429 carries `X-Rate-Limit-Requests-Left: 0`, `X-Rate-Limit-Time-Reset-Ms` and
  `X-Retry-After` (seconds, rounded up). Unauthenticated requests do not spend quota.
  The quota is a fixed window opened by the first request, shared by all tokens of the
  store. Unlimited (`quota=0`/`None`) still sends the headers, quota 2147483647.
- v2 error body is always the array `[{"status", "message"}]` (also for 404 on one order);
  no `details` object.
- `GET /v3/orders/payment_actions/refunds` returns `meta.pagination` like other v3 lists.
- Refunds: the order moves to Refunded (4) when fully refunded, else Partially Refunded
  (14); `refunded_amount` and `payment_status` follow; the events are refund/created,
  transaction/created, statusUpdated and updated. Concurrent refunds on one order are
  applied one after the other (validation and mutation never yield to the event loop),
  not rejected. Order-level discounts are prorated over product lines.
- Archived orders (`DELETE /v2/orders/{id}`) keep answering `GET` with `is_deleted: true`
  and leave the list unless `is_deleted=true` is passed.
- `include=consignments` yields a one-element array of `{pickups, shipping, downloads,
  email}`; with `consignment_structure=object`, the object itself. `fees` appear only with
  `include=fees`. `GET /orders/{id}/taxes` gives one row per address and line type; with
  `details=true` one row per line item.
- Webhooks: the payload `hash` is the SHA-1 of the event (scope, store_id, data,
  created_at, producer) so retries share it; `created_at` is the event time. Deliveries are
  signed (Standard Webhooks `webhook-id`/`webhook-timestamp`/`webhook-signature`) only for
  API accounts created with a client secret; the HMAC key is the client secret's bytes, so
  receivers verify with `whsec_` + base64(client_secret). Delivery timeout 10 s
  (configurable). A destination must be HTTPS on port 443 (webhooks.v3.yml
  createWebhooks: "Destination URL must be served on port 443 (custom ports are not
  currently supported)"; DOC-WH). Any other destination, on POST or PUT, is **422** in the
  spec's `422_UnprocessableEntity` shape: title "JSON data is missing or invalid",
  `errors: {"destination": "error.destination.must.be.https.on.port.443"}` (the status
  and wording for this case are UNCONFIRMED; the spec documents 422 for unacceptable field
  data). Only `BigCommerceEmulator(allow_plain_http_hooks=True)` or `bcrm sandbox
  bigcommerce --allow-http-hooks` takes plain `http://` on any port, for loopback test
  receivers. A duplicate hook (same token, scope and destination) is **409**; more than
  10 per scope is 422. `/v3/hooks` needs no particular
  scope. `store/order/*` style wildcards match every scope below the prefix. The
  success-ratio blocklist is not emulated.
- Catalog: every product write (`PUT` one or a batch, the admin's repricing) sets the
  product's `date_modified` (read-only, ISO 8601: products_catalog.v3.yml "The date on
  which the product was modified") to the store's clock in whole seconds, and
  `date_modified:min|max` filter on it, inclusive. Variants carry no `date_modified` in
  product-variants_catalog.v3.yml, and the spec does not say whether a variant write moves
  its product's: here it does (UNCONFIRMED; bcrm's watch also re-reads the whole catalog
  now and then, so it does not depend on it).
- Promotions: an ENABLED promotion reads as DISABLED once `max_uses` is reached or its
  `end_date` has passed; INVALID cannot be written. No webhooks exist for promotions or
  content pages, so admin edits to them fire none.
- `GET /v2/store` serves every property of store_information.v2.yml's StoreInformation
  (id, account_uuid, domain, secure_url, control_panel_base_url, status, name, first_name,
  last_name, address, country, country_code, infrastructure_region, phone, admin_email,
  order_email, favicon_url, timezone with date_format, language, currency and its
  formatting, units, plan_name/level/is_trial, industry, logo, is_price_entered_with_tax,
  store_id, default_channel_id, default_site_id, active_comparison_modules, features),
  seeded with a US seller (`store_info.SELLER_PROFILE`) priced in USD like the seed.
  `address` is one display string with newline-separated lines (the spec says only
  "Display address"; the line split is our reading). The spec has no tax or VAT id
  field, so bcrm reads those from `sellers.toml`. `logo` is the empty array the spec
  allows when no logo is set; `account_uuid` and `store_id` derive from the store hash.
- `GET /v2/time` answers `{"time": <unix seconds>}` (store_information.v2.yml "Get System
  Timestamp", example `{"time": 1529512970}`) and, like `GET /v2/store`, needs
  `store_v2_information` or its read-only form: the spec's security scheme declares that
  scope for the whole file and lists no exception for `/time`.
- `GET /v3/customers` (customers.v3.yml "Get All Customers", scope `store_v2_customers`
  or read-only): `{data, meta.pagination}` with `page`/`limit`; filters `id:in`,
  `email:in`, `company:in`, `customer_group_id:in`, `date_created[:min|:max]`,
  `date_modified[:min|:max]` (ISO 8601 or unix seconds, inclusive); `sort` one of
  `date_created|date_modified|last_name` `:asc|:desc`, else by id. Each customer carries
  the `customer_Full` fields; `addresses`, `store_credit_amounts`, `attributes` and
  `form_fields` only with `include=addresses|storecredit|attributes|formfields`. Not
  emulated: `cursor_pagination` and `before`/`after` (the spec sends both paginations on
  the first page), `name:in|like`, `phone:in`, `registration_ip_address:in`, the beta
  includes. Seeded address ids are `customer_id * 100 + n` (n from 1). A consent change
  (which fires `store/customer/updated`) moves the customer's `date_modified`.
- Order products' `product_options` (orders.v2.oas2.yml `orderProductOptions`): one per
  option value of the ordered variant, `[]` for a product without options. `value` is the
  option value's id as a string and `display_value` its label (spec example: "Multiple
  choice" size, `display_value: S`, `value: '69'`); customer and merchant names equal the
  display names. Size is "Multiple choice"/"Rectangle"/"Apparel sizes" and Color
  "Swatch"/""/"Colors" (`type`/`display_style`/`name`, after the spec's example);
  `product_option_id` = `product_id * 1000 + option_id`; `id` counts up per store.
  Catalog option value ids are unique per value (Size S..XL = 60..63, Color = 64..66).
- `order_terms_and_conditions_type` accepts `link` or `textarea` (the admin UI's choices).
  Checkout settings need `store_v2_information`; customer settings and consent need
  `store_v2_customers`.
"""

from .server import BigCommerceEmulator

__all__ = ["BigCommerceEmulator"]
