"""Kiosk figures: tap → ticket on screen, tap → last byte to the printer, cold start, RSS after 1,000 tickets.

The node and the virtual printer (ESC/POS over TCP) run as their own processes; the kiosk (view-model + QML
window, offscreen, pumped like app.exec() including deferred deletes) runs here. Baselines from the same run:
a bare NodeClient.issue_ticket round trip, and the cold start of a bare QML window.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from bench._common import PYTHON, ROOT, NodeProcess, percentile, summary, verdict

TAPS_TIMED = 100
TICKETS_FOR_RSS = 1000



class _TimedTransport:
    """Wraps the printer transport to note when the last byte of each ticket was handed over."""

    def __init__(self, inner) -> None:
        self.inner = inner
        self.last_write_done = 0.0

    def write(self, data: bytes) -> None:
        self.inner.write(data)
        if len(data) > 64:  # a ticket, not a status query
            self.last_write_done = time.perf_counter()

    def __getattr__(self, name):
        return getattr(self.inner, name)


def kiosk_figures(workdir: Path) -> dict:
    from pydantic import SecretStr
    from PySide6.QtCore import QCoreApplication, QEvent, QEventLoop, QTimer

    from appkit.bootstrap import make_application
    from appkit.device import make_client
    from appkit.qml_host import QmlHost
    from config.loader import load_config
    from config.printer import PrinterConfig, TcpConnection
    from hardware.printer.connection import make_transport
    from hardware.printer.device import PrinterDevice
    from kiosk.app import QML
    from kiosk.printing import TicketPrinter
    from kiosk.qr import register_qml_types
    from kiosk.technician import TechnicianViewModel
    from kiosk.viewmodel import KioskViewModel

    app = make_application("bench-kiosk")

    def pump() -> None:
        """One turn of the event loop, as app.exec() runs it: deferred deletes too (processEvents alone never
        deletes the screens the Loader discards, which looks like a leak of ~0.1 MB per customer)."""
        QCoreApplication.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 5)
        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)

    def wait(predicate, timeout: float = 10.0) -> None:
        deadline = time.monotonic() + timeout
        while not predicate():
            if time.monotonic() > deadline:
                raise TimeoutError("kiosk did not get there in time")
            pump()

    # the virtual printer runs as its own process (over TCP, like a network printer), so this process's memory
    # is the kiosk's alone: a deployed kiosk does not host a simulator
    simulator = subprocess.Popen([PYTHON, "-m", "smartqueue", "hardware", "simulate", "printer", "--tcp", "0",
                                  "--out", str(workdir / "printed")], cwd=ROOT, stdout=subprocess.PIPE,
                                 stderr=subprocess.DEVNULL, text=True)
    assert simulator.stdout is not None
    banner = simulator.stdout.readline()
    printer_port = int(banner.split("TCP port ")[1].split(";")[0])
    with NodeProcess(workdir) as node:
        base = load_config(ROOT / "config" / "examples" / "kiosk.toml")
        config = base.model_copy(update={
            "branch": base.branch.model_copy(update={"appointment_key": SecretStr("bench-appointment-key-0123")}),
            "device": base.device.model_copy(update={"node_url": node.base, "token": SecretStr(node.kiosk_tokens[0]),
                                                     "data_dir": str(workdir / "kiosk"), "token_file": None}),
            "printer": PrinterConfig(connection=TcpConnection(host="127.0.0.1", port=printer_port),
                                     status_timeout_s=0.3),
            "kiosk": base.kiosk.model_copy(update={"priority_question": "never", "tap_debounce_ms": 100}),
        })
        transports: list[_TimedTransport] = []

        def make_device(printer_config):
            transport = _TimedTransport(make_transport(printer_config))
            transports.append(transport)
            return PrinterDevice(printer_config, transport)

        client = make_client(config, node.kiosk_tokens[0])
        printer = TicketPrinter(config.printer, make_device)
        vm = KioskViewModel(config, client, printer, "bench")
        register_qml_types()
        host = QmlHost(QML, {"vm": vm, "tech": TechnicianViewModel(vm)}, fullscreen=False, language="fr")
        frames = {"n": 0}
        host.window.frameSwapped.connect(lambda: frames.__setitem__("n", frames["n"] + 1))
        vm.start()
        wait(lambda: vm.screen == "home" and printer.state == "ready")

        baseline = []
        for _ in range(TAPS_TIMED):
            started = time.perf_counter()
            client.issue_ticket("cash")
            baseline.append((time.perf_counter() - started) * 1000)

        shown, printed = [], []
        for _ in range(TAPS_TIMED):
            frames_before = frames["n"]
            tapped = time.perf_counter()
            vm.chooseService("accounts")
            wait(lambda: vm.screen == "ticket")
            wait(lambda fb=frames_before: frames["n"] > fb)
            on_screen = time.perf_counter()
            wait(lambda: not vm.ticket.get("printing") and bool(vm.ticket.get("note")))
            if not vm.ticket.get("printed"):
                raise RuntimeError(f"ticket not printed: {vm.ticket.get('note')}")
            shown.append((on_screen - tapped) * 1000)
            printed.append((transports[-1].last_write_done - tapped) * 1000)
            vm.goHome()
            end = time.monotonic() + 0.12  # past the tap debounce, as a next customer would be
            while time.monotonic() < end:
                pump()
        host.close()
        vm.stop()
        printer.close()
        client.close()
        QTimer.singleShot(0, app.quit)
    simulator.terminate()
    simulator.wait(10)
    return {"shown": shown, "printed": printed, "baseline": baseline}


def _process_rss_mb(pid: int) -> float:
    with open(f"/proc/{pid}/status") as handle:
        for line in handle:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def kiosk_process_rss(workdir: Path) -> dict[int, float]:
    """RSS of a real `smartqueue kiosk` process after N customers, each scanning an appointment code on its
    serial scanner (a simulator on a pty) and getting a ticket printed on the virtual printer (TCP)."""
    import datetime as dt
    from zoneinfo import ZoneInfo

    from hardware.scanner.codes import sign_appointment
    from hardware.scanner.simulator import SerialScannerSimulator

    key = "bench-appointment-key-0123"
    printed_dir = workdir / "printed-rss"
    simulator = subprocess.Popen([PYTHON, "-m", "smartqueue", "hardware", "simulate", "printer", "--tcp", "0",
                                  "--out", str(printed_dir)], cwd=ROOT, stdout=subprocess.PIPE,
                                 stderr=subprocess.DEVNULL, text=True)
    assert simulator.stdout is not None
    printer_port = int(simulator.stdout.readline().split("TCP port ")[1].split(";")[0])
    rss: dict[int, float] = {}
    (workdir / "rss").mkdir()
    with NodeProcess(workdir / "rss") as node, SerialScannerSimulator() as scanner:
        config = workdir / "kiosk-rss.toml"
        config.write_text(f"""
