"""Keyboard-wedge filter with real Qt key events: scanner bursts become `scanned`, typing reaches the UI."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest
from PySide6.QtCore import QCoreApplication, QEvent, Qt, QTimer
from PySide6.QtGui import QKeyEvent, QWindow
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QLineEdit
from pytestqt.qtbot import QtBot

from config.scanner import WedgeScannerConfig
from hardware.scanner.wedge import WedgeScanFilter


class ManualClock:
    """Seconds that only move when a test says so."""

    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


class KeyWindow(QWindow):
    """A window that records the text of every key press delivered to it."""

    def __init__(self) -> None:
        super().__init__()
        self.typed = ""

    def keyPressEvent(self, event: QKeyEvent) -> None:
        self.typed += event.text() if event.text() else f"<{event.key()}>"


def _key_for(char: str) -> int:
    if char == "\r":
        return Qt.Key.Key_Return
    if char == "\t":
        return Qt.Key.Key_Tab
    return QTest.asciiToKey(char) if hasattr(QTest, "asciiToKey") else ord(char.upper())


def press(target: QWindow, text: str, clock: ManualClock, gap_ms: float) -> None:
    """Send a key press and release per character, `gap_ms` apart on the manual clock."""
    for char in text:
        clock.now += gap_ms / 1000
        modifiers = Qt.KeyboardModifier.ShiftModifier if char.isupper() else Qt.KeyboardModifier.NoModifier
        for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
            QCoreApplication.sendEvent(target, QKeyEvent(kind, _key_for(char), modifiers, char))


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def window(qtbot: QtBot) -> Iterator[KeyWindow]:
    win = KeyWindow()
    yield win
    win.destroy()


def make_filter(window: QWindow, clock: ManualClock, **config: object) -> WedgeScanFilter:
    wedge = WedgeScanFilter(WedgeScannerConfig(**config), window, clock=clock)
    window.installEventFilter(wedge)
    return wedge


def test_fast_burst_with_suffix_is_a_scan_and_is_swallowed(qtbot: QtBot, window: KeyWindow, clock: ManualClock) -> None:
    wedge = make_filter(window, clock)
    with qtbot.waitSignal(wedge.scanned, timeout=1000) as blocker:
        press(window, "SQT1:B-17:A042\r", clock, gap_ms=4)
    assert blocker.args == ["SQT1:B-17:A042"]
    assert window.typed == ""
    assert wedge.holding == ""


def test_human_typing_passes_through_in_order(qtbot: QtBot, window: KeyWindow, clock: ManualClock) -> None:
    wedge = make_filter(window, clock)
    with qtbot.assertNotEmitted(wedge.scanned, wait=100):
        press(window, "hello\r", clock, gap_ms=120)
        qtbot.waitUntil(lambda: window.typed == "hello\r", timeout=1000)


def test_a_fast_pair_of_human_keys_is_not_a_scan(qtbot: QtBot, window: KeyWindow, clock: ManualClock) -> None:
    wedge = make_filter(window, clock, min_length=4)
    with qtbot.assertNotEmitted(wedge.scanned, wait=100):
        press(window, "ab", clock, gap_ms=10)  # key rollover: two keys close together
        press(window, "c\r", clock, gap_ms=150)
        qtbot.waitUntil(lambda: window.typed == "abc\r", timeout=1000)


def test_without_suffix_a_pause_ends_the_scan(qtbot: QtBot, window: KeyWindow, clock: ManualClock) -> None:
    wedge = make_filter(window, clock, suffix="", min_length=6)
    with qtbot.waitSignal(wedge.scanned, timeout=1000) as blocker:
        press(window, "4006381333931", clock, gap_ms=5)
    assert blocker.args == ["4006381333931"]
    assert window.typed == ""


def test_prefix_is_required_and_stripped(qtbot: QtBot, window: KeyWindow, clock: ManualClock) -> None:
    wedge = make_filter(window, clock, prefix="]Q", suffix="\r")
    with qtbot.waitSignal(wedge.scanned, timeout=1000) as blocker:
        press(window, "]QCODE-1\r", clock, gap_ms=3)
    assert blocker.args == ["CODE-1"]
    with qtbot.assertNotEmitted(wedge.scanned, wait=100):
        press(window, "CODE-2\r", clock, gap_ms=3)  # fast, but no prefix: not our scanner
    qtbot.waitUntil(lambda: window.typed == "CODE-2\r", timeout=1000)


def test_typing_then_scan_then_typing(qtbot: QtBot, window: KeyWindow, clock: ManualClock) -> None:
    wedge = make_filter(window, clock)
    scans: list[str] = []
    wedge.scanned.connect(scans.append)
    press(window, "ab", clock, gap_ms=200)
    clock.now += 0.2
    press(window, "XYZ123\r", clock, gap_ms=5)
    clock.now += 0.2
    press(window, "cd", clock, gap_ms=200)
    qtbot.waitUntil(lambda: window.typed == "abcd", timeout=1000)
    assert scans == ["XYZ123"]


def test_a_huge_burst_is_cut_not_buffered_forever(qtbot: QtBot, window: KeyWindow, clock: ManualClock) -> None:
    wedge = make_filter(window, clock, suffix="", max_length=16)
    scans: list[str] = []
    wedge.scanned.connect(scans.append)
    press(window, "9" * 100, clock, gap_ms=2)
    qtbot.waitUntil(lambda: wedge.holding == "", timeout=1000)
    assert all(len(scan) <= 16 for scan in scans) and scans
    assert window.typed == ""


def test_line_edit_receives_typing_with_qtest(qtbot: QtBot) -> None:
    """QTest's own key clicks into a widget; a clock stepping 150 ms per key makes them human."""
    edit = QLineEdit()
    qtbot.addWidget(edit)
    steps = iter(range(1000))
    wedge = WedgeScanFilter(WedgeScannerConfig(), edit, clock=lambda: next(steps) * 0.15)
    edit.installEventFilter(wedge)
    QTest.keyClicks(edit, "Ahmed")
    qtbot.waitUntil(lambda: edit.text() == "Ahmed", timeout=1000)
    fast = iter(range(1000))
    wedge._clock = lambda: next(fast) * 0.002
    with qtbot.waitSignal(wedge.scanned, timeout=1000) as blocker:
        QTest.keyClicks(edit, "SQT1:X:1")
        QTest.keyClick(edit, Qt.Key.Key_Return)
    assert blocker.args == ["SQT1:X:1"]
    assert edit.text() == "Ahmed"


