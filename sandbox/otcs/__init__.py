"""OpenText Content Server (OTCS) REST API emulator — issue 4.

A real aiohttp server that follows `reference/otcs-api.md` and the RM part of
`reference/records-and-rendering.md`, not our client. Run it with
`bcrm sandbox otcs` or in-process with `OTCSEmulator` (see `server.py`); seed data
(categories, file plan, RSIs, workspace types) lives in `seed.py`.

Choices where the reference says "unconfirmed" (picked to match what the cited
clients pyxecm, xecm, cs-rest and otcs-mcp expect):

- Request bodies: form-urlencoded or multipart; the `body` field's JSON is merged
  over flat fields, which are merged over the query string. `application/json`
  bodies are ignored (the call then fails for its missing parameters, as on a
  real server, S6/S14) except on `POST /v2/businessworkspaces`, whose vendor spec
  (S3) declares JSON.
- Tickets: the value does not rotate; the current ticket is echoed in the
  `OTCSTicket` response header on every authenticated call. Expiry is both idle
  (sliding) and absolute. 401 body: `{"error": "Authentication Required"}`. The
  `LLCookie` cookie alone does not authenticate. `/v2/auth` (GET/HEAD/DELETE, used
  by otcs-mcp) behaves like `/v1/auth`. OTDS tickets / bearer tokens are accepted
  directly or exchanged via `GET /v1/auth` when configured.
- Names are unique per container case-insensitively (`Invoice.pdf` clashes with
  `invoice.pdf`).
- `where_name` on browse: case-insensitive substring (pyxecm re-filters for
  equality, so substring is the stricter test of a client). Default page size 25;
  default order: containers first, then name.
- v2 `fields=categories` on a node returns `data.categories` as a list of flat value
  objects, one per applied category (xecm reads a list); `GET /v2/volumes` lists the
  top-level containers.
- `Content-Disposition`: `attachment; filename="…"; filename*=UTF-8''…`;
  `action=download` forces `application/octet-stream`.
- Timestamps: zone-less ISO-8601 (`2026-01-31T12:00:00`).
- An unexpected emulator bug answers 500 `{"error": "Internal emulator error"}` and
  is logged; request logs never carry tickets or passwords.
- `/v2/multipart` is enabled; settings/start/part/complete answer in the v2
  envelope under `results.data`. The `upload_key` is single-use.
- RM subtypes: RM Classification = 551; holds are table rows, not nodes.
- Record details: both `status` and `file_status` are emitted and accepted.
  `GET /v1/rsis` emits both `data.fast_codes` (pyxecm) and `fast:codes` (spec).
  `POST /v1/holds` answers `{"holdID": N}`; `GET /v2/hold` answers
  `results.data.hold`. `vital_record=true` sets the essential code `VR`.
  `false` for optional RM parameters is accepted (S8's rejection not reproduced).
- `rm_metadataToken` is optional on the first `POST .../rmclassifications` and
  required to change an existing classification (pyxecm); stale tokens (RM and
  category/node `metadata_token`) → 409 "Could not update metadata (edit conflict).".
  `POST /v2/nodes/{id}/rmclassifications` is an alias of the v1 call.
- `roles.rmclassifications` on node or workspace create: `{"class_id": C, ...record
  fields such as official, rsi, record_date}`. `roles.categories` is accepted in
  nested (v1) and flat (v2) form on both versions.
- RM rules: an official record, an item under a hold (direct or inherited from a
  container), or a container holding such items cannot be deleted, moved, given a
  new version or unclassified → 400 `{"error": "'<name>' cannot be <action>: ..."}`.
  A classification without an RSI (a grouping class) cannot classify records.
  Metadata (categories, record details) stays editable on records and held items,
  as records-and-rendering.md §A1 describes for RM systems.
- Holds on a container apply to everything beneath it; `GET /v1/nodes/{id}/holds`
  lists them with `hold_appliedmethod` `Direct` or `Inherited` (removable only
  where applied). `GET /v1/holds` answers `{"data": [...]}`.
- Category inheritance (S1 enableCategoryInheritance / disableCategoryInheritance;
  pyxecm `set_category_inheritance`, called by `assign_category` with its default
  `inheritance=False`): `POST|DELETE /v2/nodes/{id}/categories/{category_id}/inheritance`
  with no body answer 200 `{"links": ..., "results": {}}` (S1 `categories_V2EmptyResponse`).
  An unknown node is 500 "Could not get a node for {id}" and a category that is not on the
  node (or does not exist) 500 "Could not find category ID {id} on the node", the statuses
  S1 documents. On a non-container → 400 (unconfirmed; pyxecm warns that documents give
  errors). Items created later in the container get the category with the container's
  values, below any `roles.categories` given on create; new containers inherit the flag
  too, so whole subtrees inherit (unconfirmed). S1 documents no field reporting the
  flag: v2 category results (list and single) carry an emulator-only `inheritance` bool.
- Effective permissions (`GET /v2/nodes/{id}/permissions/effective/{right_id}`): S1 models
  `results[].data[].permissions[]` of `{permissions (string), right_id, type}`; read as
  objects (reference §3), the answer is `results.data.permissions = {"permissions":
  [pyxecm's names], "right_id": N}`, without `type` (an aggregate has none). The account
  holds all of them unless the admin API withholds some; they are not enforced.
- Business workspaces: a second workspace for the same (ext_system_id, bo_type,
  bo_id) → 400; a name clash → the v2 500 collision error.
  `GET /v1/nodes/{id}/businessworkspace` → 400 when the node is in no workspace.
  `GET /v2/externalsystems/{sys}/botypes/{type}/boids/{id}` is served.
"""

from sandbox.otcs.server import OTCSEmulator

__all__ = ["OTCSEmulator"]
