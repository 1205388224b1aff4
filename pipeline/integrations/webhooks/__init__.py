"""The BigCommerce webhook receiver (`bcrm webhooks serve`) and hook registration
(`bcrm webhooks register`).

Answers, in the order the checks run:

- 401 `unauthenticated`: shared-secret header missing or wrong; Standard Webhooks headers
  missing, signature invalid, or `webhook-timestamp` outside the tolerance.
- 415 `unsupported_media_type`: Content-Type is not `application/json`.
- 413 `too_large`: declared or actual body above the limit.
- 408 `timeout`: the body did not arrive within the read timeout.
- 400 `invalid_json`: the body is not JSON (or nested deeper than Python parses).
- 422 `invalid_delivery`: JSON, but not a BigCommerce callback (fields named in `detail`).
- 422 `unknown_scope`: a valid callback for a scope we do not archive. 422 rather than 400
  because the request is well-formed; the content is what we refuse.
- 403 `unknown_store`: authenticated, but for a store this receiver does not serve.
- 503 `unavailable` + `Retry-After: 60`: Redis (the broker) failed; nothing was marked
  seen, so BigCommerce's retry is enqueued.
- 200 `{"status": "enqueued"}` once the fetch task is in Redis, or `"duplicate"` when the
  same store and `hash` were enqueued within the dedup TTL (nothing queued again).
"""