[branch]
id = "BR042"
organisation = "acme-bank"
name = {{ fr = "Agence Centre", en = "Downtown Branch", ar = "فرع وسط المدينة" }}
timezone = "Africa/Casablanca"
languages = ["fr", "ar", "en"]
appointment_key = "{key}"

[device]
data_dir = "{workdir / "kiosk-rss"}"
node_url = "{node.base}"
token = "{node.kiosk_tokens[0]}"

[kiosk]
tap_debounce_ms = 100

[printer]
connection = {{ type = "tcp", host = "127.0.0.1", port = {printer_port} }}
status_timeout_s = 0.3

[scanner]
device = {{ kind = "serial", port = "{scanner.port}" }}
""", encoding="utf-8")
        kiosk = subprocess.Popen([PYTHON, "-m", "smartqueue", "kiosk", "--config", str(config), "--windowed"],
                                 cwd=ROOT, env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            time.sleep(8)  # started, services loaded, printer and scanner open (a loaded machine needs the margin)
            tz = ZoneInfo("Africa/Casablanca")
            for n in range(1, TICKETS_FOR_RSS + 1):
                slot = (dt.datetime.now(tz) + dt.timedelta(minutes=5)).replace(second=0, microsecond=0, tzinfo=None)
                scanner.send(sign_appointment(key.encode(), branch_id="BR042", appointment_ref=f"RSS{n}",
                                              service="accounts", slot=slot))
                deadline = time.monotonic() + 10
                while not (printed_dir / f"ticket-{n:04d}.txt").exists():
                    if time.monotonic() > deadline or kiosk.poll() is not None:
                        raise RuntimeError(f"customer {n}: no ticket printed")
                    time.sleep(0.005)
                time.sleep(0.12)  # past the tap/scan debounce, as the next customer would be
                if n in (10, 500, TICKETS_FOR_RSS):
                    rss[n] = _process_rss_mb(kiosk.pid)
        finally:
            kiosk.terminate()
            kiosk.wait(20)
            simulator.terminate()
            simulator.wait(10)
    return rss


def cold_start(args: list[str], env: dict, runs: int = 5) -> float:
    """Median seconds from process start to the first frame on screen."""
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        proc = subprocess.Popen(args, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        assert proc.stdout is not None
        for line in proc.stdout:
            if line.strip() == "first-frame":
                times.append(time.perf_counter() - started)
                break
        proc.terminate()
        proc.wait(10)
    return sorted(times)[len(times) // 2] if times else float("nan")


BARE_QML = """
import sys, os
from PySide6.QtGui import QGuiApplication
from PySide6.QtQml import QQmlApplicationEngine
app = QGuiApplication(sys.argv)
engine = QQmlApplicationEngine()
engine.loadData(b'import QtQuick\\nWindow { visible: true; width: 1080; height: 1920; Text { text: "hello" } }')
window = engine.rootObjects()[0]
def first():
    print("first-frame", flush=True)
    window.frameSwapped.disconnect(first)
