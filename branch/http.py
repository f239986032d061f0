"""What every LAN API handler shares: the node from the app, the caller's principal, JSON bodies and answers.

Handlers, the event stream and the OpenAPI document import this module, never `branch.server` (which imports
them to build the routes) nor `branch.node` (which builds the server): that is what keeps the node free of cycles.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
from typing import TYPE_CHECKING, Any, TypeVar

from aiohttp import web
from pydantic import BaseModel, ValidationError

from branch.api_errors import ApiError
from branch.auth import Principal
from branch.store import canonical

if TYPE_CHECKING:
    from branch.node import BranchNode

log = logging.getLogger(__name__)
B = TypeVar("B", bound=BaseModel)
NODE = web.AppKey("node", object)


def node_of(request: web.Request) -> BranchNode:
    return request.app[NODE]  # type: ignore[return-value]


def principal_of(request: web.Request) -> Principal:
    node = node_of(request)
    return node.auth.authenticate(request, node.core.state, node.now_ms())


async def body_of(request: web.Request, model: type[B], *, optional: bool = False) -> B:
    """Parse and validate a JSON body; 400 for bad JSON, 422 naming each bad field, 415 for other types."""
    raw = await read_body(request)
    if not raw.strip():
        if optional:
            return model()
        raise ApiError(400, "body_required", "this request needs a JSON body")
    if request.content_type not in ("application/json", "application/octet-stream", ""):
        raise ApiError(415, "unsupported_media_type", "send the body as application/json")
    data = parse_json(raw)
    if not isinstance(data, dict):
        raise ApiError(422, "invalid_body", "the body must be a JSON object")
    try:
        return model.model_validate(data)
    except ValidationError as err:
        fields = [{"field": ".".join(str(p) for p in e["loc"]) or "(body)", "problem": e["msg"]}
                  for e in err.errors(include_url=False)]
        raise ApiError(422, "invalid_body", "the body has invalid fields", fields=fields) from None


MAX_JSON_DEPTH = 32


def json_depth(raw: bytes) -> int:
    """How deeply arrays and objects nest in `raw` (brackets inside strings do not count). Cheap when the body
    has few brackets, which every valid request body has."""
    if raw.count(b"[") + raw.count(b"{") <= MAX_JSON_DEPTH:
        return 0
    depth = deepest = 0
    in_string = escaped = False
    for byte in raw:
        if in_string:
            if escaped:
                escaped = False
            elif byte == 0x5C:  # backslash
                escaped = True
            elif byte == 0x22:  # closing quote
                in_string = False
        elif byte == 0x22:
            in_string = True
        elif byte in (0x5B, 0x7B):  # [ {
            depth += 1
            deepest = max(deepest, depth)
        elif byte in (0x5D, 0x7D):
            depth -= 1
    return deepest


def parse_json(raw: bytes) -> Any:
    """The decoded body; 400 for bad JSON and for nesting deeper than any request needs (Python's parser would
    otherwise recurse until RecursionError, a 500)."""
    if json_depth(raw) > MAX_JSON_DEPTH:
        raise ApiError(400, "json_too_deep", f"the body nests arrays or objects more than {MAX_JSON_DEPTH} deep")
    try:
        return json.loads(raw)
    except (ValueError, UnicodeDecodeError) as err:
        raise ApiError(400, "invalid_json", f"the body is not valid JSON: {err}") from None
    except RecursionError:
        raise ApiError(400, "json_too_deep", "the body nests arrays or objects too deeply") from None


async def read_body(request: web.Request) -> bytes:
    """The body, within the node's body timeout (a client trickling bytes holds no connection for long)."""
    try:
        return await asyncio.wait_for(request.read(), node_of(request).config.node.body_timeout_s)
    except TimeoutError:
        raise ApiError(408, "body_timeout", "the request body did not arrive in time") from None


def json_response(body: Any, status: int = 200, replayed: bool = False) -> web.Response:
    headers = {"Idempotent-Replayed": "true"} if replayed else None
    return web.json_response(body, status=status, headers=headers,
                             dumps=lambda v: json.dumps(v, ensure_ascii=False, separators=(",", ":")))



def request_digest(method: str, path: str, body: bytes) -> str:
    """What an Idempotency-Key is bound to: the same key with another request is refused (422)."""
    return hashlib.sha256(canonical([method, path, body.decode("utf-8", "replace")]).encode()).hexdigest()
