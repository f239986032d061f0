"""Render the calling display in every state, size and language and run the layout audit's checks on each render.

    QT_QPA_PLATFORM=offscreen .venv/bin/python -m devtools.board_sweep --out /tmp/board [--states busy,many]

Each render is saved as a PNG named layout-WxH-{d|m}-state-language.png (d: the default 55" panel read from 10 m,
m: a panel matched to its size) to be looked at, and every finding of the layout audit's checks
(`devtools.screen_audit`: text cut, outside its panel, overlapping, low contrast) is printed and written to
results.json. From the issue 15 review's sweep; the tests audit a subset (`tests/display/screens.py`).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from pathlib import Path
from typing import Any

from PySide6.QtCore import QCoreApplication, QEventLoop, QTimer

from appkit.bootstrap import make_application
from appkit.qml_host import QmlHost
from config.display import DisplayConfig
from devtools.screen_audit import Rules, capture, check_snapshot
from display.board import BoardModel
from display.legibility import floor_cap_mm
from display.preview import MESSAGES, QML, sample_snapshot
from display.viewmodel import DisplayViewModel
from ground.visual_angle import mm_to_arcmin

SIZES = [(800, 480), (1024, 600), (1280, 720), (1920, 1080)]
MATCHED = {(800, 480): (15, 3), (1024, 600): (21, 4), (1280, 720): (32, 6), (1920, 1080): (55, 10)}
STATES = ["busy", "empty", "closed", "long", "many", "longids", "stale"]
LONG_SERVICE = {"fr": "Ouverture de compte et services aux particuliers",
                "en": "Account opening and personal banking services",
                "ar": "فتح الحسابات وخدمات العملاء الأفراد والمؤسسات"}


def board_rules(size: tuple[int, int], inches: float, distance_m: float) -> Rules:
    """The audit's limits for a board: its panel, and for text the floor display/legibility.py sizes it by (a name
    fitted to its column may shrink to 0.8 × the 10 arcmin legibility limit) at its farthest reader's distance."""
    return Rules.for_screen(size, inches, viewing_cm=distance_m * 100,
                            text_arcmin=mm_to_arcmin(floor_cap_mm(distance_m), distance_m * 100))


def many_calls(snapshot: dict[str, Any], count: int = 8) -> None:
    """`count` counters calling within the last minute, three-digit numbers."""
    services = ["accounts", "cash", "loans"]
    snapshot["counters"], snapshot["recent_calls"] = [], []
    for i in range(count):
        counter, at, service = str(10 + i), f"2026-11-24T09:46:{50 - i * 5:02d}Z", services[i % 3]
        number = f"{'ACB'[i % 3]}-{100 + i * 111}"
        snapshot["recent_calls"].append({"ticket_id": f"t{i}", "number": number, "service": service,
                                         "counter": counter, "at": at, "recalls": 0, "status": "called"})
        snapshot["counters"].append({
            "id": counter, "names": {"fr": f"Guichet {counter}", "en": f"Counter {counter}", "ar": f"الشباك {counter}"},
            "zone": None, "services": [service], "agent": "a", "paused": False, "open": True, "waiting": 1,
            "current": {"id": f"t{i}", "number": number, "service": service, "status": "called", "called_at": at,
                        "recalls": 0}})


def snapshot_for(state: str) -> dict[str, Any]:
    snapshot = sample_snapshot()
    if state in ("empty", "closed"):
        snapshot["recent_calls"] = []
        for counter in snapshot["counters"]:
            counter["current"] = None
            if state == "closed":
                counter.update(open=False, agent=None)
        if state == "closed":
            for service in snapshot["services"]:
                service.update(open_counters=0, waiting=4)
    elif state == "long":
        snapshot["services"][0]["names"] = dict(LONG_SERVICE)
        snapshot["services"][1].update(waiting=123, estimated_wait_s=3 * 3600 + 25 * 60)
        for counter in snapshot["counters"]:
            counter["names"] = {"fr": "Guichet principal du rez-de-chaussée " + counter["id"],
                                "en": "Main ground floor counter " + counter["id"],
                                "ar": "الشباك الرئيسي في الطابق الأرضي " + counter["id"]}
    elif state == "many":
        many_calls(snapshot)
    elif state == "longids":  # counter ids are free-form identifiers: the board must not print them raw
        renamed = {"1": "guichet-ouest", "2": "caisse-rapide-2", "3": "bureau-credits"}
        for counter in snapshot["counters"]:
            counter["id"] = renamed[counter["id"]]
        for call in snapshot["recent_calls"]:
            call["counter"] = renamed[call["counter"]]
    return snapshot


def render(out: Path, size: tuple[int, int], language: str, state: str, layout: str,
           matched: bool) -> tuple[str, list[str], dict[str, Any]]:
    width, height = size if layout == "landscape" else (size[1], size[0])
    extra: dict[str, Any] = {}
    inches, distance = DisplayConfig().screen_inches, DisplayConfig().viewing_distance_m
    if matched:
        inches, distance = MATCHED[size]
        extra = {"screen_inches": inches, "viewing_distance_m": distance}
    config = DisplayConfig(layout=layout, languages=[language], message=MESSAGES, **extra)
    board = BoardModel(recent_limit=config.recent_calls, calling_max=config.calling_max)
    board.load(snapshot_for("busy" if state == "stale" else state))
    fixed = dt.datetime(2026, 11, 24, 9, 47, tzinfo=dt.UTC)
    vm = DisplayViewModel(config, board, [language], clock=lambda: fixed)
    vm.set_stale(state == "stale")
    vm.set_node_time(board.node_now)
    vm.calls_updated()
    host = QmlHost(QML, {"vm": vm}, fullscreen=False, language=language)
    try:
        host.window.resize(width, height)
        loop = QEventLoop()
        QTimer.singleShot(350, loop.quit)
        loop.exec()
        tag = f"{layout}-{width}x{height}-{'m' if matched else 'd'}-{state}-{language}"
        snap, image = capture(host.window, state, language, "normal", vm.property("layoutRtl"))
        host.window.grabWindow().save(str(out / f"{tag}.png"))
        info = {"calling": len(vm.property("callingRows")), "listed": len(vm.property("recentRows")),
                "pages": vm.property("recentPages"), "state": vm.property("callingState")}
        findings = check_snapshot(snap, board_rules((width, height), inches, distance), image)
        return tag, [f"[{f.check}] {f.item}: {f.detail}" for f in findings], info
    finally:
        host.close()
        QCoreApplication.processEvents()
        vm.deleteLater()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m devtools.board_sweep", description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--states", default=",".join(STATES))
    parser.add_argument("--languages", default="fr,en,ar")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    make_application("smartqueue-board-sweep")
    results: dict[str, Any] = {}
    for state in args.states.split(","):
        for layout in ("landscape", "portrait"):
            for size in SIZES:
                for matched in (False, True):
                    for language in args.languages.split(","):
                        tag, found, info = render(args.out, size, language, state, layout, matched)
                        results[tag] = {"problems": found, **info}
                        if found:
                            print(tag, info, found[:4], flush=True)
    (args.out / "results.json").write_text(json.dumps(results, indent=1, ensure_ascii=False), encoding="utf-8")
    bad = sum(1 for r in results.values() if r["problems"])
    print(f"{len(results)} renders, {bad} with problems")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
