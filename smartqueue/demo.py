"""`smartqueue demo`: a whole branch on one machine, on simulated hardware, started and stopped together.

Parts, each its own process: a branch node, a kiosk (virtual ESC/POS printer, serial scanner simulator on a
pty), a calling display, an agent keypad (simulated fingerprint reader) and, when Mosquitto is installed, a broker
and the reference central receiver the node syncs to. With a screen the apps open windows and the demo runs
until Ctrl-C; without one they run offscreen, a short scenario plays (a customer scans an appointment code at the
kiosk and gets a printed ticket, an agent calls it, the display shows it), and the demo writes screenshots,
ticket previews and a summary to the folder it names, then stops.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import time
import uuid
from pathlib import Path
from zoneinfo import ZoneInfo

import requests

from ground import phone_link
from ground.signals import wait_for_stop_signal

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "config" / "examples"
KEY = "demo-appointment-key-change-me"  # the example node.toml's appointment key
PHONE_KEY = "demo-phone-link-key-change-me"  # central's phone link secret in the demo
APPS = ("kiosk", "display", "keypad")
FIRST_FRAME_S = 90  # three apps starting at once on a loaded 2-core machine


def smartqueue_command() -> list[str]:
    """How to start another `smartqueue` process: the installed bundle's executable itself (a frozen program has
    no `-m`: `smartqueue -m smartqueue node` was an unknown command), or this Python with `-m smartqueue`."""
    return [sys.executable] if getattr(sys, "frozen", False) else [sys.executable, "-m", "smartqueue"]


class ChildDied(RuntimeError):
    """A part of the demo branch stopped; the message names it, its exit code and the end of its log."""


def add_demo_command(sub: argparse._SubParsersAction) -> None:
    demo = sub.add_parser("demo", help="run a whole demo branch on simulated hardware")
    demo.add_argument("--dir", default="var/demo", help="where the demo keeps its data and writes its outputs")
    demo.add_argument("--port", type=int, default=8470, help="the node's port (0: any free port)")
    demo.add_argument("--fresh", action="store_true", help="start from an empty branch")
    screen = demo.add_mutually_exclusive_group()
    screen.add_argument("--headless", action="store_true", help="offscreen, play the scenario and stop")
    screen.add_argument("--windows", action="store_true", help="open the apps' windows and run until Ctrl-C")
    demo.add_argument("--no-central", action="store_true", help="do not start Mosquitto and the central receiver")
    demo.set_defaults(handler=run_demo)


class Branch:
    """The demo's processes and files; `stop()` ends them all, last started first."""

    def __init__(self, root: Path, headless: bool) -> None:
        self.root = root
        self.headless = headless
        self.procs: list[tuple[str, subprocess.Popen]] = []
        self.tokens: dict[str, str] = {}
        self.node_url = ""
        self.broker = None
        self.scanner = None
        self.central_db: Path | None = None
        self.phone_base_url: str | None = None
        self.sound = None  # headless: a private null-sink audio server, so the display really announces

    def env(self) -> dict[str, str]:
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        if self.headless:
            env["QT_QPA_PLATFORM"] = "offscreen"
        if self.sound is not None:
            env.update(self.sound.env)
        return env

    def start_sound(self) -> None:
        from smartqueue.null_sink import NullSink, NullSinkError

        try:
            self.sound = NullSink(self.root / "pulse").start()
        except NullSinkError as err:
            print(f"no audio server ({err}): the display will show calls without announcing them", file=sys.stderr)

    def spawn(self, name: str, *args: str, stdout=None) -> subprocess.Popen:
        log = (self.root / "logs" / f"{name}.log").open("ab")
        proc = subprocess.Popen([*smartqueue_command(), *args], cwd=ROOT, env=self.env(),
                                stdout=stdout or log, stderr=log, stdin=subprocess.DEVNULL)
        self.procs.append((name, proc))
        return proc

    def log_path(self, name: str) -> Path:
        return self.root / "logs" / f"{name}.log"

    def check_alive(self) -> None:
        """Raise ChildDied when any part has stopped: the demo must never claim windows that are gone."""
        for name, proc in self.procs:
            code = proc.poll()
            if code is not None:
                raise ChildDied(_death_note(name, code, self.log_path(name)))

    def wait_first_frames(self, timeout: float = FIRST_FRAME_S) -> None:
        """Until each app's log has its first-frame line (the window is drawn), watching that nothing dies."""
        deadline = time.monotonic() + timeout
        waiting = set(APPS)
        while waiting:
            self.check_alive()
            for role in list(waiting):
                log = self.log_path(role)
                if log.exists() and f"{role}: first frame" in log.read_text(encoding="utf-8", errors="replace"):
                    waiting.discard(role)
            if waiting and time.monotonic() > deadline:
                raise TimeoutError(f"no first frame from the {', '.join(sorted(waiting))} within {timeout:.0f} s")
            time.sleep(0.2)

    def stop(self) -> None:
        for name, proc in reversed(self.procs):
            if proc.poll() is None:
                proc.terminate()
                try:
                    proc.wait(15)
                except subprocess.TimeoutExpired:
                    print(f"{name} did not stop in time: killed", file=sys.stderr)
                    proc.kill()
        if self.scanner is not None:
            self.scanner.close()
        if self.broker is not None:
            self.broker.stop()
        if self.sound is not None:
            self.sound.stop()


