"""The LAN API (aiohttp): routing and the error/metrics middleware. Shared request helpers: `branch.http`."""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import time

from aiohttp import web

from branch import handlers, openapi, staff, stream
from branch.advertise import Advertiser
from branch.api_errors import ApiError, error_response
from branch.connections import ConnectionGuard, GuardedSite
from branch.http import NODE, node_of
from branch.node import BranchNode
from branch.protocol_log import protocol_logger
from branch.tls import BranchTLS, local_addresses

log = logging.getLogger(__name__)


@web.middleware
async def errors_middleware(request: web.Request, handler):
    """Every failure becomes a JSON error; only unexpected ones are logged with a traceback (once, here)."""
    node = node_of(request)
    started = time.perf_counter()
    route = request.match_info.route.resource.canonical if request.match_info.route.resource else "unmatched"
    status = 500
    guard = request.app[GUARD]
    wait = guard.request_started(request)
    try:
        if wait > MAX_DELAY_S:
            raise ApiError(429, "rate_limited", "too many requests from this address; slow down",
                           headers={"Retry-After": str(max(1, round(wait)))})
        if wait:
            await asyncio.sleep(wait)
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
        allowed = sorted(err.allowed_methods)
        return error_response(405, "method_not_allowed", f"{request.method} is not allowed here",
                              {"allowed": allowed}, headers={"Allow": ", ".join(allowed)})
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
        guard.request_finished(request)
        node.metrics.inc("sq_http_requests_total", route=route, status=str(status))
        node.metrics.observe("sq_http_request_seconds", time.perf_counter() - started, route=route)


READ_METHODS = {"GET", "HEAD", "OPTIONS"}
MAX_DELAY_S = 2.0  # a request over its address's rate waits this long at most; beyond, 429


@web.middleware
async def writable_middleware(request: web.Request, handler):
    """Writes only where the command port takes them (a cluster's follower answers 503 with the leader's URL)."""
    if request.method not in READ_METHODS:
        node_of(request).commands.check_writable()
    return await handler(request)


GUARD = web.AppKey("guard", ConnectionGuard)


def build_app(node: BranchNode, guard: ConnectionGuard) -> web.Application:
    app = web.Application(middlewares=[errors_middleware, writable_middleware],
                          client_max_size=node.config.node.max_body_bytes)
    app[NODE] = node
    app[GUARD] = guard
    routes = app.router
    routes.add_get("/api/v1/health", handlers.health)
    routes.add_get("/api/v1/openapi.json", openapi.document)
    routes.add_get("/metrics", handlers.prometheus)
    routes.add_get("/api/v1/services", handlers.services)
    routes.add_post("/api/v1/tickets", handlers.issue_ticket)
    routes.add_get("/api/v1/tickets/{id}", handlers.get_ticket)
    routes.add_post("/api/v1/tickets/{id}/cancel", handlers.cancel_ticket)
    routes.add_get("/api/v1/state", handlers.state)
    routes.add_get("/api/v1/events", stream.events)
    routes.add_post("/api/v1/agents/login", handlers.agent_login)
    routes.add_post("/api/v1/agents/logout", handlers.agent_logout)
    routes.add_get("/api/v1/counters/{id}", handlers.get_counter)
    # not "agents": GET /counters/{id}/agents (staff.py) is a read, and its Allow header must not offer POST
    routes.add_post("/api/v1/counters/{id}/{action:(?!agents$)[^{}/]+}", handlers.counter_action)
    routes.add_post("/api/v1/pairing/codes", handlers.create_pairing_code)
    routes.add_post("/api/v1/pairing", handlers.pair)
    routes.add_get("/api/v1/devices", handlers.list_devices)
    routes.add_get("/api/v1/whoami", handlers.whoami)
    routes.add_get("/api/v1/devices/me/setup", handlers.device_setup)
    routes.add_delete("/api/v1/devices/me", handlers.retire_device)
    routes.add_post("/api/v1/devices/{id}/status", handlers.device_status)
    routes.add_get("/api/v1/metrics/daily", handlers.daily_metrics)
    routes.add_post("/api/v1/displays/ack", handlers.display_ack)
    staff.add_routes(routes, node)
    return app


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def uses_tls(setting: str, host: str) -> bool:
    """HTTPS unless switched off, or (auto) unless the node listens on loopback only (the demo, tests)."""
    return setting == "on" or (setting == "auto" and not is_loopback(host))


