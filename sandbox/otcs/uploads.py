"""The "Large File Upload" API `/v2/multipart` (S1): start, send parts, complete, then use.

A completed upload is consumed by passing its `upload_key` to `POST /v2/nodes` or
`POST /v2/nodes/{id}/versions` instead of a `file` part.
"""

from __future__ import annotations

import math
import secrets
import time
from dataclasses import dataclass, field

from aiohttp import web

from sandbox.otcs.context import Call, EmulatorState, Route
from sandbox.otcs.transport import ApiError, UploadedFile, v2_item

EXPIRED = "Multipart Upload session expired"


@dataclass
class PendingUpload:
    file_name: str
    file_size: int
    mime_type: str
    part_size: int
    started: float
    parts: dict[int, bytes] = field(default_factory=dict)
    completed: bool = False

    @property
    def num_parts(self) -> int:
        return max(1, math.ceil(self.file_size / self.part_size))


def _pending(state: EmulatorState, key: str) -> PendingUpload:
    upload = state.pending_uploads.get(key)
    if upload is None or time.monotonic() - upload.started > state.uploads.session_ttl_s:
        state.pending_uploads.pop(key, None)
        raise ApiError(500, EXPIRED)
    return upload


def take(state: EmulatorState, key: str) -> UploadedFile | None:
    """Consume a completed upload (one use, like the server's upload directory)."""
    upload = state.pending_uploads.get(key)
    if upload is None or not upload.completed:
        return None
    del state.pending_uploads[key]
    data = b"".join(upload.parts[n] for n in sorted(upload.parts))
    return UploadedFile(upload.file_name, upload.mime_type, data)


def settings(call: Call) -> web.Response:
    limits = call.state.uploads
    return v2_item(
        call.request,
        {"data": {"is_enabled": True, "max_size": limits.max_size, "min_size": limits.min_size}},
    )


def start(call: Call) -> web.Response:
    limits = call.state.uploads
    size = call.params.int("file_size", required=True)
    assert size is not None
    if not limits.min_size <= size <= limits.max_size:
        raise ApiError(
            500,
            f"Invalid block size: File size must be between {limits.min_size} "
            f"and {limits.max_size} bytes",
        )
    upload = PendingUpload(
        file_name=call.params.text("file_name") or "upload.bin",
        file_size=size,
        mime_type=call.params.text("mime_type") or "application/octet-stream",
        part_size=limits.part_size,
        started=time.monotonic(),
    )
    key = secrets.token_hex(16)
    call.state.pending_uploads[key] = upload
    return v2_item(
        call.request,
        {
            "data": {
                "upload_key": key,
                "num_parts": upload.num_parts,
                "part_size": upload.part_size,
                "max_retries": 3,
            }
        },
    )


def put_part(call: Call) -> web.Response:
    upload = _pending(call.state, call.match("key"))
    number = call.match_int("part")
    part = call.params.files.get("part_content")
    if part is None:
        raise ApiError(400, "Missing required parameter 'part_content'")
    if not 1 <= number <= upload.num_parts:
        raise ApiError(400, f"Invalid part number {number}")
    expected = min(upload.part_size, upload.file_size - (number - 1) * upload.part_size)
    if len(part.data) != expected:
        raise ApiError(400, f"Part {number} must be {expected} bytes, got {len(part.data)}")
    upload.parts[number] = part.data
    return v2_item(call.request, {"data": {"part_number": number, "ok": True}})


def complete(call: Call) -> web.Response:
    upload = _pending(call.state, call.match("key"))
    missing = [n for n in range(1, upload.num_parts + 1) if n not in upload.parts]
    if missing:
        raise ApiError(400, f"Parts missing before completion: {missing}")
    upload.completed = True
    return v2_item(call.request, {"data": {"upload_key": call.match("key"), "ok": True}})


ROUTES = [
    Route("GET", "/multipart/settings", settings, versions=(2,)),
    Route("POST", "/multipart", start, versions=(2,)),
    Route("POST", "/multipart/{key:[0-9a-f]+}/{part:\\d+}", put_part, versions=(2,)),
    Route("POST", "/multipart/{key:[0-9a-f]+}", complete, versions=(2,)),
]
