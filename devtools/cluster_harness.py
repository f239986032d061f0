"""Cluster node processes on loopback (or inside network namespaces): configs, start, kill, stop, leader lookup."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import requests

from nodeclient.client import NodeClient
from nodeclient.discovery import StaticDiscovery

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "config" / "examples" / "node.toml"
SECRET = "test-cluster-secret-0123456789"
TIMINGS = {"election_timeout_min_s": 0.6, "election_timeout_max_s": 1.2, "heartbeat_s": 0.1,
           "leader_fallback_s": 1.2, "connection_timeout_s": 1.5, "connection_retry_s": 0.3}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def branch_text(**node_keys) -> str:
    text = EXAMPLE.read_text(encoding="utf-8")
    extra = "".join(f"{k} = {v}\n" for k, v in node_keys.items())
    return text.replace("ticket_rate_per_minute = 30\n", "ticket_rate_per_minute = 6000\nticket_burst = 1000\n" + extra)


def toml_value(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return f'"{value}"'
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    return str(value)


@dataclass
class Member:
    name: str
    host: str
    api_port: int
    raft_port: int
    data: Path
    config: Path
    process: subprocess.Popen | None = None
    netns: str | None = None
    disk: Path | None = None  # with a power-cut layer: what survives; `data` is then its lazyfs mount
    fs: subprocess.Popen | None = None
    ca_file: Path | None = None  # set when the member serves HTTPS: the branch CA a paired device pins

    @property
    def url(self) -> str:
        return f"{'https' if self.ca_file else 'http'}://{self.host}:{self.api_port}"

    @property
    def verify(self) -> str | bool:
        return str(self.ca_file) if self.ca_file else True

    @property
    def raft(self) -> str:
        return f"{self.host}:{self.raft_port}"

    def health(self, timeout: float = 0.5) -> dict | None:
        try:
            return requests.get(self.url + "/api/v1/health", timeout=timeout, verify=self.verify).json()
        except (requests.RequestException, ValueError):
            return None

    @property
    def db(self) -> Path:
        return self.data / "branch.sqlite3"


@dataclass
class Cluster:
    root: Path
    members: list[Member]
    token: str = ""
    clients: list[NodeClient] = field(default_factory=list)
    ca_file: Path | None = None  # HTTPS: the branch CA (derived from the cluster secret) devices pin

    # -- processes -------------------------------------------------------------------------------------------

    def start(self, member: Member, wait: bool = True) -> None:
        log = open(self.root / f"{member.name}.log", "ab")  # noqa: SIM115 - kept open for the process
        argv = [sys.executable, "-m", "smartqueue", "node", "--config", str(member.config), "--data-dir",
                str(member.data), "--host", member.host, "--port", str(member.api_port), "--no-advertise"]
        if member.netns:
            argv = ["ip", "netns", "exec", member.netns, *argv]
        member.process = subprocess.Popen(argv, cwd=ROOT, stdout=log, stderr=log,
                                          env={**os.environ, "PYTHONUNBUFFERED": "1"})
        log.close()
        if wait:
            deadline = time.monotonic() + 20
            while time.monotonic() < deadline:
                if member.health() is not None:
                    return
                if member.process.poll() is not None:
                    raise AssertionError(f"{member.name} exited: {(self.root / f'{member.name}.log').read_text()}")
                time.sleep(0.05)
            raise AssertionError(f"{member.name} did not start")

    def start_all(self, timeout: float = 20) -> None:
        for member in self.members:
            self.start(member, wait=False)
        for member in self.members:
            deadline = time.monotonic() + timeout
            while member.health() is None:
                if member.process is not None and member.process.poll() is not None:
                    raise AssertionError(f"{member.name} exited ({member.process.returncode}): "
                                         f"{(self.root / f'{member.name}.log').read_text()[-3000:]}")
                assert time.monotonic() < deadline, f"{member.name} did not start within {timeout:.0f} s"
                time.sleep(0.05)

    def kill(self, member: Member) -> None:
        if member.process is not None and member.process.poll() is None:
            member.process.send_signal(signal.SIGKILL)
            member.process.wait(10)
        member.process = None

    def stop(self, member: Member) -> None:
        if member.process is not None and member.process.poll() is None:
            member.process.send_signal(signal.SIGCONT)
            member.process.terminate()
            try:
                member.process.wait(15)
            except subprocess.TimeoutExpired:
                member.process.kill()
                member.process.wait(5)
        member.process = None

    def freeze(self, member: Member) -> None:
        member.process.send_signal(signal.SIGSTOP)

    def thaw(self, member: Member) -> None:
        member.process.send_signal(signal.SIGCONT)

    def close(self) -> None:
        for client in self.clients:
            client.close()
        for member in self.members:
            with contextlib.suppress(Exception):
                self.stop(member)
        for member in self.members:
            with contextlib.suppress(Exception):
                self.unmount(member)

    # -- power cuts (devtools/lazyfs.py under each member's data dir) --------------------------------------------

    def mount(self, member: Member) -> None:
        """Mount the member's data dir through lazyfs: writes stay in memory until fsynced."""
        assert member.disk is not None and member.fs is None
        member.disk.mkdir(parents=True, exist_ok=True)
        member.data.mkdir(parents=True, exist_ok=True)
        log = open(self.root / f"{member.name}.fs.log", "ab")  # noqa: SIM115 - kept open for the process
        member.fs = subprocess.Popen([sys.executable, "-m", "devtools.lazyfs", str(member.disk), str(member.data)],
                                     cwd=ROOT, stdout=log, stderr=log)
        log.close()
        deadline = time.monotonic() + 10
        while not is_mounted(member.data):
            if member.fs.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"lazyfs did not mount {member.data}: "
                                     f"{(self.root / f'{member.name}.fs.log').read_text()}")
            time.sleep(0.02)

    def unmount(self, member: Member) -> None:
        if member.fs is not None:
            if member.fs.poll() is None:
                member.fs.kill()
            member.fs.wait(10)
            member.fs = None
        if member.disk is not None and is_mounted(member.data):
            subprocess.run(["umount", "-l", str(member.data)], check=False, capture_output=True)

    def cut_power(self, members: list[Member] | None = None) -> None:
        """Every member loses power at the same instant: frozen, then its unsynced writes dropped, then gone."""
        members = members or self.members
        for member in members:
            if member.process is not None and member.process.poll() is None:
                member.process.send_signal(signal.SIGSTOP)
        for member in members:
            if member.fs is not None and member.fs.poll() is None:
                member.fs.kill()  # the page cache (lazyfs's memory) is gone: only what was fsynced remains
        for member in members:
            self.kill(member)
            self.unmount(member)

    def running(self) -> list[Member]:
        return [m for m in self.members if m.process is not None and m.process.poll() is None]

    # -- cluster state ----------------------------------------------------------------------------------------

    def leader(self, among: list[Member] | None = None, timeout: float = 15.0) -> Member:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for member in among or self.running():
                health = member.health()
                if health and health.get("role") == "leader" and health.get("cluster", {}).get("has_quorum"):
                    return member
            time.sleep(0.05)
        raise AssertionError("no leader elected")

    def client(self, **kwargs) -> NodeClient:
        options = {"timeout": 2.0, "retries": 12, "backoff": 0.1, **kwargs}
        client = NodeClient(self.token, discovery=StaticDiscovery([m.url for m in self.members], "BR042"),
                            ca_file=str(self.ca_file) if self.ca_file else None, **options)
        self.clients.append(client)
        return client

    def issue_token(self, member: Member, role: str = "kiosk", device_id: str = "kiosk-1", **extra) -> str:
        argv = ["node", "token", "--config", str(member.config), "--data-dir", str(member.data), "--role", role,
                "--device-id", device_id]
        for key, value in extra.items():
            argv += [f"--{key}", value]
        result = smartqueue(*argv)
        assert result.returncode == 0, result.stderr
        return result.stdout.strip()

    def start_serving(self) -> Member:
        """The usual opening: a kiosk token on the first member, every member started, a leader elected and the
        token accepted everywhere; the leader."""
        self.token = self.issue_token(self.members[0])
        self.start_all()
        leader = self.leader()
        self.wait_token_everywhere(self.token)
        return leader

    def wait_token_everywhere(self, token: str, members: list[Member] | None = None, timeout: float = 20) -> None:
        deadline = time.monotonic() + timeout
        for member in members or self.running():
            while True:
                try:
                    status = requests.get(member.url + "/api/v1/services", timeout=1, verify=member.verify,
                                          headers={"Authorization": f"Bearer {token}"}).status_code
                except requests.RequestException:
                    status = 0
                if status == 200:
                    break
                assert time.monotonic() < deadline, f"token not replicated to {member.name} ({status})"
                time.sleep(0.1)

    def wait_converged(self, members: list[Member] | None = None, timeout: float = 30) -> int:
        """Every member at the same seq and last hash (read from their health and databases)."""
        members = members or self.running()
        deadline = time.monotonic() + timeout
        last = None
        while time.monotonic() < deadline:
            heads = [last_event(m.db) for m in members]
            if len(set(heads)) == 1:
                return heads[0][0]
            last = heads
            time.sleep(0.1)
        raise AssertionError(f"members did not converge: {last}")


