"""Board previews without a node: `python -m display.preview --out docs/screenshots` (fr, en, ar × both layouts,
and reconnecting).

The board is fed a snapshot shaped like `NodeClient.state()` and built from the example branch, so the previews
show real service and counter names in every language. Tests render the same way into a temporary folder.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from PySide6.QtCore import QCoreApplication, QEventLoop, QTimer
from PySide6.QtGui import QImage

from appkit.bootstrap import make_application
from appkit.qml_host import QmlHost
from config.display import DisplayConfig
from config.loader import load_config
from display.board import BoardModel
from display.viewmodel import DisplayViewModel

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "config" / "examples" / "node.toml"
QML = Path(__file__).resolve().parent / "qml" / "Main.qml"
SIZES = {"landscape": (1920, 1080), "portrait": (1080, 1920)}
MESSAGES = {"fr": "Bienvenue ! Pensez à préparer votre pièce d'identité.",
            "en": "Welcome! Please have your ID card ready.",
            "ar": "مرحبا بكم! يرجى تحضير بطاقة التعريف."}


def sample_snapshot(seq: int = 100) -> dict[str, Any]:
    """A busy morning at the example branch, as the node's state() would describe it."""
    config = load_config(EXAMPLE)
    services = [{"id": s.id, "prefix": s.prefix, "names": s.names.as_dict(), "group": s.group, "open_now": True,
                 "waiting": w, "open_counters": 2, "estimated_wait_s": e}
                for s, (w, e) in zip(config.services, [(7, 840), (3, 300), (0, None)], strict=True)]
    calls = [("A-042", "accounts", "1"), ("C-017", "cash", "2"), ("B-005", "loans", "3"), ("A-041", "accounts", "1"),
             ("C-016", "cash", "2"), ("A-040", "accounts", "3"), ("C-015", "cash", "2")]
    times = ["09:46:52", "09:46:41", "09:44:10", "09:41:30", "09:38:05", "09:36:40", "09:33:15"]
    recent = [{"ticket_id": f"t-{n}", "number": n, "service": s, "counter": c, "at": f"2026-11-24T{times[i]}Z",
               "recalls": 0, "status": "called" if i < 3 else "served"} for i, (n, s, c) in enumerate(calls)]
    counters = []
    for c in config.counters:
        current = next((r for r in recent[:3] if r["counter"] == c.id), None)
        counters.append({
            "id": c.id, "names": c.names.as_dict(), "zone": c.zone,
            "services": [x if isinstance(x, str) else x.service for x in c.services],
            "agent": "alice", "paused": False, "open": True, "waiting": 4,
            "current": None if current is None else {
                "id": current["ticket_id"], "number": current["number"], "service": current["service"],
                "status": "called", "called_at": current["at"], "recalls": 0}})
    return {"seq": seq, "day": "2026-11-24", "now": "2026-11-24T09:47:00Z",
            "branch": {"id": config.branch.id, "names": config.branch.name.as_dict(),
                       "timezone": config.branch.timezone},
            "services": services, "counters": counters, "recent_calls": recent, "waiting": [], "parked": []}


@contextlib.contextmanager
def open_preview(language: str, layout: str, *, snapshot: dict[str, Any] | None = None, stale: bool = False,
                 settle_ms: int = 400, **display: Any) -> Iterator[QmlHost]:
    """The board on `snapshot` (default: the busy morning) in a window of the layout's size, settled."""
    make_application("smartqueue-display-preview")
    config = DisplayConfig(layout=layout, languages=[language], message=MESSAGES, **display)
    board = BoardModel(recent_limit=config.recent_calls, calling_max=config.calling_max)
    board.load(snapshot or sample_snapshot())
    fixed = dt.datetime(2026, 11, 24, 9, 47, tzinfo=dt.UTC)
    vm = DisplayViewModel(config, board, [language], clock=lambda: fixed)
    vm.set_stale(stale)
    vm.set_node_time(board.node_now)
    vm.calls_updated()
    host = QmlHost(QML, {"vm": vm}, fullscreen=False, language=language)
    try:
        host.window.resize(*SIZES[layout])
        loop = QEventLoop()
        QTimer.singleShot(settle_ms, loop.quit)
        loop.exec()
        yield host
    finally:
        host.close()
        QCoreApplication.processEvents()
        vm.deleteLater()


def render(out: Path, language: str, layout: str, *, settle_ms: int = 400, **kwargs: Any) -> QImage:
    """Render one board to `out` (PNG) and return the image."""
    with open_preview(language, layout, settle_ms=settle_ms, **kwargs) as host:
        image = host.window.grabWindow()
        out.parent.mkdir(parents=True, exist_ok=True)
        image.save(str(out))
        return image


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m display.preview", description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    args = parser.parse_args(argv)
    for language in ("fr", "en", "ar"):
        for layout in SIZES:
            path = args.out / f"display-{layout}-{language}.png"
            render(path, language, layout)
            print(path)
        path = args.out / f"display-reconnecting-{language}.png"  # the link lost: the calls dimmed, still readable
        render(path, language, "landscape", stale=True)
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
