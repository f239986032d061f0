"""sd_notify over a real AF_UNIX datagram socket, and the GUI-thread pinger."""

from __future__ import annotations

import os
import socket

import pytest

from appkit.watchdog import GuiWatchdog, Notifier


@pytest.fixture
def notify_socket(tmp_path):
    path = tmp_path / "notify"
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(str(path))
    sock.settimeout(2)
    yield str(path), sock
    sock.close()


def test_ready_and_ping_reach_the_socket(notify_socket):
    path, sock = notify_socket
    notifier = Notifier({"NOTIFY_SOCKET": path, "WATCHDOG_USEC": "4000000"})
    assert notifier.interval_s == 2.0
    assert notifier.ready()
    assert sock.recv(100) == b"READY=1\nSTATUS=running"
    assert notifier.ping()
    assert sock.recv(100) == b"WATCHDOG=1"


def test_a_full_notify_socket_never_blocks_the_caller(notify_socket):
    """Nobody reads the socket (a hung manager): the GUI thread's ping is dropped, never waited for."""
    import threading

    path, _ = notify_socket
    notifier = Notifier({"NOTIFY_SOCKET": path, "WATCHDOG_USEC": "4000000"})
    sent: list[bool] = []
    pinger = threading.Thread(target=lambda: sent.extend(notifier.ping() for _ in range(5000)), daemon=True)
    pinger.start()  # far more datagrams than the queue holds
    pinger.join(10)
    assert not pinger.is_alive(), "notify blocked on a full socket"
    assert sent[0] and not sent[-1]


def test_outside_systemd_everything_is_a_no_op():
    notifier = Notifier({})
    assert not notifier.enabled and notifier.interval_s is None
    assert notifier.ping() is False


def test_a_watchdog_meant_for_another_process_is_ignored(notify_socket):
    path, _ = notify_socket
    notifier = Notifier({"NOTIFY_SOCKET": path, "WATCHDOG_USEC": "4000000", "WATCHDOG_PID": str(os.getpid() + 1)})
    assert notifier.enabled and notifier.interval_s is None


def test_the_gui_pings_from_its_event_loop_and_stops_when_it_is_blocked(qtbot, notify_socket):
    from PySide6.QtGui import QWindow

    path, sock = notify_socket
    window = QWindow()
    watchdog = GuiWatchdog(Notifier({"NOTIFY_SOCKET": path, "WATCHDOG_USEC": "400000"}))
    watchdog.attach(window)  # a QWindow has no frameSwapped: READY=1 at once
    assert sock.recv(100).startswith(b"READY=1")
    qtbot.wait(500)  # the event loop runs: pings every 200 ms
    sock.settimeout(0.1)
    pings = 0
    try:
        while sock.recv(100) == b"WATCHDOG=1":
            pings += 1
    except TimeoutError:
        pass
    assert pings >= 2
    watchdog.stop()
    assert sock.recv(100) == b"STOPPING=1"
    window.deleteLater()