def _register_devices(branch: Branch, data_dir: Path, config) -> None:
    from branch.devices import register_device
    from branch.store import Store

    store = Store(data_dir / "branch.sqlite3")
    try:
        for role, counter, device in (("kiosk", None, "demo-kiosk"), ("display", None, "demo-display"),
                                      ("keypad", "1", "demo-keypad"), ("keypad", "2", "demo-agent-2"),
                                      ("admin", None, "demo-admin")):
            branch.tokens[device.removeprefix("demo-")] = register_device(store, role, counter, device, device)[1]
    finally:
        store.close()


def _start_central(branch: Branch) -> str:
    """Mosquitto and the central receiver; returns the [sync] section for the node ("" without Mosquitto)."""
    from smartqueue.local_broker import MOSQUITTO, Broker, free_port

    if not Path(MOSQUITTO).exists():
        print("Mosquitto is not installed: the demo runs without central", file=sys.stderr)
        return ""
    branch.broker = Broker(branch.root / "broker").start()
    branch.central_db = branch.root / "central.sqlite3"
    central = branch.root / "central.toml"
    phone_port = free_port()
    branch.phone_base_url = f"http://127.0.0.1:{phone_port}"
    central.write_text(f'[central]\nhost = "127.0.0.1"\nport = {branch.broker.port}\n'
                       f'db_path = "{branch.central_db}"\npublic_port = {phone_port}\n'
                       f'public_base_url = "{branch.phone_base_url}"\nphone_link_key = "{PHONE_KEY}"\n',
                       encoding="utf-8")
    branch.spawn("central", "central", "--config", str(central))
    return f'\n[sync]\nenabled = true\nhost = "127.0.0.1"\nport = {branch.broker.port}\nstatus_interval_s = 5\n'


def _start_node(branch: Branch, port: int, sync_section: str) -> None:
    from config.loader import load_config

    data = branch.root / "node"
    text = (EXAMPLES / "node.toml").read_text(encoding="utf-8")
    text = text.replace('data_dir = "var/node"', f'data_dir = "{data}"') + sync_section
    config_path = branch.root / "node.toml"
    config_path.write_text(text, encoding="utf-8")
    _register_devices(branch, data, load_config(config_path))
    proc = branch.spawn("node", "node", "--config", str(config_path), "--port", str(port), "--no-advertise",
                        stdout=subprocess.PIPE)
    assert proc.stdout is not None
    line = proc.stdout.readline().decode(errors="replace")
    match = re.search(r"http://[\d.]+:(\d+)", line)
    if not match:
        raise RuntimeError(f"the node did not start; see {branch.root / 'logs' / 'node.log'}")
    branch.node_url = f"http://127.0.0.1:{match.group(1)}"


def _app_config(branch: Branch, role: str) -> Path:
    """The example configuration of an app, pointed at this demo's node, token, folders and simulators."""
    folder = branch.root / role
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "token").write_text(branch.tokens[role] + "\n", encoding="utf-8")
    (folder / "token").chmod(0o600)
    text = (EXAMPLES / f"{role}.toml").read_text(encoding="utf-8")
    text = text.replace(f'data_dir = "var/{role}"', f'data_dir = "{folder}"')
    text = text.replace('node_url = "http://127.0.0.1:8470"', f'node_url = "{branch.node_url}"')
    text = text.replace(f'token_file = "var/{role}/token"', f'token_file = "{folder / "token"}"')
    if role == "kiosk":
        text = text.replace('output_dir = "var/kiosk/printed"', f'output_dir = "{branch.root / "tickets"}"')
        serial = f'device = {{ kind = "serial", port = "{branch.scanner.port}" }}'
        text = re.sub(r'device = \{ kind = "wedge".*\}', serial, text)
        text = text.replace("[branch]\n", f'[branch]\nappointment_key = "{KEY}"\n', 1)
        if branch.phone_base_url is not None:  # the QR holds the ticket's phone page at central
            link_key = phone_link.branch_key(PHONE_KEY.encode(), "acme-bank", "BR042").hex()
            text = text.replace("[branch]\n", f'[branch]\npublic_base_url = "{branch.phone_base_url}"\n'
                                f'phone_link_key = "{link_key}"\n', 1)
    if role == "display":
        text = text.replace('clip_dir = "var/clips"', f'clip_dir = "{ROOT / "var" / "clips"}"')
    path = branch.root / f"{role}.toml"
    path.write_text(text, encoding="utf-8")
    return path


