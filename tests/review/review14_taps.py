"""Review of issue 14: real taps (QTest mouse events on the window) under Xvfb, through a node that answers
after 5 s (a delaying HTTP proxy): issue → ticket → Done → home; the technician corner and wrong PINs to the
lockout. A heartbeat QTimer measures the longest GUI-thread stall.
Usage: xvfb-run -a python -m tests.review.review14_taps"""

from __future__ import annotations

import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import requests
from pydantic import SecretStr
from PySide6.QtCore import QElapsedTimer, QPoint, Qt, QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

app = QApplication(sys.argv)

from appkit.qml_host import QmlHost  # noqa: E402
from devtools.screen_audit import pump  # noqa: E402
from ground.hashing import hash_pin  # noqa: E402
from kiosk.app import QML  # noqa: E402
from kiosk.qr import register_qml_types  # noqa: E402
from tests.kiosk.conftest import close_rig, make_rig  # noqa: E402
from tests.kiosk.screens import wait_for  # noqa: E402

DELAY = 5.0


def slow_proxy(target: str) -> ThreadingHTTPServer:
    class H(BaseHTTPRequestHandler):
        def _do(self):
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            time.sleep(DELAY)
            r = requests.request(self.command, target + self.path, data=body,
                                 headers={k: v for k, v in self.headers.items() if k.lower() != "host"})
            self.send_response(r.status_code)
            for k, v in r.headers.items():
                if k.lower() not in ("transfer-encoding", "connection", "content-length"):
                    self.send_header(k, v)
            self.send_header("Content-Length", str(len(r.content)))
            self.end_headers()
            self.wfile.write(r.content)
        do_GET = do_POST = do_PUT = _do
        def log_message(self, *a): pass
    server = ThreadingHTTPServer(("127.0.0.1", 0), H)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def find(window, name):
    out = []
    def walk(item):
        if item.objectName() == name and item.isVisible():
            out.append(item)
        for c in item.childItems():
            walk(c)
    walk(window.contentItem())
    return out


def tap(window, name_or_item):
    item = find(window, name_or_item)[0] if isinstance(name_or_item, str) else name_or_item
    p = item.mapToScene(item.boundingRect().center())
    QTest.mouseClick(window, Qt.LeftButton, Qt.NoModifier, QPoint(int(p.x()), int(p.y())))
    pump(30)


def main() -> int:
    problems = []
    with tempfile.TemporaryDirectory() as tmp:
        rig = make_rig(Path(tmp), technician_pin_hash=SecretStr(hash_pin("2468")), technician_pin_attempts=3,
                       priority_question="never", tap_debounce_ms=100)
        vm = rig.vm
        register_qml_types()
        host = QmlHost(QML, {"vm": vm, "tech": rig.tech}, fullscreen=False, language="fr")
        vm.retranslate.connect(host.retranslate)
        win = host.window
        win.resize(1080, 1920)
        vm.start()
        wait_for(lambda: vm.screen == "home" and bool(vm.tiles), what="home")
        wait_for(lambda: rig.printer.state == "ready", what="printer")
        # now the node answers after 5 s
        proxy = slow_proxy(rig.node.url.rstrip("/"))
        vm.client._base_url = f"http://127.0.0.1:{proxy.server_address[1]}"
        vm.client.timeout = DELAY + 5
        stall = {"max": 0.0}
        clock = QElapsedTimer()
        clock.start()
        last = {"t": clock.elapsed()}
        def beat():
            now = clock.elapsed()
            stall["max"] = max(stall["max"], now - last["t"])
            last["t"] = now
        hb = QTimer(interval=10)
        hb.timeout.connect(beat)
        hb.start()

        # issue → ticket by real taps
        pump(100)
        service = next(t for t in vm.tiles if t["kind"] == "service" and t["open"])
        if service["id"] not in [i.objectName()[5:] for i in find(win, "tile_" + service["id"])]:
            group = next(t for t in vm.tiles if t["kind"] == "group")
            tap(win, "tile_" + group["id"])
            service = next(t for t in vm.tiles if t["kind"] == "service" and t["open"])
        t0 = time.monotonic()
        tap(win, "tile_" + service["id"])
        taps_during_busy = 0
        while vm.screen != "ticket" and time.monotonic() - t0 < 20:
            # a second tap on the veil and on the language button while the node is slow
            if taps_during_busy < 3 and time.monotonic() - t0 > 1:
                tap(win, "lang_en")
                taps_during_busy += 1
            pump(50)
        print(f"ticket after {time.monotonic() - t0:.1f}s, screen={vm.screen}, max GUI stall {stall['max']} ms,"
              f" language now {vm.language}")
        if vm.screen != "ticket":
            problems.append("no ticket screen")
        wait_for(lambda: not vm.ticket.get("printing", True), what="printed")
        pump(200)
        tap(win, "done")
        pump(100)
        print("after Done:", vm.screen, "tickets issued:", "—")
        if vm.screen != "home":
            problems.append(f"Done did not go home: {vm.screen}")

        # technician corner: real taps on the corner (over the branch name), then wrong PINs on the pad
        for _ in range(vm.kiosk.technician_taps):
            tap(win, "techCorner")
        print("after corner taps:", vm.screen)
        if vm.screen != "techpin":
            problems.append(f"corner taps did not open the PIN: {vm.screen}")
        for attempt in range(4):
            for digit in "1111":
                tap(win, "techPin_" + digit)
            tap(win, "techPinOk")
            wait_for(lambda: bool(rig.tech.pinError), timeout=15, what="pin answer")
            pump(300)
            print(f"wrong PIN {attempt + 1}: locked={rig.tech.locked} error={rig.tech.pinError!r}")
        # the right PIN while locked
        for digit in "2468":
            tap(win, "techPin_" + digit)
        tap(win, "techPinOk")
        pump(1500)
        print("right PIN while locked ->", vm.screen, rig.tech.pinError)
        if vm.screen == "technician":
            problems.append("right PIN accepted during lockout")
        # Cancel, and corner again while locked
        tap(win, "techPinCancel")
        pump(100)
        print("after cancel:", vm.screen, "max GUI stall", stall["max"], "ms")
        if stall["max"] > 250:
            problems.append(f"GUI stalled {stall['max']} ms")
        hb.stop()
        host.close()
        proxy.shutdown()
        close_rig(rig)
    print("PROBLEMS:", problems)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
