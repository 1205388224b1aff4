"""Document versions and content download (reference §5.4).

A new version of an official record or of anything under hold is refused by the
repository (`ensure_mutable`), like every other change an RM system forbids.
"""

from __future__ import annotations

from urllib.parse import quote

from aiohttp import web

from sandbox.otcs.context import Call, Route
from sandbox.otcs.nodes import apply_roles, properties, uploaded_file, version_info
from sandbox.otcs.repository import DOCUMENT, Node, Version
from sandbox.otcs.transport import NO_ACCESS, ApiError, json_response, v2_item


def _document(call: Call, status: int) -> Node:
    node = call.node(status)
    if node.type != DOCUMENT:
        raise ApiError(400, f"The node {node.id} has no versions")
    return node


def add_version(call: Call) -> web.Response:
    node = _document(call, status=400)
    upload = uploaded_file(call)
    if upload is None:
        raise ApiError(400, "Missing required parameter 'File'")
    version = call.repo.add_version(node, upload, call.params.text("description"))
    apply_roles(call, node)
    if call.version == 1:
        return json_response({"id": node.id, "version_number": version.number})
    return v2_item(
        call.request,
        {
            "data": {
                "properties": properties(call.repo, node),
                "versions": version_info(node, version),
            }
        },
    )


def list_versions(call: Call) -> web.Response:
    node = _document(call, status=500)
    with call.repo.lock:
        infos = [version_info(node, v) for v in node.versions]
    if call.version == 1:
        return json_response({"data": infos})
    return json_response({"links": {}, "results": [{"data": {"versions": i}} for i in infos]})


def _version(call: Call, node: Node) -> Version:
    number = call.match("number")
    if number == "latest":
        assert node.latest is not None
        return node.latest
    index = int(number)
    if not 1 <= index <= len(node.versions):
        raise ApiError(400, f"Version {number} of node {node.id} does not exist")
    return node.versions[index - 1]


def get_version(call: Call) -> web.Response:
    node = _document(call, status=400)
    info = version_info(node, _version(call, node))
    if call.version == 1:
        return json_response({"data": info})
    return v2_item(call.request, {"data": {"versions": info}})


def content(call: Call) -> web.Response:
    try:
        node = call.node()
    except ApiError:
        raise ApiError(500, NO_ACCESS) from None
    if node.latest is None:
        raise ApiError(500, NO_ACCESS)
    version = _version(call, node) if "number" in call.request.match_info else node.latest
    download = call.params.text("action") == "download"
    mime = "application/octet-stream" if download else version.mime_type
    ascii_name = version.file_name.encode("ascii", "replace").decode().replace('"', "")
    disposition = (
        f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(version.file_name)}"
    )
    return web.Response(
        body=version.data,
        headers={"Content-Type": mime, "Content-Disposition": disposition},
    )


NODE = "/nodes/{id:\\d+}"
VERSION = NODE + "/versions/{number:latest|\\d+}"
ROUTES = [
    Route("GET", NODE + "/versions", list_versions),
    Route("POST", NODE + "/versions", add_version),
    Route("GET", VERSION, get_version),
    Route("GET", NODE + "/content", content),
    Route("GET", NODE + "/content/{filename}", content),
    Route("GET", VERSION + "/content", content),
    Route("GET", VERSION + "/content/{filename}", content),
]
