import sys, tempfile
from pathlib import Path
from PySide6.QtWidgets import QApplication
app = QApplication(sys.argv)
from PySide6.QtQuick import QQuickItem
from tests.kiosk.conftest import make_rig, close_rig
from tests.kiosk.screens import wait_for
from devtools.screen_audit import pump
from appkit.qml_host import QmlHost
from kiosk.app import QML
from kiosk.qr import register_qml_types

def texts(win):
    out = []
    def walk(item):
        if item.objectName().startswith("tile_"):
            out.append(item.property("text"))
        for c in item.childItems(): walk(c)
    walk(win.contentItem())
    return out[:2]

with tempfile.TemporaryDirectory() as tmp:
    rig = make_rig(Path(tmp))
    import os
    if os.environ.get("NOMEMO"): rig.vm._memoised = lambda key, build: build()
    vm = rig.vm
    register_qml_types()
    host = QmlHost(QML, {"vm": vm, "tech": rig.tech}, fullscreen=False, language="fr")
    vm.retranslate.connect(host.retranslate)
    vm.start()
    wait_for(lambda: vm.screen == "home" and bool(vm.tiles))
    pump(100)
    for lang in ("fr", "en", "ar", "en", "fr", "en"):
        vm.setLanguage(lang); pump(100)
        print(lang, "qml:", texts(host.window), "vm:", [t["name"] for t in vm.tiles][:2])
    host.close(); close_rig(rig)
