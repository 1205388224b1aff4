"""Documents: upload (one multipart POST, or the chunked API for large files), versions,
and content download for fixity checks.

Large renders go through `/v2/multipart` (reference §4) so a single slow POST cannot
hit a web-tier size or time limit; the part size is whatever the server answers. Only
there does the name pre-check (`POST /v1/validation/nodes/names`, §5.2) save calls: a
clash found after a chunked transfer has cost its start, every part and its completion,
where a plain upload's clash costs the one refused POST the pre-check would have cost.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Mapping
from typing import Any

from pipeline.integrations.otcs import envelopes
from pipeline.integrations.otcs.envelopes import Node
from pipeline.integrations.otcs.errors import NameCollision, OTCSRefused, OTCSUnavailable
from pipeline.integrations.otcs.nodes import NodeOperations
from pipeline.integrations.otcs.transport import NETWORK_ERRORS, Files
from pipeline.runtime.log import log_event

DOCUMENT = 144
_MAX_PART_RETRIES = 3
_DOWNLOAD_CHUNK = 1024**2


def category_roles(categories: Mapping[int, Mapping[str, Any]]) -> dict[str, Any]:
    """v2 flat `roles.categories`: `{cat}_1: {}` applies each category, then its values."""
    flat: dict[str, Any] = {}
    for category_id, values in categories.items():
        flat[f"{category_id}_1"] = {}
        flat.update(values)
    return flat


class DocumentOperations(NodeOperations):
    def create_document(
        self,
        parent_id: int,
        name: str,
        data: bytes,
        mime_type: str,
        categories: Mapping[int, Mapping[str, Any]] | None = None,
        *,
        description: str | None = None,
    ) -> Node:
        """Create a document; NameCollision if `name` is taken (declare then verifies it).

        `categories` maps category id → attribute key → value, applied atomically with
        the create so a record never exists without its metadata. The v2 answer carries
        every property of the new node (reference §5: `results.data.properties`), so it
        is returned as read; an answer naming only the id (v1) costs one read.
        """
        body: dict[str, Any] = {
            "type": DOCUMENT,
            "parent_id": parent_id,
            "name": name,
            "description": description,
        }
        if categories:
            body["roles"] = {"categories": category_roles(categories)}
        content, files = self._content(name, data, mime_type, parent_id)
        payload = self.request("POST", "v2/nodes", body={**body, **content}, files=files)
        try:
            return envelopes.node(payload)
        except OTCSUnavailable:
            node_id = envelopes.created_id(payload)
            answer = self.request("GET", f"v2/nodes/{node_id}", params={"fields": "properties"})
            return envelopes.node(answer)

    def add_version(
        self,
        node_id: int,
        data: bytes,
        mime_type: str,
        file_name: str,
        *,
        description: str | None = None,
    ) -> int:
        """Add a version and return its number (refused on official records and holds)."""
        content, files = self._content(file_name, data, mime_type, None)
        payload = self.request(
            "POST",
            f"v2/nodes/{node_id}/versions",
            body={"description": description, **content},
            files=files,
        )
        return envelopes.version_number(payload)

    def download(self, node_id: int) -> bytes:
        route = f"GET /v2/nodes/{node_id}/content"
        return self._read(route, lambda: b"".join(self._content_chunks(node_id)))

    def content_sha256(self, node_id: int) -> str:
        """SHA-256 of the latest version, streamed: fixity without holding the file."""

        def attempt() -> str:
            digest = hashlib.sha256()
            for chunk in self._content_chunks(node_id):
                digest.update(chunk)
            return digest.hexdigest()

        return self._read(f"GET /v2/nodes/{node_id}/content", attempt)

    def _content_chunks(self, node_id: int) -> Iterator[bytes]:
        """`action=download` makes the server answer octet-stream (S1), so an HTML
        answer is an error page from a proxy or a restarting server, never content."""
        path = f"v2/nodes/{node_id}/content"
        response = self._send("GET", path, params={"action": "download"}, stream=True)
        with response:
            if response.status_code >= 400:
                self._payload(response, f"GET /{path}")
            if response.headers.get("Content-Type", "").startswith("text/html"):
                raise OTCSUnavailable(f"GET /{path}: HTML page instead of content")
            try:
                yield from response.iter_content(_DOWNLOAD_CHUNK)
            except NETWORK_ERRORS as error:
                raise OTCSUnavailable(f"GET /{path}: download cut short: {error!r}") from error

    # -- content transfer ----------------------------------------------------------

    def _content(
        self, name: str, data: bytes, mime_type: str, new_in: int | None
    ) -> tuple[dict[str, Any], Files | None]:
        """Body fields and file parts carrying `data`: inline, or an `upload_key`. For a new
        document in `new_in`, a chunked transfer goes only if its name is free there
        (NameCollision otherwise, as the create would have answered)."""
        if len(data) > self.chunk_threshold_bytes and self._chunked_upload_accepts(len(data)):
            if new_in is not None and (taken := self.validate_names(new_in, [name])):
                route = "POST /v1/validation/nodes/names"
                raise NameCollision(
                    0, f"An item with the name '{name}' already exists ({taken})", route
                )
            return {"upload_key": self._chunked_upload(name, data, mime_type)}, None
        return {}, {"file": (name, data, mime_type)}

    def _chunked_upload_accepts(self, size: int) -> bool:
        """Whether `/v2/multipart` exists here and takes this size (release-dependent, §4)."""

        def load() -> dict[str, Any]:
            try:
                return dict(envelopes.results_data(self.request("GET", "v2/multipart/settings")))
            except OTCSRefused:
                return {"is_enabled": False}

        limits = self._lookup("multipart-settings", load)
        return bool(limits.get("is_enabled")) and (
            int(limits.get("min_size", 0)) <= size <= int(limits.get("max_size", size))
        )

    def _chunked_upload(self, name: str, data: bytes, mime_type: str) -> str:
        started = envelopes.results_data(
            self.request(
                "POST",
                "v2/multipart",
                fields={"file_name": name, "file_size": len(data), "mime_type": mime_type},
            )
        )
        key = str(started["upload_key"])
        part_size = int(started["part_size"])
        retries = min(int(started.get("max_retries", 0)), _MAX_PART_RETRIES)
        parts = range(1, int(started["num_parts"]) + 1)
        log_event("otcs.chunked_upload", size=len(data), parts=len(parts))
        for number in parts:
            chunk = data[(number - 1) * part_size : number * part_size]
            self._send_part(key, number, chunk, retries)
        self.request("POST", f"v2/multipart/{key}")
        return key

    def _send_part(self, key: str, number: int, chunk: bytes, retries: int) -> None:
        """A part may be re-sent: the server announces `max_retries` for exactly this."""
        files = {"part_content": (f"part{number}", chunk, "application/octet-stream")}
        for attempt in range(retries + 1):
            try:
                self.request("POST", f"v2/multipart/{key}/{number}", files=files)
                return
            except OTCSUnavailable:
                if attempt == retries:
                    raise
