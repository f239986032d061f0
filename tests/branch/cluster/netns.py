"""Network namespaces joined by veth pairs to one bridge, so a member can be cut off (`ip link set ... down`).

Needs root (CAP_NET_ADMIN) and iproute2; `available()` says why not otherwise, and the tests skip with that reason.
Everything is created with unique names and removed by `teardown()`.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys


def _ip(*args: str, check: bool = True) -> subprocess.CompletedProcess:
    return subprocess.run(["ip", *args], capture_output=True, text=True, check=check, timeout=10)


def _free_subnet(prefix: str, start: int) -> str:
    """A /24 no interface of this host uses: parallel runs, or bridges a killed run left behind, would take the
    route to a shared subnet and make members unreachable. The search starts at a place set by our pid."""
    used = _ip("-br", "addr").stdout
    for offset in range(250):
        subnet = f"{prefix}.{(start + offset) % 250 + 1}"
        if f" {subnet}." not in used:
            return subnet
    raise RuntimeError(f"no free {prefix}.x/24 subnet on this host")


class Net:
    _made = 0  # networks made by this process: each gets its own subnet

    def __init__(self, count: int, subnet: str | None = None) -> None:
        """`subnet` (three octets) defaults to a free one, searched from a place set by this process and network:
        test runs sharing a machine (or a bridge a killed run left behind) must not answer for each other's
        addresses."""
        tag = f"{os.getpid() % 100000}"
        Net._made += 1
        subnet = subnet or _free_subnet(f"10.{100 + (os.getpid() // 250) % 100}", os.getpid() + Net._made)
        self.bridge = f"sqbr{tag}"
        self.namespaces = [f"sqn{tag}-{i}" for i in range(count)]
        self.host_ends = [f"sqv{tag}{i}" for i in range(count)]
        self.addresses = [f"{subnet}.{i + 1}" for i in range(count)]
        self.gateway = f"{subnet}.254"
        self.created = False

    @staticmethod
    def available() -> str | None:
        if shutil.which("ip") is None:
            return "iproute2 (`ip`) is not installed"
        if os.geteuid() != 0:
            return "creating network namespaces and veth pairs needs root"
        probe = f"sqprobe{os.getpid() % 100000}"
        result = _ip("netns", "add", probe, check=False)
        if result.returncode != 0:
            return f"cannot create a network namespace: {result.stderr.strip()}"
        _ip("netns", "del", probe, check=False)
        return None

    def setup(self) -> None:
        self.created = True
        _ip("link", "add", self.bridge, "type", "bridge")
        _ip("addr", "add", f"{self.gateway}/24", "dev", self.bridge)
        _ip("link", "set", self.bridge, "up")
        for ns, host_end, address in zip(self.namespaces, self.host_ends, self.addresses, strict=True):
            _ip("netns", "add", ns)
            _ip("link", "add", host_end, "type", "veth", "peer", "name", "eth0", "netns", ns)
            _ip("link", "set", host_end, "master", self.bridge)
            _ip("link", "set", host_end, "up")
            _ip("-n", ns, "addr", "add", f"{address}/24", "dev", "eth0")
            _ip("-n", ns, "link", "set", "eth0", "up")
            _ip("-n", ns, "link", "set", "lo", "up")

    def cut(self, index: int) -> None:
        _ip("link", "set", self.host_ends[index], "down")

    def heal(self, index: int) -> None:
        _ip("link", "set", self.host_ends[index], "up")

    def run_in(self, index: int, code: str, timeout: float = 30) -> subprocess.CompletedProcess:
        return subprocess.run(["ip", "netns", "exec", self.namespaces[index], sys.executable, "-c", code],
                              capture_output=True, text=True, timeout=timeout)

    def teardown(self) -> None:
        if not self.created:
            return
        for ns, host_end in zip(self.namespaces, self.host_ends, strict=True):
            _ip("link", "del", host_end, check=False)
            _ip("netns", "del", ns, check=False)
        _ip("link", "del", self.bridge, check=False)