class NodeServer:
    """The node on the network: its HTTP API, its zeroconf record, and the node's own start and close around them."""

    def __init__(self, node: BranchNode) -> None:
        self.node = node
        self.port: int | None = None
        self.scheme = "http"
        self.guard: ConnectionGuard | None = None
        self._sweeper: asyncio.Task | None = None
        self.advertiser: Advertiser | None = None
        self._runner: web.AppRunner | None = None

    async def start(self, host: str, port: int, *, advertise: bool | None = None) -> int:
        node = self.node
        cfg = node.config.node
        self.guard = ConnectionGuard(per_client=cfg.max_connections_per_client, max_total=cfg.max_connections,
                                     header_timeout_s=cfg.header_timeout_s, idle_timeout_s=cfg.idle_timeout_s,
                                     requests_per_s=cfg.requests_per_second_per_client,
                                     request_burst=max(1, int(cfg.requests_per_second_per_client * 2)))
        self._runner = web.AppRunner(build_app(node, self.guard), access_log=None, handle_signals=False,
                                     shutdown_timeout=1.0, logger=protocol_logger(),
                                     keepalive_timeout=cfg.idle_timeout_s)
        await self._runner.setup()
        context = None
        if uses_tls(node.config.node.tls, host):
            node.tls = await asyncio.to_thread(BranchTLS, node.data_dir / "tls", node.tls_seed)
            hosts = local_addresses() if host in ("0.0.0.0", "", "::") else [host]
            await asyncio.to_thread(node.tls.issue_leaf, hosts)
            context = node.tls.server_context()
        elif not is_loopback(host):
            log.warning("serving the LAN API over plain HTTP on %s: PINs and tokens cross the network in clear", host)
        self.scheme = "https" if context is not None else "http"
        site = GuardedSite(self._runner, host, port, self.guard, reuse_address=True, ssl_context=context,
                           backlog=1024)
        await site.start()
        self._sweeper = asyncio.create_task(self.guard.run(), name="sq-connection-sweeper")
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        await node.start(self.port, self.scheme)
        if advertise if advertise is not None else node.config.node.advertise:
            leadership = node.health()
            self.advertiser = Advertiser(branch_id=node.setup.branch_id, node_id=node.node_id, port=self.port,
                                         host=host, interfaces=node.config.node.interfaces,
                                         role=leadership.get("role", "leader"), term=leadership.get("term", 0),
                                         tls=self.scheme == "https")
            await self.advertiser.start()
            node.commands.add_role_listener(self.advertiser.update)
        log.info("node %s of branch %s serving on %s://%s:%s%s", node.node_id, node.setup.branch_id, self.scheme, host,
                 self.port, f" (branch CA pin {node.tls.ca_pin})" if node.tls else "")
        return self.port

    async def stop(self) -> None:
        """Services first, then the zeroconf record, live streams and HTTP, then the node itself; one step failing
        never keeps the others from releasing what they hold."""
        node = self.node
        await node.services.stop()
        if self.advertiser is not None:
            try:
                await self.advertiser.stop()
            except Exception as err:
                log.error("withdrawing the zeroconf record failed: %r", err)
        node.hub.close_all()
        if self._sweeper is not None:
            self._sweeper.cancel()
        if self._runner is not None:
            try:
                await self._runner.cleanup()
            except Exception as err:
                log.error("closing the HTTP server failed: %r", err)
        await node.close()