def _start_apps(branch: Branch) -> None:
    from hardware.scanner.simulator import SerialScannerSimulator

    branch.scanner = SerialScannerSimulator().open()
    for role in APPS:
        config = _app_config(branch, role)
        branch.spawn(role, role, "--config", str(config), "--windowed")


def _death_note(name: str, code: int, log: Path, lines: int = 15) -> str:
    how = f"was killed by signal {-code}" if code < 0 else f"exited with code {code}"
    try:
        tail = log.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:]
    except OSError:
        tail = []
    return f"the {name} process {how}; the end of its log ({log}):\n" + "\n".join("  " + line for line in tail)


async def _until_stop_or_death(branch: Branch) -> None:
    """Ctrl-C / SIGTERM, or one of the parts stopping (raised as ChildDied), whichever comes first."""
    stop = asyncio.ensure_future(wait_for_stop_signal())
    try:
        while not stop.done():
            branch.check_alive()
            await asyncio.wait([stop], timeout=0.5)
    finally:
        stop.cancel()


def _wait(predicate, timeout: float, what: str, branch: Branch | None = None):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if branch is not None:
            branch.check_alive()  # a dead kiosk is said at once, not after the whole timeout
        try:
            value = predicate()
        except (requests.RequestException, ValueError, KeyError, OSError, sqlite3.Error):
            value = None
        if value:
            return value
        time.sleep(0.2)
    raise TimeoutError(f"the demo waited {timeout:.0f} s for {what}")


def _scenario(branch: Branch) -> dict:
    """A customer scans an appointment code at the kiosk; an agent calls the ticket; the display shows it."""
    from hardware.scanner.codes import sign_appointment

    def get(path: str, token: str) -> dict:
        response = requests.get(branch.node_url + path, headers={"Authorization": f"Bearer {token}"}, timeout=5)
        response.raise_for_status()
        return response.json()

    def post(path: str, token: str, body: dict | None = None) -> dict:
        response = requests.post(branch.node_url + path, json=body or {}, timeout=5, headers={
            "Authorization": f"Bearer {token}", "Idempotency-Key": str(uuid.uuid4())})
        response.raise_for_status()
        return response.json()

    admin = branch.tokens["admin"]
    devices = lambda: {d["id"]: d for d in get("/api/v1/devices", admin)["devices"]}  # noqa: E731
    _wait(lambda: devices()["demo-kiosk"]["status"], 60, "the kiosk to come up and report its health", branch)
    time.sleep(2)  # the display and keypad finish starting
    slot = (dt.datetime.now(ZoneInfo("Africa/Casablanca")) + dt.timedelta(minutes=5)).replace(
        second=0, microsecond=0, tzinfo=None)
    ref = f"DEMO{uuid.uuid4().hex[:6].upper()}"
    branch.scanner.send(sign_appointment(KEY.encode(), branch_id="BR042", appointment_ref=ref, service="accounts",
                                         slot=slot))
    preview = _wait(lambda: sorted((branch.root / "tickets").glob("ticket-*.png")), 30,
                    "the kiosk to print the customer's ticket", branch)[-1]
    waiting = get("/api/v1/state", admin)["waiting"]
    ticket = next(w for w in waiting if w["service"] == "accounts")
    session = post("/api/v1/agents/login", branch.tokens["agent-2"], {"agent": "karim", "pin": "5678"})["session"]
    called = post("/api/v1/counters/2/call-next", session)["counter"]["current"]
    shown = _wait(lambda: (get("/api/v1/counters/2", admin)["current"] or {}).get("shown_on", 0) >= 1, 20,
                  "the display to show the call") and get("/api/v1/counters/2", admin)["current"]
    if branch.sound is not None:  # the chime and the voice take a few seconds
        shown = _wait(lambda: (get("/api/v1/counters/2", admin)["current"] or {}).get("announced_on", 0) >= 1, 30,
                      "the display to announce the call") and get("/api/v1/counters/2", admin)["current"]
    phone = None
    if branch.phone_base_url is not None:
        key = phone_link.branch_key(PHONE_KEY.encode(), "acme-bank", "BR042")
        phone = phone_link.ticket_url(branch.phone_base_url, key, "acme-bank", "BR042", ticket["id"])
        print(f"the customer's phone page for {ticket['number']}: {phone}", flush=True)
        _wait(lambda: requests.get(phone + "/state.json", timeout=5).status_code == 200, 30,
              "central to serve the ticket's phone page")
    return {"appointment": ref, "ticket": ticket["number"], "phone_page": phone, "ticket_preview": str(preview),
            "called": called["number"], "counter": "2", "shown_on_displays": shown["shown_on"],
            "announced_on_displays": shown["announced_on"], "session": session}


