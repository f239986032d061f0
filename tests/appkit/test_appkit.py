"""The shared Qt kit: results back on the GUI thread, qsTr from the catalogs, the event feed from a real node."""

from __future__ import annotations

import threading

from PySide6.QtCore import QCoreApplication, QThread, QUrl
from PySide6.QtQml import QQmlComponent, QQmlEngine

from appkit.feed import EventFeed
from appkit.i18n import CatalogTranslator, layout_direction
from appkit.tasks import TaskRunner
from tests.branch.conftest import start_node, stop_node


def test_task_results_come_back_on_the_gui_thread(qtbot, qapp):
    runner = TaskRunner()
    seen: dict = {}
    gui = QThread.currentThread()

    def work() -> int:
        seen["worker"] = threading.current_thread().name
        return 42

    def done(value: int) -> None:
        seen["value"], seen["gui"] = value, QThread.currentThread() is gui

    def failed(err: BaseException) -> None:
        seen["error"] = str(err)

    runner.submit(work, on_done=done)
    runner.submit(lambda: 1 / 0, on_error=failed)
    qtbot.waitUntil(lambda: "value" in seen and "error" in seen, timeout=3000)
    runner.shutdown()
    assert seen["value"] == 42 and seen["gui"] and seen["worker"].startswith("sq-worker")
    assert "division" in seen["error"]


def test_qml_qstr_reads_the_catalogs(qapp):
    translator = CatalogTranslator("fr")
    QCoreApplication.installTranslator(translator)
    try:
        engine = QQmlEngine()
        component = QQmlComponent(engine)
        component.setData(b'import QtQml\nQtObject { property string label: qsTr("You are next") }', QUrl("inline.qml"))
        item = component.create()
        assert item.property("label") == "Vous êtes le prochain"
        translator.language = "ar"
        engine.retranslate()
        assert item.property("label") == "أنت التالي"
        del item
        engine.deleteLater()
    finally:
        QCoreApplication.removeTranslator(translator)
    assert layout_direction("ar").name == "RightToLeft"


def test_event_feed_delivers_node_events_in_order(qtbot, tmp_path):
    running = start_node(tmp_path / "n")
    feed = EventFeed(running.client("display"))
    received: list[dict] = []
    feed.event.connect(received.append)
    try:
        with qtbot.waitSignal(feed.connectedChanged, timeout=5000):
            feed.start()
        kiosk = running.client("kiosk")
        for _ in range(3):
            kiosk.issue_ticket("cash")
        qtbot.waitUntil(lambda: len([e for e in received if e["type"] == "TicketIssued"]) == 3, timeout=5000)
        assert [e["data"]["number"] for e in received if e["type"] == "TicketIssued"] == ["C-001", "C-002", "C-003"]
        assert feed.connected
    finally:
        feed.stop()
        stop_node(running)
    assert not feed.connected