def test_a_busy_gui_thread_never_splits_a_code(qtbot: QtBot, window: KeyWindow) -> None:
    """Issue 14: under load, codes reached the kiosk in two pieces. A scanner thread types codes 3 ms a key, each
    key stamped as the window system stamps it, while the GUI thread is blocked 80 ms out of every 100: every code
    arrives whole and nothing leaks into the UI as typing."""
    wedge = WedgeScanFilter(WedgeScannerConfig(), window)  # the real clock
    window.installEventFilter(wedge)
    scans: list[str] = []
    wedge.scanned.connect(scans.append)
    codes = [f"SQA1:BR042:APT-{n:03d}:ACCOUNTS:20261124T10{n:02d}:K{n:04d}" for n in range(10)]
    widest: dict[str, int] = {}  # each code's widest gap between two stamps, as this thread really typed it

    def scanner() -> None:
        for code in codes:
            last = None
            for char in code + "\r":
                stamp = int(time.monotonic() * 1000)
                widest[code] = max(widest.get(code, 0), stamp - (last if last is not None else stamp))
                last = stamp
                modifiers = Qt.KeyboardModifier.ShiftModifier if char.isupper() else Qt.KeyboardModifier.NoModifier
                for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
                    event = QKeyEvent(kind, _key_for(char), modifiers, char)
                    event.setTimestamp(stamp)
                    QCoreApplication.postEvent(window, event)
                time.sleep(0.003)
            time.sleep(0.15)  # the next customer

    busy = QTimer(interval=20)
    busy.timeout.connect(lambda: time.sleep(0.08))  # the GUI thread busy (a heavy frame, a slow slot)
    typing = threading.Thread(target=scanner, name="test-scanner")
    busy.start()
    typing.start()
    try:
        qtbot.waitUntil(lambda: not typing.is_alive(), timeout=20000)
        busy.stop()
        qtbot.waitUntil(lambda: wedge.holding == "", timeout=3000)
        qtbot.wait(100)
    finally:
        busy.stop()
        typing.join()
    # A code this thread itself typed with a pause longer than a scan's (a machine loaded by parallel runs can
    # starve it) is no longer a burst, and may rightly be split: the GUI thread's delays must never split the others.
    limit = WedgeScannerConfig().max_interkey_ms
    steady = [code for code in codes if widest[code] < limit]
    assert len(steady) >= 5, f"the scanner thread itself was too slow to test anything: {widest}"
    assert [code for code in steady if code not in scans] == []
    assert all(scan in codes or any(scan in code for code in codes if code not in steady) for scan in scans), scans
    assert window.typed == ""
