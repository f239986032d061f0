"""Finding a branch's node on the LAN with zeroconf (`_smartqueue._tcp.local.`), keyed by node id, not IP.

Candidates only: liveness is confirmed with /api/v1/health by the client, never inferred from mDNS.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass

from zeroconf import IPVersion, ServiceBrowser, ServiceListener, Zeroconf

SERVICE_TYPE = "_smartqueue._tcp.local."

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Candidate:
    node_id: str
    url: str
    role: str
    term: int


class _Listener(ServiceListener):
    def __init__(self, owner: ZeroconfDiscovery) -> None:
        self.owner = owner

    def add_service(self, zc: Zeroconf, type_: str, name: str) -> None:
        self.owner._resolve(zc, type_, name)

    def update_service(self, zc: Zeroconf, type_: str, name: str) -> None:
        self.owner._resolve(zc, type_, name)

    def remove_service(self, zc: Zeroconf, type_: str, name: str) -> None:
        self.owner._forget(name)


class ZeroconfDiscovery:
    """Browses continuously once started; `candidates()` lists this branch's nodes, the leader first."""

    def __init__(self, branch_id: str, interfaces: list[str] | None = None) -> None:
        self.branch_id = branch_id
        self.interfaces = interfaces
        self._by_name: dict[str, Candidate] = {}
        self._lock = threading.Lock()
        self._changed = threading.Condition(self._lock)
        self._zc: Zeroconf | None = None
        self._browser: ServiceBrowser | None = None
        self._closed = False

    def start(self) -> None:
        kwargs = {"interfaces": self.interfaces} if self.interfaces else {}
        self._zc = Zeroconf(ip_version=IPVersion.V4Only, **kwargs)
        self._browser = ServiceBrowser(self._zc, SERVICE_TYPE, listener=_Listener(self))

    def close(self) -> None:
        with self._changed:  # a caller waiting for a node gets its answer (none) now, not after its timeout
            self._closed = True
            self._changed.notify_all()
        if self._browser is not None:
            self._browser.cancel()
        if self._zc is not None:
            self._zc.close()
        self._zc = self._browser = None

    def _resolve(self, zc: Zeroconf, type_: str, name: str) -> None:
        info = zc.get_service_info(type_, name, timeout=2000)
        if info is None:
            return
        props = {k.decode(errors="replace"): (v or b"").decode(errors="replace") for k, v in info.properties.items()}
        if props.get("branch") != self.branch_id or not info.parsed_addresses():
            return
        try:
            term = int(props.get("term", "0"))
        except ValueError:
            term = 0
        scheme = "https" if props.get("scheme") == "https" else "http"  # the node says whether it speaks TLS
        candidate = Candidate(props.get("node", name), f"{scheme}://{info.parsed_addresses()[0]}:{info.port}",
                              props.get("role", "unknown"), term)
        with self._changed:
            self._by_name[name] = candidate
            self._changed.notify_all()
        log.info("found node %s at %s (%s, term %s)", candidate.node_id, candidate.url, candidate.role, term)

    def _forget(self, name: str) -> None:
        with self._lock:
            self._by_name.pop(name, None)

    def candidates(self) -> list[Candidate]:
        with self._lock:
            found = list(self._by_name.values())
        return sorted(found, key=lambda c: (c.role != "leader", -c.term, c.node_id))

    def wait(self, timeout: float) -> list[Candidate]:
        """Candidates, waiting up to `timeout` for the first one to appear."""
        with self._changed:
            self._changed.wait_for(lambda: bool(self._by_name) or self._closed, timeout=timeout)
        return self.candidates()


# -- a fixed list of node URLs (a site without multicast, a config listing its nodes, tests and benches) ----------


@dataclass(frozen=True, slots=True)
class StaticCandidate:
    url: str
    node_id: str = ""
    role: str = ""


class StaticDiscovery:
    """`NodeClient(token, discovery=StaticDiscovery(urls, branch))`: the client asks each URL's /health for the
    leader, exactly as with zeroconf (liveness comes from the node answering, never from the list)."""

    def __init__(self, urls: list[str], branch_id: str) -> None:
        self.urls = [u.rstrip("/") for u in urls]
        self.branch_id = branch_id

    def wait(self, timeout: float) -> list[StaticCandidate]:
        return [StaticCandidate(url) for url in self.urls]

    def candidates(self) -> list[StaticCandidate]:
        return self.wait(0)

    def start(self) -> None:
        pass

    def close(self) -> None:
        pass
