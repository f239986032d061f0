"""Shared helpers of the benches: bench configs, node / bare-server subprocesses, percentiles, the summary line.

Every server a bench talks to runs in its own process (`python -m smartqueue node ...` or `python -m bench._bare`),
so the client and the server never share a GIL, for the node and for its bare baseline alike.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import re
import select
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE_CONFIG = ROOT / "config" / "examples" / "node.toml"
PYTHON = sys.executable
SUMMARY_PREFIX = "BENCH-SUMMARY "
RATE_PER_MINUTE, BURST = 6000, 1000  # the schema's maxima: 100 tickets/s per device after a burst of 1000


# -- figures ------------------------------------------------------------------------------------------------------


def percentile(values: list[float], q: float) -> float:
    """Linear-interpolated percentile (q in 0..100), as numpy's default."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    pos = (len(ordered) - 1) * q / 100
    low = int(pos)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (pos - low)


def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def summary(bench: str, figure: str, baseline: str, target: str, ok: bool, **extra: Any) -> None:
    """The one machine-readable line `python -m bench` collects for its markdown table."""
    print(f"{bench}: {figure} | baseline {baseline} | target {target} | {verdict(ok)}")
    line = {"bench": bench, "figure": figure, "baseline": baseline, "target": target, "pass": ok, **extra}
    print(SUMMARY_PREFIX + json.dumps(line, ensure_ascii=False), flush=True)


def machine() -> str:
    debian = Path("/etc/debian_version")
    version = debian.read_text().strip() if debian.exists() else "?"
    return f"{os.cpu_count()} cores, Debian {version}, Python {sys.version.split()[0]}"


# -- configuration --------------------------------------------------------------------------------------------


def safe_day_start(timezone: str) -> str:
    """A `day_starts_at` 12 hours from now in the branch's zone: the business day cannot roll over during a bench."""
    later = dt.datetime.now(ZoneInfo(timezone)) + dt.timedelta(hours=12)
    return f"{later.hour:02d}:{later.minute:02d}"


def bench_config():
    """The example node config with the highest valid ticket rate and a day start far from now (in-process use)."""
    from config.loader import load_config

    config = load_config(EXAMPLE_CONFIG)
    return config.model_copy(update={
        "node": config.node.model_copy(update={"ticket_rate_per_minute": RATE_PER_MINUTE, "ticket_burst": BURST}),
        "branch": config.branch.model_copy(update={"day_starts_at": safe_day_start(config.branch.timezone)}),
    })


def write_bench_config(path: Path) -> Path:
    """The same as `bench_config`, as a TOML file for `smartqueue node --config` (checked by loading it back)."""
    from config.loader import load_config

    text = EXAMPLE_CONFIG.read_text(encoding="utf-8")
    timezone = load_config(EXAMPLE_CONFIG).branch.timezone
    text, n1 = re.subn(r"(?m)^ticket_rate_per_minute\s*=.*$",
                       f"ticket_rate_per_minute = {RATE_PER_MINUTE}\nticket_burst = {BURST}", text)
    text, n2 = re.subn(r"(?m)^day_starts_at\s*=.*$", f'day_starts_at = "{safe_day_start(timezone)}"', text)
    if (n1, n2) != (1, 1):
        raise RuntimeError(f"{EXAMPLE_CONFIG} changed shape: cannot derive the bench config")
    path.write_text(text, encoding="utf-8")
    loaded = load_config(path)
    assert loaded.node.ticket_rate_per_minute == RATE_PER_MINUTE and loaded.node.ticket_burst == BURST
    return path


# -- processes ------------------------------------------------------------------------------------------------


def _read_line(proc: subprocess.Popen, timeout: float, what: str) -> str:
    assert proc.stdout is not None
    ready, _, _ = select.select([proc.stdout], [], [], timeout)
    if not ready:
        raise RuntimeError(f"{what} did not start within {timeout} s")
    line = proc.stdout.readline().decode()
    if not line:
        raise RuntimeError(f"{what} exited with {proc.wait()} before it was ready")
    return line