def _screenshots(branch: Branch) -> list[str]:
    """A fresh process of each app renders the branch as it is now (first frame) into the demo folder."""
    shots = []
    for role in APPS:
        path = branch.root / "screenshots" / f"{role}.png"
        command = [*smartqueue_command(), role, "--config", str(branch.root / f"{role}.toml"),
                   "--screenshot", str(path)]
        proc = subprocess.run(command, cwd=ROOT, env={**branch.env(), "QT_QPA_PLATFORM": "offscreen"},
                              capture_output=True, timeout=60)
        if proc.returncode == 0 and path.exists():
            shots.append(str(path))
        else:
            print(f"no {role} screenshot: {proc.stderr.decode(errors='replace')[-300:]}", file=sys.stderr)
    return shots


def _central_events(branch: Branch) -> int | None:
    if branch.central_db is None or not branch.central_db.exists():
        return None
    with sqlite3.connect(branch.central_db) as conn:
        tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        return conn.execute("SELECT COUNT(*) FROM sq_event").fetchone()[0] if "sq_event" in tables else None


def run_demo(args: argparse.Namespace) -> int:
    root = Path(args.dir).resolve()
    if args.fresh and root.exists():
        shutil.rmtree(root)
    (root / "logs").mkdir(parents=True, exist_ok=True)
    has_screen = bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))
    headless = args.headless or not (args.windows or has_screen)
    branch = Branch(root, headless)
    try:
        sync_section = "" if args.no_central else _start_central(branch)
        _start_node(branch, args.port, sync_section)
        if headless:
            branch.start_sound()
        (root / "tokens.env").write_text("".join(f"{k.upper().replace('-', '_')}_TOKEN={v}\n"
                                                 for k, v in branch.tokens.items()) + f"NODE={branch.node_url}\n")
        _start_apps(branch)
        print(f"SmartQueue demo branch: node {branch.node_url}, kiosk, display, keypad"
              + (", central (MQTT)" if branch.broker else "") + f"; files in {root}", flush=True)
        branch.wait_first_frames()
        if not headless:
            print(_instructions(branch), flush=True)
            asyncio.run(_until_stop_or_death(branch))
            return 0
        summary = _scenario(branch)
        summary.pop("session")
        summary["screenshots"] = _screenshots(branch)
        summary["node_events"] = requests.get(branch.node_url + "/api/v1/health", timeout=5).json()["seq"]
        if branch.broker is not None:
            node_seq = summary["node_events"]
            summary["central_events"] = _wait(lambda: (_central_events(branch) or 0) >= node_seq and _central_events(
                branch), 30, "central to store every event")
        (root / "summary.json").write_text(json.dumps(summary, indent=2, ensure_ascii=False), encoding="utf-8")
        print(json.dumps(summary, indent=2, ensure_ascii=False))
        print(f"demo outputs (screenshots, ticket previews, summary, logs) in {root}")
        return 0
    except ChildDied as err:
        print(f"demo stopped: {err}", file=sys.stderr, flush=True)
        return 1
    except (TimeoutError, RuntimeError) as err:
        print(f"demo failed: {err}; logs in {root / 'logs'}", file=sys.stderr)
        return 1
    finally:
        branch.stop()


def _instructions(branch: Branch) -> str:
    env = branch.root / "tokens.env"
    return f"""
The kiosk, display and keypad windows are open: tap a service on the kiosk; log in on the keypad as alice
(PIN 1234, or the "simulated finger" button) and call the ticket. The node's API, from another shell:

  source {env}
  curl -s -X POST $NODE/api/v1/tickets -H "Authorization: Bearer $KIOSK_TOKEN" \\
       -H "Idempotency-Key: $(cat /proc/sys/kernel/random/uuid)" --json '{{"service": "accounts"}}'
  curl -sN $NODE/api/v1/events -H "Authorization: Bearer $DISPLAY_TOKEN"      # live events (SSE)

Printed tickets (PNG previews) go to {branch.root / 'tickets'}; their QR opens the ticket's phone page at
central ({branch.phone_base_url or 'no central'}). Ctrl-C stops the whole branch.
"""
