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


def test_right_pin_after_a_wrong_one_opens_the_panel(tmp_path, qapp):
    """Tapped on the pad: a wrong PIN, then the right one. The field must not keep the wrong digits (else the
    right PIN is read as '11112468', counted as another wrong PIN, and the technician is locked out)."""
    from pydantic import SecretStr
    from PySide6.QtCore import QPoint, Qt
    from PySide6.QtTest import QTest

    from ground.hashing import hash_pin
    from tests.kiosk.conftest import close_rig, make_rig

    rig = make_rig(tmp_path, technician_pin_hash=SecretStr(hash_pin("2468")))
    host = _host(rig)

    def tap(name):
        item = next(i for i in _find(host.window, name) if i.isVisible())
        p = item.mapToScene(item.boundingRect().center())
        QTest.mouseClick(host.window, Qt.LeftButton, Qt.NoModifier, QPoint(int(p.x()), int(p.y())))
        pump(30)

    try:
        for _ in range(rig.vm.kiosk.technician_taps):
            tap("techCorner")
        assert rig.vm.screen == "techpin"
        for digit in "1111":
            tap("techPin_" + digit)
        tap("techPinOk")
        wait_for(lambda: bool(rig.tech.pinError), what="wrong PIN")
        pump(100)
        for digit in "2468":
            tap("techPin_" + digit)
        tap("techPinOk")
        wait_for(lambda: rig.vm.screen == "technician", timeout=5,
                 what=f"the panel (field holds {_find(host.window, 'techPinField')[0].property('text')!r})")
    finally:
        host.close()
        close_rig(rig)
