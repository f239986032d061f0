"""QML smoke tests: the real board loaded offscreen, items found by objectName, mirroring, screenshots."""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial

import pytest
from PySide6.QtCore import QPointF
from PySide6.QtQuick import QQuickItem

from display.announcer import RecordingAnnouncer
from display.app import DisplayApp, build
from display.preview import SIZES, render, sample_snapshot
from nodeclient.client import NodeClient
from tests.display.conftest import display_config
from tests.qml_support import find
from tests.qml_support import find_item as _find_item

find_item = partial(_find_item, visible_only=False)  # the board has items hidden by layout


def scene_x(item: QQuickItem) -> float:
    return item.mapToScene(QPointF(0, 0)).x()


@pytest.fixture
def shown(qtbot, request) -> Iterator[DisplayApp]:
    layout = getattr(request, "param", "landscape")
    config = display_config(layout=layout, languages=["fr", "ar"], message={"fr": "Bienvenue", "ar": "مرحبا"})
    client = NodeClient("unused", base_url="http://127.0.0.1:9", retries=0, timeout=0.2)  # never started
    app = build(config, client, RecordingAnnouncer(), "dev-display")
    app.board.load(sample_snapshot())
    app.vm.set_node_time(app.board.node_now)
    app.vm.set_stale(False)
    app.vm.calls_updated()
    host = app.show(fullscreen=False, size=(1280, 720) if layout == "landscape" else (720, 1280))
    qtbot.waitExposed(host.window)
    yield app
    app.close(wait=True)
    client.close()
    qtbot.wait(10)


def test_the_board_shows_the_view_models_data(qtbot, shown):
    window = shown.host.window
    find_item(window, "landscapeLayout")
    assert find_item(window, "nowNumber").property("text") == "A-042"
    assert find_item(window, "nowCounter").property("text") == "1"
    assert find_item(window, "callNumber_1").property("text") == "C-017"  # called 11 s before A-042
    assert find_item(window, "nowCallingTitle").property("text") == "Appel en cours"
    assert find_item(window, "recentNumber_1").property("text") == "B-005"  # under "Aux guichets"
    assert find_item(window, "serviceName_accounts").property("text") == "Comptes et cartes"
    assert find_item(window, "messageText").property("text") == "Bienvenue"
    assert not find_item(window, "staleIndicator").isVisible()
    shown.vm.set_stale(True)
    assert find_item(window, "staleIndicator").isVisible()
    assert find_item(window, "staleText").property("text") == "Reconnexion…"


def geometry(window, names):
    out = {}
    for name in names:
        item = find_item(window, name)
        corner = item.mapToScene(QPointF(0, 0))
        out[name] = (round(corner.x()), round(corner.y()), round(item.width()), round(item.height()))
    return out


LAID_OUT = ["nowCalling", "recentCalls", "servicesPanel", "header", "nowNumber", "nowCounter", "callingRow_0",
            "callingRow_1", "recentCall_1", "clock"]


def rows(window) -> int:
    return sum(1 for i in range(20) if find(window, f"recentCall_{i}") or find(window, f"recentHeading_{i}"))


@pytest.mark.parametrize("shown", ["landscape", "portrait"], indirect=True)
def test_alternating_languages_moves_words_only(qtbot, shown):
    """fr → ar → en: the same geometry, clock and number of rows; only the words change (issue 15)."""
    window = shown.host.window
    qtbot.wait(50)
    names = [name for name in LAID_OUT if find(window, name, visible_only=False) is not None]
    assert len(names) >= 8
    before, clock, count = geometry(window, names), find_item(window, "clock").property("text"), rows(window)
    for language, title in (("ar", "النداء الحالي"), ("en", "Now calling"), ("fr", "Appel en cours")):
        shown.vm.set_language(language)
        qtbot.waitUntil(lambda t=title: find_item(window, "nowCallingTitle").property("text") == t, timeout=2000)
        with qtbot.waitSignal(window.frameSwapped, timeout=3000):  # measured on the frame people see
            window.update()
        assert geometry(window, names) == before, language
        assert find_item(window, "clock").property("text") == clock
        assert rows(window) == count
    assert find_item(window, "callingCounterHeading").property("text") == "Guichet"


@pytest.mark.parametrize("shown", ["portrait"], indirect=True)
def test_portrait_layout(qtbot, shown):
    window = shown.host.window
    find_item(window, "portraitLayout")
    now, recent = find_item(window, "nowCalling"), find_item(window, "recentCalls")
    assert now.mapToScene(QPointF(0, 0)).y() < recent.mapToScene(QPointF(0, 0)).y()


