"""Eight counters call within a second on a real node, counter names long in every language, the board alternating
fr/ar/en on the default 55" 1080p panel (review 15b): every call is on the board, nothing moves between the
languages, and no counter name in the list is cut (they were, in the middle: "شباك ال…لمهنيين"): a name too long
for one line takes two, in every language, and the list pages through the calls at the counters."""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from branch.devices import register_device
from config.schema import Names
from devtools.screen_audit import Rules, pump
from devtools.screen_audit.checks import Finding, check_snapshot
from devtools.screen_audit.runner import PngWriter, capture
from display.announcer import RecordingAnnouncer
from display.app import build
from nodeclient.client import NodeClient
from tests.branch.conftest import example_config, start_node, stop_node
from tests.display.conftest import display_config
from tests.display.screens import LONG_NAMES

SIZE = (1920, 1080)
LANGUAGES = ["fr", "ar", "en"]


@dataclass
class Seen:
    numbers: list[str] = field(default_factory=list)  # called, in order
    shown: dict[str, set[str]] = field(default_factory=dict)  # language → the numbers some text shows
    geometry: dict[int, list] = field(default_factory=dict)  # page of the list → its renders' named boxes
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
        **{language: names[n] for language, names in LONG_NAMES.items()})}) for n in range(8)]
    agents = [agent.model_copy(update={"id": f"ag{n}", "number": str(300 + n), "name": f"Agent {n}",
                                       "counters": None}) for n in range(8)]  # PIN 1234
    return config.model_copy(update={"counters": counters, "agents": agents})


@pytest.fixture(scope="module")
def seen(qapp, product_fonts, tmp_path_factory) -> Seen:
    result = Seen()
    chosen = os.environ.get("SMARTQUEUE_SCREENSHOTS")  # to look at the board: it is written there
    writer = PngWriter(Path(chosen) / "eight-counters" if chosen else None)
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
        app = build(display_config(languages=LANGUAGES, alternate_seconds=3), node.client("display"),
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
            language = app.vm.property("language")
            wait_for(lambda: app.vm.property("language") != language)  # the board alternates by itself
            app.vm.stop()  # then pages and languages are turned here: each page seen in every language
            for page in range(app.vm.property("recentPages")):
                for language in LANGUAGES:
                    app.vm.set_language(language)
                    pump(60)
                    snap, image = capture(host.window, f"eight-page{page + 1}", language, "normal", False, writer)
                    texts = " ".join(i.text.text for i in snap.items if i.text and i.opacity > 0.05)
                    result.shown.setdefault(language, set()).update(n for n in result.numbers if n in texts)
                    result.geometry.setdefault(page, []).append(sorted(
                        (i.name, round(i.rect.x), round(i.rect.y), round(i.rect.w), round(i.rect.h))
                        for i in snap.items if i.name and i.text is None and i.opacity > 0.05))
                    result.findings.setdefault(language, []).extend(
                        check_snapshot(snap, Rules.for_screen(SIZE, 55), image))
                app.vm.nextPage()
        finally:
            app.close(wait=True)
    finally:
        stop_node(node)
        writer.close()
    return result


def test_eight_calls_are_all_on_the_board_and_nothing_moves_between_languages(seen):
    assert len(set(seen.numbers)) == 8
    assert seen.shown == {language: set(seen.numbers) for language in LANGUAGES}
    assert len(seen.geometry) > 1  # two-line rows: the calls at the counters take two pages of the list
    for renders in seen.geometry.values():
        assert all(g == renders[0] for g in renders)  # every box, in every language


def test_long_counter_names_are_whole(seen):
    """Names that need two lines take two (in every language: the rows do not move), never cut or overlapping."""
    assert {language: [str(f) for f in found] for language, found in seen.findings.items()} == \
        {language: [] for language in LANGUAGES}
