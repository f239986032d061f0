"""The kiosk's composition root: one run = printer, scanner, view-model, QML; the appkit bootstrap does the rest.

Threads (see docs/architecture.md): the Qt GUI thread; `sq-kiosk` (two TaskRunner workers: node calls, the PIN
check); the printer's worker (TicketPrinter); the scanner's reader (ScannerHub); `sq-kiosk-reload` (the
bootstrap reading a configuration file).
"""

from __future__ import annotations

import argparse
import logging
from collections.abc import Callable
from pathlib import Path

from appkit.bootstrap import AppBootstrap, AppSpec, LaunchOptions, RunContext
from appkit.qml_host import QmlHost
from config.printer import PrinterConfig
from hardware.printer.connection import make_transport
from hardware.printer.device import PrinterDevice
from kiosk.printing import TicketPrinter
from kiosk.qr import register_qml_types
from kiosk.scanning import ScannerHub
from kiosk.technician import TechnicianViewModel
from kiosk.viewmodel import KioskViewModel

log = logging.getLogger(__name__)
QML = Path(__file__).resolve().parent / "qml" / "Main.qml"


def make_printer_device(config: PrinterConfig) -> PrinterDevice:
    return PrinterDevice(config, make_transport(config))


class KioskApp:
    """One run of the kiosk on one configuration: `show()`, `start()`, `close()` (driven by the bootstrap)."""

    def __init__(self, context: RunContext,
                 make_device: Callable[[PrinterConfig], PrinterDevice] = make_printer_device) -> None:
        config = context.config
        self.printer = TicketPrinter(config.printer, make_device)
        self.scanner = ScannerHub(config.scanner)
        self.vm = KioskViewModel(config, context.client, self.printer, context.device_id)
        self.technician = TechnicianViewModel(self.vm, context.config_path)
        if context.language:
            self.vm.setLanguage(context.language)
        self.technician.reloadRequested.connect(context.request_reload)
        self.scanner.scanned.connect(self.vm.scanned)
        self.host: QmlHost | None = None

    def show(self, *, fullscreen: bool) -> QmlHost:
        register_qml_types()
        self.host = QmlHost(QML, {"vm": self.vm, "tech": self.technician}, fullscreen=fullscreen,
                            language=self.vm.language)
        self.vm.retranslate.connect(self.host.retranslate)
        return self.host

    def start(self) -> None:
        assert self.host is not None, "show() first: the scanner listens to the window's keys"
        self.scanner.start(self.host.window)
        self.vm.start()

    def screenshot(self, path: Path, then: Callable[[], None]) -> None:
        assert self.host is not None
        self.host.screenshot_when_ready(path, then, settle_ms=1500)

    def close(self) -> None:
        if self.host is not None:
            self.vm.retranslate.disconnect(self.host.retranslate)
            self.host.close()
            self.host = None
        self.scanner.stop()
        self.vm.stop()
        self.printer.close()


KIOSK = AppSpec(role="kiosk", build=KioskApp)


def run(args: argparse.Namespace) -> int:
    """`smartqueue kiosk`: the customer's kiosk until SIGTERM; a technician's reload restarts it in place."""
    return AppBootstrap(KIOSK, LaunchOptions.from_args(args)).run()
