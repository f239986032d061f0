"""Render the board at many sizes/states/languages and run the text-fit audit on each (issue 15 review)."""
from __future__ import annotations
import copy, sys, json
from pathlib import Path
from PySide6.QtCore import QCoreApplication, QEventLoop, QTimer
import datetime as dt
from appkit.bootstrap import make_application
from appkit.qml_host import QmlHost
from config.display import DisplayConfig
from display.board import BoardModel
from display.viewmodel import DisplayViewModel
from display.preview import sample_snapshot, MESSAGES, QML
from tests.text_fit import problems

OUT = Path(sys.argv[1] if len(sys.argv) > 1 else "/tmp/r15/display")
SIZES = [(800, 480), (1024, 600), (1280, 720), (1920, 1080)]
MATCHED = {(800, 480): (15, 3), (1024, 600): (21, 4), (1280, 720): (32, 6), (1920, 1080): (55, 10)}

def state(name):
    s = sample_snapshot()
    if name == "empty":
        s["recent_calls"] = []
        for c in s["counters"]:
            c["current"] = None
    elif name == "closed":
        s["recent_calls"] = []
        for c in s["counters"]:
            c["current"] = None; c["open"] = False; c["agent"] = None
        for sv in s["services"]:
            sv["open_counters"] = 0; sv["waiting"] = 4
    elif name == "long":
        s["services"][0]["names"] = {"fr": "Ouverture de compte et services aux particuliers", "en": "Account opening and personal banking services", "ar": "فتح الحسابات وخدمات العملاء الأفراد والمؤسسات"}
        s["services"][1]["waiting"] = 123
        s["services"][1]["estimated_wait_s"] = 3 * 3600 + 25 * 60
        for c in s["counters"]:
            c["names"] = {"fr": "Guichet principal du rez-de-chaussée " + c["id"], "en": "Main ground floor counter " + c["id"], "ar": "الشباك الرئيسي في الطابق الأرضي " + c["id"]}
    elif name == "many":
        # 8 counters calling within the last minute, numbers up to 3 digits
        s["counters"] = []
        s["recent_calls"] = []
        for i in range(8):
            cid = str(10 + i)
            at = f"2026-11-24T09:46:{50 - i * 5:02d}Z"
            num = f"{'ABC'[i % 3]}-{100 + i * 111}"
            s["recent_calls"].append({"ticket_id": f"t{i}", "number": num, "service": ["accounts", "cash", "loans"][i % 3], "counter": cid, "at": at, "recalls": 0, "status": "called"})
            s["counters"].append({"id": cid, "names": {"fr": f"Guichet {cid}", "en": f"Counter {cid}", "ar": f"الشباك {cid}"}, "zone": None, "services": ["accounts"], "agent": "a", "paused": False, "open": True, "waiting": 1,
                                  "current": {"id": f"t{i}", "number": num, "service": ["accounts", "cash", "loans"][i % 3], "status": "called", "called_at": at, "recalls": 0}})
    elif name == "longids":
        # counter ids are free-form Idents (up to 64 chars); the board prints the id in the counter column
        ren = {"1": "guichet-ouest", "2": "caisse-rapide-2", "3": "bureau-credits"}
        for c in s["counters"]:
            old = c["id"]; c["id"] = ren[old]
        for r in s["recent_calls"]:
            r["counter"] = ren[r["counter"]]
    return s

def run(size, lang, st, layout, matched, stale=False):
    w, h = size if layout == "landscape" else (size[1], size[0])
    extra = {}
    if matched:
        inches, dist = MATCHED[size]
        extra = {"screen_inches": inches, "viewing_distance_m": dist}
    config = DisplayConfig(layout=layout, languages=[lang], message=MESSAGES, **extra)
    board = BoardModel(recent_limit=config.recent_calls, calling_max=config.calling_max)
    board.load(state(st))
    fixed = dt.datetime(2026, 11, 24, 9, 47, tzinfo=dt.UTC)
    vm = DisplayViewModel(config, board, [lang], clock=lambda: fixed)
    vm.set_stale(stale)
    vm.set_node_time(board.node_now)
    vm.calls_updated()
    host = QmlHost(QML, {"vm": vm}, fullscreen=False, language=lang)
    try:
        host.window.resize(w, h)
        loop = QEventLoop(); QTimer.singleShot(350, loop.quit); loop.exec()
        tag = f"{layout}-{w}x{h}-{'m' if matched else 'd'}-{st}{'-stale' if stale else ''}-{lang}"
        img = host.window.grabWindow()
        OUT.mkdir(parents=True, exist_ok=True)
        img.save(str(OUT / f"{tag}.png"))
        p = problems(host.window)
        info = {"rows": len(vm.property("callingRows")), "recent": len(vm.property("recentRows")), "state": vm.property("callingState")}
        return tag, p, info
    finally:
        host.close(); QCoreApplication.processEvents(); vm.deleteLater()

def main():
    make_application("r15")
    sel = sys.argv[2].split(",") if len(sys.argv) > 2 else ["busy", "empty", "closed", "long", "many", "longids", "stale"]
    results = {}
    for st in sel:
        for layout in ("landscape", "portrait"):
            for size in SIZES:
                for matched in (False, True):
                    for lang in ("fr", "en", "ar"):
                        real = "busy" if st == "stale" else st
                        tag, p, info = run(size, lang, real, layout, matched, stale=(st == "stale"))
                        results[tag] = {"problems": p, **info}
                        if p:
                            print(tag, info, p[:4], flush=True)
    (OUT / "results.json").write_text(json.dumps(results, indent=1, ensure_ascii=False))
    print("done", len(results), "renders,", sum(1 for r in results.values() if r["problems"]), "with problems")

main()
