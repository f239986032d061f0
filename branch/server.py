"""The LAN API (aiohttp): routing and middleware (errors, sizes, metrics, writes only where the port allows)."""

from __future__ import annotations

import logging
import time

from aiohttp import web

from branch import handlers, openapi, stream
from branch.api_errors import ApiError, error_response
from branch.context import NodeContext
from branch.request_io import NODE, node_of

log = logging.getLogger(__name__)
READ_METHODS = {"GET", "HEAD", "OPTIONS"}


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


@web.middleware
async def writes_middleware(request: web.Request, handler):
    """Refuse a write before reading its body when the command port says this node may not take one now
    (a cluster follower: 503 not_leader; no majority: 503 no_quorum). A single node always may."""
    if request.method not in READ_METHODS:
        node_of(request).commands.check_writable()
    return await handler(request)


def build_app(node: NodeContext) -> web.Application:
    app = web.Application(middlewares=[errors_middleware, writes_middleware],
                          client_max_size=node.config.node.max_body_bytes)
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
    return app
