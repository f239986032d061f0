"""A fixed list of node URLs standing in for zeroconf discovery (tests, benches, sites without multicast)."""

from __future__ import annotations

from dataclasses import dataclass


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
