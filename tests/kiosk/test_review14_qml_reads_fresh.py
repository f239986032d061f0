"""Review of issue 14: what QML shows must follow the view-model, not a memo cleared too late.

Qt notifies QML bindings of a signal before ordinary connections (QMetaObject::activate calls the declarative
hook first), so a memo cleared by a connection to tilesChanged/ticketChanged is read stale by QML: the tiles lag
one language behind and the ticket screen stays on "Printing your ticket…" after the print result.
"""

from __future__ import annotations

from appkit.qml_host import QmlHost
from devtools.screen_audit import pump
from hardware.printer.simulator import with_faults
from kiosk.app import QML
from kiosk.qr import register_qml_types
from tests.kiosk.screens import wait_for


def _find(window, name):
    found = []

    def walk(item):
        if item.objectName() == name:
            found.append(item)
        for child in item.childItems():
            walk(child)
    walk(window.contentItem())
    return found


def _host(rig):
    register_qml_types()
    host = QmlHost(QML, {"vm": rig.vm, "tech": rig.tech}, fullscreen=False, language="fr")
    rig.vm.retranslate.connect(host.retranslate)
    rig.vm.start()
    wait_for(lambda: rig.vm.screen == "home" and bool(rig.vm.tiles), what="home")
    pump(50)
    return host


def test_tiles_on_screen_follow_a_language_switch(rig):
    host = _host(rig)
    try:
        for language in ("en", "ar", "fr", "en"):
            rig.vm.setLanguage(language)
            pump(50)
            tile = next(t for t in rig.vm.tiles if t["kind"] == "service")
            shown = [item.property("text") for item in _find(host.window, "tile_" + tile["id"])]
            assert shown == [tile["name"]], (language, shown)
    finally:
        host.close()


def test_ticket_screen_shows_the_print_result(rig):
    host = _host(rig)
    try:
        with_faults(rig.virtual, paper_out_after=0)
        rig.printer.refresh()
        wait_for(lambda: rig.printer.state == "paper_out", what="paper out")
        service = next(t for t in rig.vm.tiles if t["kind"] == "service" and t["open"])["id"]
        rig.vm.chooseService(service)
        if rig.vm.screen == "priority":
            rig.vm.choosePriority("")
        wait_for(lambda: rig.vm.screen == "ticket", what="ticket")
        note = lambda: _find(host.window, "ticketNote")[0].property("text")  # noqa: E731
        wait_for(lambda: "papier" in note(), timeout=10, what=f"the paper-out note on screen (shows {note()!r})")
    finally:
        host.close()
