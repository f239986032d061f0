"""The LAN API (aiohttp): routing, middleware (errors, sizes, metrics) and the shared request helpers."""

from __future__ import annotations

import json
import logging
import time
from typing import TYPE_CHECKING, Any, TypeVar

from aiohttp import web
from pydantic import BaseModel, ValidationError

from branch.api_errors import ApiError, error_response
from branch.auth import Principal

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
    raw = await request.read()
    if not raw.strip():
        if optional:
            return model()
        raise ApiError(400, "body_required", "this request needs a JSON body")
    if request.content_type not in ("application/json", "application/octet-stream", ""):
        raise ApiError(415, "unsupported_media_type", "send the body as application/json")
    try:
        data = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as err:
        raise ApiError(400, "invalid_json", f"the body is not valid JSON: {err}") from None
    if not isinstance(data, dict):
        raise ApiError(422, "invalid_body", "the body must be a JSON object")
    try:
        return model.model_validate(data)
    except ValidationError as err:
        fields = [{"field": ".".join(str(p) for p in e["loc"]) or "(body)", "problem": e["msg"]}
                  for e in err.errors(include_url=False)]
        raise ApiError(422, "invalid_body", "the body has invalid fields", fields=fields) from None


def json_response(body: Any, status: int = 200, replayed: bool = False) -> web.Response:
    headers = {"Idempotent-Replayed": "true"} if replayed else None
    return web.json_response(body, status=status, headers=headers,
                             dumps=lambda v: json.dumps(v, ensure_ascii=False, separators=(",", ":")))


@web.middleware
async def errors_middleware(request: web.Request, handler):
    """Every failure becomes a JSON error; only unexpected ones are logged with a traceback (once, here)."""
    node = node_of(request)
    started = time.perf_counter()
    route = request.match_info.route.resource.canonical if request.match_info.route.resource else "unmatched"
    status = 500
    try:
        response = await handler(request)
        status = response.status
        return response
    except ApiError as err:
        status = err.status
        return err.response()
    except web.HTTPRequestEntityTooLarge:
        status = 413
        return error_response(413, "body_too_large", f"the body exceeds {node.config.node.max_body_bytes} bytes")
    except web.HTTPNotFound:
        status = 404
        return error_response(404, "not_found", f"no such endpoint: {request.path}")
    except web.HTTPMethodNotAllowed as err:
        status = 405
        return error_response(405, "method_not_allowed", f"{request.method} is not allowed here",
                              {"allowed": sorted(err.allowed_methods)})
    except web.HTTPException as err:
        status = err.status
        return error_response(err.status, "http_error", err.reason)
    except (ConnectionResetError, TimeoutError):
        status = 499
        raise
    except Exception:
        log.exception("unexpected error handling %s %s", request.method, request.path)
        return error_response(500, "internal_error", "the node failed to handle this request; see its log")
    finally:
        node.metrics.inc("sq_http_requests_total", route=route, status=str(status))
        node.metrics.observe("sq_http_request_seconds", time.perf_counter() - started, route=route)


def build_app(node: BranchNode) -> web.Application:
    from branch import handlers, openapi, stream

    app = web.Application(middlewares=[errors_middleware], client_max_size=node.config.node.max_body_bytes)
    app[NODE] = node
    r = app.router
    r.add_get("/api/v1/health", handlers.health)
    r.add_get("/api/v1/openapi.json", openapi.document)
    r.add_get("/metrics", handlers.prometheus)
    r.add_get("/api/v1/services", handlers.services)
    r.add_post("/api/v1/tickets", handlers.issue_ticket)
    r.add_get("/api/v1/tickets/{id}", handlers.get_ticket)
    r.add_post("/api/v1/tickets/{id}/cancel", handlers.cancel_ticket)
    r.add_get("/api/v1/state", handlers.state)
    r.add_get("/api/v1/events", stream.events)
    r.add_post("/api/v1/agents/login", handlers.agent_login)
    r.add_post("/api/v1/agents/logout", handlers.agent_logout)
    r.add_get("/api/v1/counters/{id}", handlers.get_counter)
    r.add_post("/api/v1/counters/{id}/{action}", handlers.counter_action)
    r.add_post("/api/v1/pairing/codes", handlers.create_pairing_code)
    r.add_post("/api/v1/pairing", handlers.pair)
    r.add_get("/api/v1/devices", handlers.list_devices)
    r.add_get("/api/v1/whoami", handlers.whoami)
    r.add_post("/api/v1/devices/{id}/status", handlers.device_status)
    r.add_get("/api/v1/metrics/daily", handlers.daily_metrics)
    r.add_post("/api/v1/displays/ack", handlers.display_ack)
    from branch import staff

    staff.add_routes(r, node)
    return app