def test_shown_acks_wait_for_a_frame(qtbot, shown):
    assert shown.acker.wait_for_frame
    call = shown.board.calls[0]
    shown.acker.shown(call)
    assert shown.acker.sent == []
    shown.host.window.update()
    qtbot.waitUntil(lambda: shown.acker.sent == [(call.ticket_id, 0, False)], timeout=2000)


@pytest.mark.parametrize("layout", list(SIZES))
def test_screenshots_in_every_language(qtbot, tmp_path, layout):
    for language in ("fr", "en", "ar"):
        image = render(tmp_path / f"display-{layout}-{language}.png", language, layout, settle_ms=150)
        assert (image.width(), image.height()) == SIZES[layout]
        colours = {image.pixelColor(x, y).name() for x in range(0, image.width(), 37)
                   for y in range(0, image.height(), 37)}
        assert len(colours) > 8, f"{layout}/{language} looks blank"


def test_media_panel_shows_an_image_from_the_playlist(qtbot, tmp_path):
    from PySide6.QtGui import QColor, QImage

    picture = QImage(64, 48, QImage.Format.Format_RGB32)
    picture.fill(QColor("#3366cc"))
    picture.save(str(tmp_path / "welcome.png"))
    config = display_config(media=[{"path": str(tmp_path / "welcome.png"), "seconds": 5}])
    client = NodeClient("unused", base_url="http://127.0.0.1:9", retries=0, timeout=0.2)
    app = build(config, client, RecordingAnnouncer(), "dev-display")
    try:
        host = app.show(fullscreen=False, size=(1280, 720))
        qtbot.waitExposed(host.window)
        image = find_item(host.window, "mediaImage")
        assert find_item(host.window, "mediaPanel").isVisible() and image.isVisible()
        # `status` has no Python converter: the loaded picture's size says it is ready
        qtbot.waitUntil(lambda: image.property("sourceSize").width() == 64, timeout=3000)
        assert not find_item(host.window, "mediaVideo").isVisible()
    finally:
        app.close(wait=True)
        client.close()
        qtbot.wait(10)


# The busy, empty and reconnecting boards in fr/en/ar, both orientations, on the default 55" panel read from 10 m
# are checked by the layout audit (tests/display/test_screens_audit.py); here a panel with other proportions.
@pytest.mark.parametrize("language", ["fr", "ar"])
def test_a_small_screen_read_from_near_passes_the_audit(qtbot, language):
    """A 32" 1080p screen read from 4 m (text sizes are derived from both): every text whole, inside, apart."""
    from display.preview import open_preview
    from tests.display.screens import audit_findings

    for layout in SIZES:
        with open_preview(language, layout, settle_ms=150, screen_inches=32, viewing_distance_m=4) as host:
            assert audit_findings(host) == [], layout


def test_language_alternation_on_a_real_node_keeps_the_board_still(qtbot, node):
    """A board on a real node, two counters calling: the timer alternates fr/ar and nothing moves."""
    from tests.display.conftest import LiveDisplay

    display = LiveDisplay(node, display_config(languages=["fr", "ar"], alternate_seconds=3))
    host = display.app.show(fullscreen=False, size=(1280, 720))
    display.app.vm._alternate.setInterval(150)  # the configured minimum is 3 s; the timer itself is tested
    display.app.start()
    try:
        qtbot.waitExposed(host.window)
        qtbot.waitUntil(lambda: display.app.feed.connected, timeout=5000)
        karim = node.agent("karim", "5678", counter="2")
        display.kiosk.issue_ticket("cash")
        display.kiosk.issue_ticket("accounts")
        display.agent.counter_action("1", "call-next")
        karim.counter_action("2", "call-next")
        qtbot.waitUntil(lambda: len(display.app.vm.property("callingRows")) == 2, timeout=3000)
        qtbot.wait(500)  # the pop-in animation ends
        window = host.window
        names = [n for n in LAID_OUT if find(window, n, visible_only=False) is not None]
        seen = {}
        for _ in range(6):
            language = display.app.vm.property("language")
            qtbot.waitUntil(lambda lang=language: display.app.vm.property("language") != lang, timeout=2000)
            with qtbot.waitSignal(window.frameSwapped, timeout=3000):  # what people see: the next frame drawn
                window.update()
            clock = find_item(window, "clock").property("text")
            assert len(clock) == 5 and clock[2] == ":" and clock.replace(":", "").isascii()  # 24 h, Latin digits
            seen[display.app.vm.property("language")] = geometry(window, names)
        assert set(seen) == {"fr", "ar"} and seen["fr"] == seen["ar"]
    finally:
        display.close()