def is_mounted(path: Path) -> bool:
    target = str(path.resolve())
    with open("/proc/mounts", encoding="utf-8") as mounts:
        return any(line.split()[1] == target for line in mounts)


def last_event(db: Path) -> tuple[int, str]:
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5)
    try:
        row = conn.execute("SELECT seq, hash FROM events ORDER BY seq DESC LIMIT 1").fetchone()
        return (row[0], row[1]) if row else (0, "")
    finally:
        conn.close()


def chain(db: Path) -> list[tuple[int, str, str]]:
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5)
    try:
        return conn.execute("SELECT seq, id, hash FROM events ORDER BY seq").fetchall()
    finally:
        conn.close()


def tickets(db: Path) -> dict[str, str]:
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5)
    try:
        return dict(conn.execute("SELECT id, number FROM tickets").fetchall())
    finally:
        conn.close()


def smartqueue(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "smartqueue", *args], capture_output=True, text=True, cwd=ROOT,
                          timeout=60)


def make_cluster(root: Path, n: int = 3, hosts: list[str] | None = None, node_keys: dict | None = None,
                 cluster_keys: dict | None = None, power_cuts: bool = False, tls: bool = False) -> Cluster:
    """`power_cuts`: each member's data dir is a lazyfs mount of `root/nX.disk` (mount them before starting).
    `tls`: every member serves HTTPS (`[node] tls = "on"`), and the harness and its clients pin the branch CA as a
    paired device does (`root/branch-ca/ca.pem`, made from the cluster secret like the members' own)."""
    hosts = hosts or ["127.0.0.1"] * n
    ca_file = branch_ca(root / "branch-ca") if tls else None
    members = []
    for i in range(n):
        data = root / f"n{i}"
        members.append(Member(f"n{i}", hosts[i], free_port(), free_port(), data, root / f"n{i}.toml",
                              disk=root / f"n{i}.disk" if power_cuts else None, ca_file=ca_file))
    keys = {**TIMINGS, **(cluster_keys or {})}
    for member in members:
        peers = [m.raft for m in members if m is not member]
        # members in network namespaces listen beyond loopback, where the node would serve HTTPS: unless `tls`,
        # the harness speaks plain HTTP to them (TLS itself is tested in tests/branch/test_tls.py)
        write_member_config(member, peers, keys, {"tls": '"on"' if tls else '"off"', **(node_keys or {})})
    return Cluster(root, members, ca_file=ca_file)


def branch_ca(folder: Path) -> Path:
    """The branch CA's certificate as a device learns it at pairing: same key as every member's (derived from the
    cluster secret, branch.tls), so a device pinning it trusts whichever member leads."""
    from branch.tls import BranchTLS

    BranchTLS(folder, SECRET.encode())
    return folder / "ca.pem"


def write_member_config(member: Member, peers: list[str], keys: dict, node_keys: dict) -> None:
    lines = ["", "[cluster]", f'self_address = "{member.raft}"', f"peers = {toml_value(peers)}",
             f'secret = "{SECRET}"', f'api_url = "{member.url}"']
    lines += [f"{k} = {toml_value(v)}" for k, v in keys.items()]
    member.config.write_text(branch_text(**node_keys) + "\n".join(lines) + "\n", encoding="utf-8")


def new_key() -> str:
    return str(uuid.uuid4())