def stop_process(proc: subprocess.Popen, timeout: float = 10) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)
    if proc.stdout is not None:
        proc.stdout.close()


def rss_kb(pid: int) -> tuple[int, int]:
    """(VmRSS, VmHWM) of a process in kB, from /proc/<pid>/status."""
    fields = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            fields[key] = int(value.split()[0])
    return fields["VmRSS"], fields["VmHWM"]


class NodeProcess:
    """`python -m smartqueue node` on loopback, on a fresh data dir, with device tokens registered beforehand."""

    def __init__(self, workdir: Path, *, kiosks: int = 1, keypads: tuple[str, ...] = ("1",),
                 env: dict[str, str] | None = None, prefill: int = 0) -> None:
        from branch.devices import register_device
        from branch.store import Store

        self.workdir = workdir
        self.data_dir = workdir / "node"
        self.config_path = write_bench_config(workdir / "node.toml")
        self.env = {**os.environ, **(env or {})}
        store = Store(self.data_dir / "branch.sqlite3")
        try:
            self.kiosk_tokens = [register_device(store, "kiosk", None, f"bench kiosk {i}")[1] for i in range(kiosks)]
            self.display_token = register_device(store, "display", None, "bench display")[1]
            self.keypad_tokens = {c: register_device(store, "keypad", c, f"bench keypad {c}")[1] for c in keypads}
            self.admin_token = register_device(store, "admin", None, "bench admin")[1]
            if prefill:
                _prefill(store, prefill)
        finally:
            store.close()
        self.proc: subprocess.Popen | None = None
        self.base = ""
        self._log = None

    def __enter__(self) -> NodeProcess:
        self._log = open(self.workdir / "node.log", "wb")
        self.proc = subprocess.Popen(
            [PYTHON, "-m", "smartqueue", "node", "--config", str(self.config_path), "--data-dir", str(self.data_dir),
             "--host", "127.0.0.1", "--port", "0", "--no-advertise"],
            cwd=ROOT, stdout=subprocess.PIPE, stderr=self._log, stdin=subprocess.DEVNULL, env=self.env)
        line = _read_line(self.proc, 60, "the node")
        match = re.search(r"http://127\.0\.0\.1:(\d+)", line)
        if not match:
            raise RuntimeError(f"unexpected node banner: {line!r}")
        self.base = f"http://127.0.0.1:{match.group(1)}"
        return self

    def __exit__(self, *exc: object) -> None:
        if self.proc is not None:
            stop_process(self.proc)
        if self._log is not None:
            self._log.close()

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    def log_tail(self, lines: int = 20) -> str:
        with contextlib.suppress(OSError):
            return "\n".join((self.workdir / "node.log").read_text(errors="replace").splitlines()[-lines:])
        return ""


def _prefill(store, tickets: int) -> None:
    """A long day already behind the node: `tickets` waiting tickets, written through the engine and the store."""
    import uuid

    from branch.core import BranchCore
    from branch.setup_build import build_setup
    from queue_engine import commands as cmd

    core = BranchCore(build_setup(bench_config()), store, 1000)
    now = int(time.time() * 1000)
    services = ("accounts", "cash", "loans")
    for i in range(tickets):
        prepared = core.prepare(cmd.IssueTicket(at_ms=now, ticket_id=uuid.uuid4().hex, service=services[i % 3]),
                                {"device": "prefill", "agent": None}, uuid.uuid4().hex)
        core.persist(prepared)


def metric(text: str, name: str) -> float:
    """A sample's value from a Prometheus exposition (the first series of that name)."""
    match = re.search(rf"(?m)^{re.escape(name)}(?:{{[^}}]*}})? ([0-9.e+-]+)$", text)
    return float(match.group(1)) if match else float("nan")