window.frameSwapped.connect(first)
app.exec()
"""


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="bench-kiosk-") as tmp:
        workdir = Path(tmp)
        figures = kiosk_figures(workdir)
        env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "SMARTQUEUE_REPORT_FIRST_FRAME": "1"}
        (workdir / "cold").mkdir()
        with NodeProcess(workdir / "cold") as node:
            config = workdir / "kiosk.toml"
            text = (ROOT / "config" / "examples" / "kiosk.toml").read_text(encoding="utf-8")
            text = text.replace('node_url = "http://127.0.0.1:8470"', f'node_url = "{node.base}"')
            text = text.replace('token_file = "var/kiosk/token"', f'token = "{node.kiosk_tokens[0]}"')
            text = text.replace('data_dir = "var/kiosk"', f'data_dir = "{workdir / "k"}"')
            text = text.replace('output_dir = "var/kiosk/printed"', f'output_dir = "{workdir / "printed"}"')
            config.write_text(text, encoding="utf-8")
            kiosk_cold = cold_start([PYTHON, "-m", "smartqueue", "kiosk", "--config", str(config), "--windowed"], env)
        bare_cold = cold_start([PYTHON, "-c", BARE_QML], env)
        rss = kiosk_process_rss(workdir)
    shown95 = percentile(figures["shown"], 95)
    printed95 = percentile(figures["printed"], 95)
    base95 = percentile(figures["baseline"], 95)
    growth = rss[TICKETS_FOR_RSS] - rss[500]
    print(f"tap → ticket on screen (frame): p50 {percentile(figures['shown'], 50):.1f} ms, p95 {shown95:.1f} ms"
          f"   [baseline bare issue_ticket round trip p95 {base95:.1f} ms]   target p95 < 300 ms")
    print(f"tap → last byte to the printer: p50 {percentile(figures['printed'], 50):.1f} ms, p95 {printed95:.1f} ms"
          "   target < 500 ms")
    print(f"cold start to first frame: kiosk {kiosk_cold:.2f} s   [baseline bare QML window {bare_cold:.2f} s]"
          "   target < 2 s")
    print("RSS of the kiosk process (customers scanning appointment codes): "
          f"{rss[10]:.0f} MB after 10 tickets, {rss[500]:.0f} MB after 500, {rss[TICKETS_FOR_RSS]:.0f} MB after"
          f" {TICKETS_FOR_RSS} (growth over the last 500: {growth:+.1f} MB)   target < 150 MB")
    ok = shown95 < 300 and printed95 < 500 and kiosk_cold < 2 and rss[TICKETS_FOR_RSS] < 150
    print(f"kiosk: {verdict(ok)}")
    summary("kiosk", f"tap→screen p95 {shown95:.0f} ms, tap→printer p95 {printed95:.0f} ms, cold start "
            f"{kiosk_cold:.2f} s, RSS {rss[TICKETS_FOR_RSS]:.0f} MB after {TICKETS_FOR_RSS} tickets",
            f"issue round trip p95 {base95:.1f} ms; bare QML window {bare_cold:.2f} s",
            "p95 < 300 ms / < 500 ms, < 2 s, < 150 MB", ok)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
