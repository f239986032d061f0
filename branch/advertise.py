"""Zeroconf advertisement of the node: `_smartqueue._tcp.local.` with branch, node id, role, term, API version.

Discovery only: a crashed node stays listed for minutes, so clients confirm with /api/v1/health.
This is the only module of the node that imports zeroconf.
"""

from __future__ import annotations

import logging
import socket

from zeroconf import IPVersion
from zeroconf.asyncio import AsyncServiceInfo, AsyncZeroconf

from nodeclient.discovery import SERVICE_TYPE

log = logging.getLogger(__name__)


def _addresses(host: str, interfaces: list[str]) -> list[str]:
    if interfaces:
        return interfaces
    if host not in ("0.0.0.0", "", "::"):
        return [host]
    try:
        return sorted({info[4][0] for info in socket.getaddrinfo(socket.gethostname(), None, socket.AF_INET)})
    except OSError:
        return ["127.0.0.1"]


class Advertiser:
    """One node's mDNS record. Given plain values, so it depends on nothing else of the node."""

    def __init__(self, *, branch_id: str, node_id: str, port: int, host: str, interfaces: list[str],
                 role: str, term: int, tls: bool = False) -> None:
        self.branch_id, self.node_id, self.port = branch_id, node_id, port
        self.interfaces = interfaces
        self.addresses = _addresses(host, interfaces)
        self.role, self.term = role, term
        self.tls = tls
        self._zc: AsyncZeroconf | None = None
        self._info: AsyncServiceInfo | None = None

    def _properties(self, role: str, term: int) -> dict[str, str]:
        return {"branch": self.branch_id, "node": self.node_id, "role": role, "term": str(term), "api": "1",
                "scheme": "https" if self.tls else "http"}

    async def start(self) -> None:
        self._zc = AsyncZeroconf(interfaces=self.interfaces or self.addresses, ip_version=IPVersion.V4Only)
        name = f"{self.branch_id}-{self.node_id}.{SERVICE_TYPE}"
        self._info = AsyncServiceInfo(
            SERVICE_TYPE, name, port=self.port, properties=self._properties(self.role, self.term),
            parsed_addresses=self.addresses, server=f"{self.node_id}.local.")
        # register returns a task: await it too, or closing would cancel the announcement
        await (await self._zc.async_register_service(self._info))
        log.info("advertised %s on %s", name, self.addresses)

    async def update(self, role: str, term: int) -> None:
        self.role, self.term = role, term
        if self._zc is None or self._info is None:
            return
        self._info = AsyncServiceInfo(
            SERVICE_TYPE, self._info.name, port=self.port, properties=self._properties(role, term),
            parsed_addresses=self.addresses, server=self._info.server)
        await (await self._zc.async_update_service(self._info))

    async def stop(self) -> None:
        if self._zc is None:
            return
        if self._info is not None:
            await (await self._zc.async_unregister_service(self._info))  # goodbye packets, awaited
        await self._zc.async_close()
        self._zc = None
