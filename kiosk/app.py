"""The kiosk's composition root: configuration → device, client, printer, scanner, view-model, QML."""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import QCoreApplication

from appkit.bootstrap import QmlHost, install_crash_policy, load_device, make_application
from appkit.device import device_id, make_client
from appkit.i18n import install_translator
from appkit.watchdog import GuiWatchdog
from config.printer import PrinterConfig
from hardware.printer.connection import make_transport
from hardware.printer.device import PrinterDevice
from kiosk.printing import TicketPrinter
from kiosk.qr import register_qml_types
from kiosk.scanning import ScannerHub
from kiosk.viewmodel import KioskViewModel

log = logging.getLogger(__name__)
QML = Path(__file__).resolve().parent / "qml" / "Main.qml"
EXIT_RELOAD = 75


def make_printer_device(config: PrinterConfig) -> PrinterDevice:
    return PrinterDevice(config, make_transport(config))


def run_kiosk(config_path: str, *, windowed: bool, screenshot: Path | None = None, language: str | None = None) -> int:
    loaded = load_device(config_path, "kiosk")
    if loaded is None:
        return 2
    config, token = loaded
    app = make_application("smartqueue-kiosk")
    install_crash_policy(app)
    translator = install_translator(language or config.branch.languages[0])
    client = make_client(config, token)
    printer = TicketPrinter(config.printer, make_printer_device)
    scanner = ScannerHub(config.scanner)
    vm = KioskViewModel(config, client, printer, device_id(config, "kiosk"))
    vm.source_path = str(config_path)
    if language:
        vm.setLanguage(language)
    register_qml_types()
    host = QmlHost(QML, {"vm": vm}, fullscreen=not windowed and screenshot is None)

    def retranslate(code: str) -> None:
        translator.language = code
        host.engine.retranslate()

    vm.retranslate.connect(retranslate)
    scanner.scanned.connect(vm.scanned)
    vm.reloadRequested.connect(lambda: QCoreApplication.exit(EXIT_RELOAD))
    watchdog = GuiWatchdog()  # systemd restarts a kiosk whose GUI thread stops answering
    watchdog.attach(host.window)
    scanner.start(host.window)
    vm.start()
    if screenshot is not None:
        host.screenshot_when_ready(screenshot, app.quit, settle_ms=1500)
    code = app.exec()
    watchdog.stop()
    host.close()
    scanner.stop()
    vm.stop()
    printer.close()
    client.close()
    return code