class BareServer:
    """`python -m bench._bare echo|sse`: the bare aiohttp baselines, in their own process."""

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self.proc: subprocess.Popen | None = None
        self.base = ""

    def __enter__(self) -> BareServer:
        self.proc = subprocess.Popen([PYTHON, "-m", "bench._bare", self.kind], cwd=ROOT, stdout=subprocess.PIPE,
                                     stdin=subprocess.DEVNULL)
        line = _read_line(self.proc, 30, f"the bare {self.kind} server")
        self.base = f"http://127.0.0.1:{int(line.split()[1])}"
        return self

    def __exit__(self, *exc: object) -> None:
        if self.proc is not None:
            stop_process(self.proc)

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid


class Subscribers:
    """`python -m bench._subscribers`: N SSE clients in one asyncio loop, in their own process."""

    def __init__(self, url: str, token: str | None, count: int, out: Path, *, mode: str, key: str = "",
                 expect: int = 0, timeout: float = 90) -> None:
        self.args = [PYTHON, "-m", "bench._subscribers", "--url", url, "--count", str(count), "--out", str(out),
                     "--mode", mode, "--key", key, "--expect", str(expect), "--timeout", str(timeout)]
        if token:
            self.args += ["--token", token]
        self.out = out
        self.proc: subprocess.Popen | None = None

    def __enter__(self) -> Subscribers:
        self.proc = subprocess.Popen(self.args, cwd=ROOT, stdout=subprocess.PIPE, stdin=subprocess.PIPE)
        line = _read_line(self.proc, 60, "the SSE subscribers")
        if not line.startswith("READY"):
            raise RuntimeError(f"subscribers: {line!r}")
        return self

    def finish(self, grace: float = 0) -> dict[str, Any]:
        """Let the subscribers stop by themselves within ``grace`` seconds (once they have every expected event),
        else tell them to stop now (closing their stdin); their results."""
        assert self.proc is not None and self.proc.stdin is not None
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.proc.wait(grace)
        with contextlib.suppress(BrokenPipeError):
            self.proc.stdin.close()
        self.proc.wait(30)
        return json.loads(self.out.read_text())

    def __exit__(self, *exc: object) -> None:
        if self.proc is not None:
            if self.proc.stdin is not None and not self.proc.stdin.closed:
                with contextlib.suppress(BrokenPipeError):
                    self.proc.stdin.close()
            stop_process(self.proc)


def wait_until(predicate, timeout: float, step: float = 0.05) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(step)
    return predicate()


def run_load(node: NodeProcess, out: Path, *, kiosks: int, rate: float = 0, readers: int = 0,
             duration: float = 10) -> dict[str, Any]:
    """`python -m bench._load` against `node`: kiosks issuing tickets (open loop at `rate`/s each, or closed loop),
    `readers` clients reading /state; its results (ticket latencies in ms, state reads, errors)."""
    tokens = json.dumps({"kiosks": node.kiosk_tokens, "display": node.display_token})
    proc = subprocess.Popen([PYTHON, "-m", "bench._load", "--url", node.base, "--tokens", tokens, "--kiosks",
                             str(kiosks), "--rate", str(rate), "--readers", str(readers), "--duration", str(duration),
                             "--out", str(out)], cwd=ROOT, stdout=subprocess.PIPE, stdin=subprocess.PIPE)
    try:
        if not _read_line(proc, 60, "the load").startswith("READY"):
            raise RuntimeError("the load generator did not start")
        assert proc.stdin is not None
        proc.stdin.write(b"go\n")
        proc.stdin.flush()
        if proc.wait(duration + 120) != 0:
            raise RuntimeError("the load generator failed")
    finally:
        stop_process(proc)
    return json.loads(out.read_text())


def load_average() -> str:
    """The machine's load when a figure was measured (the benches often share it with other work)."""
    with contextlib.suppress(OSError):
        return "load average " + " ".join(Path("/proc/loadavg").read_text().split()[:3])
    return "load average unknown"
