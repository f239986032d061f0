"""Eight counters call within a second on a real node, counter names long in Arabic, the board alternating fr/ar
on the default 55" 1080p panel (review 15b): every call is on the board, nothing moves between the languages —
and the Arabic counter names in the list are cut in the middle ("شباك ال…لمهنيين"), which the audit finds."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import pytest

from branch.devices import register_device
from config.schema import Names
from devtools.board_sweep import board_rules
from devtools.screen_audit import pump
from devtools.screen_audit.checks import Finding, check_snapshot
from devtools.screen_audit.runner import capture
from display.announcer import RecordingAnnouncer
from display.app import build
from nodeclient.client import NodeClient
from tests.branch.conftest import example_config, start_node, stop_node
from tests.display.conftest import display_config

#: Counter names a branch may well configure (25-33 characters): "main customer service counter", ...
ARABIC = ["شباك خدمة الزبائن الرئيسي", "مكتب القروض العقارية والاستهلاكية", "الصندوق",
          "شباك الحسابات والبطاقات البنكية", "مكتب الاستقبال والتوجيه", "شباك الشركات والمهنيين", "مكتب الصرف",
          "شباك التحويلات الدولية"]
SIZE = (1920, 1080)


@dataclass
class Seen:
    numbers: list[str] = field(default_factory=list)  # called, in order
    shown: dict[str, set[str]] = field(default_factory=dict)  # language → the numbers some text shows
    geometry: dict[str, list] = field(default_factory=dict)  # language → every render's named boxes
    findings: dict[str, list[Finding]] = field(default_factory=dict)


def wait_for(condition: Callable[[], bool], timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        pump(20)


def eight_counters_config():
    config = example_config()
    counter, agent = config.counters[0], config.agents[0]
    counters = [counter.model_copy(update={"id": str(n + 1), "names": Names(
        fr=f"Guichet {n + 1}", en=f"Counter {n + 1}", ar=ARABIC[n])}) for n in range(8)]
    agents = [agent.model_copy(update={"id": f"ag{n}", "number": str(300 + n), "name": f"Agent {n}",
                                       "counters": None}) for n in range(8)]  # PIN 1234
    return config.model_copy(update={"counters": counters, "agents": agents})


@pytest.fixture(scope="module")
def seen(qapp, tmp_path_factory) -> Seen:
    result = Seen()
    node = start_node(tmp_path_factory.mktemp("eight") / "node", eight_counters_config())
    try:
        agents = []
        for n in range(8):
            counter = str(n + 1)
            _, token = asyncio.run_coroutine_threadsafe(node.node.write(
                lambda c=counter: register_device(node.node.store, "keypad", c, f"kp{c}", f"dev-kp{c}")),
                node.loop).result(10)
            session = NodeClient(token, base_url=node.url).login(f"ag{n}", pin="1234")["session"]
            agents.append(node.client_with(session))
        app = build(display_config(languages=["fr", "ar"], alternate_seconds=3), node.client("display"),
                    RecordingAnnouncer(duration_ms=30), "dev-display", stale_grace_ms=100)
        host = app.show(fullscreen=False, size=SIZE)
        app.vm._alternate.setInterval(300)  # the configured minimum is 3 s; the timer itself is tested elsewhere
        app.start()
        try:
            wait_for(lambda: app.feed.connected)
            kiosk = node.client("kiosk")
            for n in range(8):
                kiosk.issue_ticket("accounts" if n % 2 else "cash")
            for n, agent in enumerate(agents):
                result.numbers.append(agent.counter_action(str(n + 1), "call-next")["counter"]["current"]["number"])
            wait_for(lambda: len(app.vm.property("callingRows")) >= 2)
            pump(1000)  # the pop-in animations end
            for _ in range(4):
                language = app.vm.property("language")
                wait_for(lambda lang=language: app.vm.property("language") != lang)
                pump(60)
                language = app.vm.property("language")
                snap, image = capture(host.window, "eight", language, "normal", language == "ar")
                texts = " ".join(i.text.text for i in snap.items if i.text and i.opacity > 0.05)
                result.shown.setdefault(language, set()).update(n for n in result.numbers if n in texts)
                result.geometry.setdefault(language, []).append(sorted(
                    (i.name, round(i.rect.x), round(i.rect.y), round(i.rect.w), round(i.rect.h))
                    for i in snap.items if i.name and i.text is None and i.opacity > 0.05))
                result.findings[language] = check_snapshot(snap, board_rules(SIZE, 55, 10), image)
        finally:
            app.close(wait=True)
    finally:
        stop_node(node)
    return result


def test_eight_calls_are_all_on_the_board_and_nothing_moves_between_languages(seen):
    assert len(set(seen.numbers)) == 8
    assert seen.shown == {"fr": set(seen.numbers), "ar": set(seen.numbers)}
    first = seen.geometry["fr"][0]
    assert all(g == first for renders in seen.geometry.values() for g in renders)  # every box, both languages
    assert seen.findings["fr"] == []


@pytest.mark.xfail(strict=True, reason="review 15b, not fixed: a counter name too long at the floor is cut in the "
                   "middle (RecentCalls.qml ElideMiddle); service names wrap to two lines, counter names do not")
def test_long_arabic_counter_names_are_whole(seen):
    assert [str(f) for f in seen.findings["ar"]] == []
