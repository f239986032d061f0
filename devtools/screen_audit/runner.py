"""Render each screen of an app in every language, mode and resolution; check each render; keep the PNGs.

An app plugs in through `Screens`: the states it has and how to bring its window to one of them (the tests do
that against a real node). `audit_state` then renders the state in every variant, writes one PNG per render, and
returns the findings of every check (`checks.py`), the structure check comparing the languages of each variant.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

import numpy as np
from PySide6.QtCore import QCoreApplication, QEventLoop
from PySide6.QtGui import QImage
from PySide6.QtQuick import QQuickWindow

from devtools.screen_audit.checks import Finding, Rules, check_snapshot, check_structure
from devtools.screen_audit.tree import Snapshot, read_tree


class Screens(Protocol):
    """One app's window and how to reach each of its screens."""

    app: str
    states: Sequence[str]
    languages: Sequence[str]
    modes: Sequence[str]  # "normal", and "large" / "contrast" where the app has them
    sizes: Sequence[tuple[int, int]]
    diagonal_inches: float  # of the configured screen: touch targets are measured in millimetres on it
    viewing_cm: float  # where the reader's eyes are: the least character height is an angle from there
    window: QQuickWindow
    # optional `touch_mm: float`: the app's touch target, when it is not the public default (`Rules.touch_mm`,
    # 15 mm); the agent keypad, a staff device, declares 12 mm (docs/architecture.md)
    # optional `text_arcmin: float`: the least cap height, when it is not ISO 9241-303's 16 arcmin (the calling
    # display declares its legibility floor, display/legibility.py)
    # optional `panel(size) -> (diagonal_inches, viewing_cm)`: when each size is another screen read from another
    # distance (the display's 55" at 10 m, 15" at 3 m); else every size is the configured screen

    def enter(self, state: str) -> None:
        """Bring the app to `state` (waiting for whatever that takes)."""

    def show(self, language: str, mode: str, size: tuple[int, int]) -> None:
        """Switch the language and mode, and resize the window, staying on the current state."""

    def rtl(self, language: str) -> bool: ...


@dataclass
class AuditReport:
    findings: list[Finding] = field(default_factory=list)
    snapshots: list[Snapshot] = field(default_factory=list)

    def summary(self, limit: int = 60) -> str:
        lines = [str(f) for f in self.findings[:limit]]
        if len(self.findings) > limit:
            lines.append(f"… and {len(self.findings) - limit} more")
        if self.snapshots:
            lines.append(f"renders: {Path(self.snapshots[0].png).parent}")
        return "\n".join(lines)

    def checks(self) -> set[str]:
        return {f.check for f in self.findings}


def pump(ms: float = 30) -> None:
    """Let queued signals, bindings and deferred deletes run for `ms` (hand-pumped: flush deletes too)."""
    from PySide6.QtCore import QEvent

    deadline = time.monotonic() + ms / 1000
    while True:
        QCoreApplication.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 10)
        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
        if time.monotonic() >= deadline:
            return
        time.sleep(0.002)


def as_array(image: QImage) -> np.ndarray:
    """The grabbed window as an H×W×3 uint8 array (a copy: the QImage may go away)."""
    rgb = image.convertToFormat(QImage.Format.Format_RGB888)
    width, height, stride = rgb.width(), rgb.height(), rgb.bytesPerLine()
    data = np.frombuffer(rgb.constBits(), dtype=np.uint8, count=stride * height).reshape(height, stride)
    return data[:, : width * 3].reshape(height, width, 3).copy()


class PngWriter:
    """Writes the renders on a worker thread: PNG compression costs more than rendering and checking together."""

    def __init__(self, out_dir: Path | None) -> None:
        self.out_dir = out_dir
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="sq-audit-png") if out_dir else None
        self._pending: list[Future] = []

    def write(self, image: QImage, snap: Snapshot) -> None:
        if self._pool is None or self.out_dir is None:
            return
        self.out_dir.mkdir(parents=True, exist_ok=True)
        path = self.out_dir / f"{snap.key}.png"
        snap.png = str(path)
        self._pending.append(self._pool.submit(image.save, str(path), "PNG"))

    def close(self) -> None:
        """Wait for every PNG; a failed write fails the audit run."""
        if self._pool is None:
            return
        self._pool.shutdown(wait=True)
        for future in self._pending:
            if future.result() is False:
                raise OSError(f"could not write a render into {self.out_dir}")


def capture(window: QQuickWindow, state: str, language: str, mode: str, rtl: bool,
            writer: PngWriter | None = None) -> tuple[Snapshot, np.ndarray]:
    """Grab the window (which polishes its layouts), then read its items: both describe the same frame."""
    image = window.grabWindow()
    snap = Snapshot(state, language, mode, (window.width(), window.height()), rtl, read_tree(window))
    if writer is not None:
        writer.write(image, snap)
    return snap, as_array(image)


def audit_window(window: QQuickWindow, rules: Rules, *, state: str = "screen", language: str = "en",
                 mode: str = "normal", rtl: bool = False, out_dir: Path | None = None) -> AuditReport:
    """Check one window as it is now (the audit's own tests use this on hand-made QML)."""
    writer = PngWriter(out_dir)
    try:
        snap, image = capture(window, state, language, mode, rtl, writer)
    finally:
        writer.close()
    return AuditReport(check_snapshot(snap, rules, image), [snap])


def touch_target_mm(screens: Screens) -> float:
    """The app's touch target: its own `touch_mm` if it declares one, else the public default."""
    return float(getattr(screens, "touch_mm", Rules.touch_mm))


def rules_for(screens: Screens, size: tuple[int, int]) -> Rules:
    """The limits for one of the app's sizes: its screen, its reader's distance, its touch target and text angle."""
    panel = getattr(screens, "panel", None)
    diagonal, viewing = panel(size) if panel is not None else (screens.diagonal_inches, screens.viewing_cm)
    return Rules.for_screen(size, diagonal, viewing_cm=viewing, touch_mm=touch_target_mm(screens),
                            text_arcmin=float(getattr(screens, "text_arcmin", Rules.text_arcmin)))


def audit_state(screens: Screens, state: str, out_dir: Path | None) -> AuditReport:
    """Every variant of one state: sizes × modes × languages, with the structure compared across languages."""
    report = AuditReport()
    screens.enter(state)
    writer = PngWriter(out_dir)
    try:
        for size in screens.sizes:
            rules = rules_for(screens, size)
            for mode in screens.modes:
                group: list[Snapshot] = []
                for language in screens.languages:
                    screens.show(language, mode, size)
                    snap, image = capture(screens.window, state, language, mode, screens.rtl(language), writer)
                    report.findings.extend(check_snapshot(snap, rules, image))
                    group.append(snap)
                report.findings.extend(check_structure(group))
                report.snapshots.extend(group)
    finally:
        writer.close()
    return report
