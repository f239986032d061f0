"""A kiosk view-model wired to a real node on loopback and a virtual printer on a real pty."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from pydantic import SecretStr

from config.loader import load_config
from config.printer import PrinterConfig, SerialConnection
from config.schema import AppConfig
from hardware.printer.simulator import PtySimulatorServer, VirtualPrinter
from kiosk.app import make_printer_device
from kiosk.printing import TicketPrinter
from kiosk.technician import TechnicianViewModel
from kiosk.viewmodel import KioskViewModel
from tests.branch.conftest import RunningNode, start_node, stop_node

EXAMPLES = Path(__file__).resolve().parents[2] / "config" / "examples"
KEY = "demo-appointment-key-change-me"


def kiosk_config(url: str, token: str, tmp: Path, printer_port: str | None, branch: dict | None = None,
                 **kiosk) -> AppConfig:
    base = load_config(EXAMPLES / "kiosk.toml")
    printer = None
    if printer_port is not None:
        printer = PrinterConfig(connection=SerialConnection(port=printer_port), status_timeout_s=0.3)
    return base.model_copy(update={
        "branch": base.branch.model_copy(update={"appointment_key": SecretStr(KEY), **(branch or {})}),
        "device": base.device.model_copy(update={"node_url": url, "token": SecretStr(token), "data_dir": str(tmp),
                                                 "token_file": None, "request_timeout_s": 2.0}),
        "printer": printer,
        "kiosk": base.kiosk.model_copy(update={"tap_debounce_ms": 100, "issue_retry_seconds": 1.5, **kiosk}),
    })


@dataclass
class KioskRig:
    node: RunningNode
    vm: KioskViewModel
    printer: TicketPrinter
    virtual: VirtualPrinter | None
    server: PtySimulatorServer | None
    tech: TechnicianViewModel


def make_rig(tmp_path: Path, *, printer: bool = True, node_config: AppConfig | None = None,
             branch: dict | None = None, **kiosk) -> KioskRig:
    from appkit.device import make_client

    node = start_node(tmp_path / "node", node_config)
    virtual = server = None
    port = None
    if printer:
        virtual = VirtualPrinter(576)
        server = PtySimulatorServer(virtual).start()
        port = server.path
    config = kiosk_config(node.url, node.tokens["kiosk"], tmp_path / "kiosk", port, branch, **kiosk)
    client = make_client(config, node.tokens["kiosk"])
    ticket_printer = TicketPrinter(config.printer, make_printer_device)
    vm = KioskViewModel(config, client, ticket_printer, "kiosk-test")
    return KioskRig(node, vm, ticket_printer, virtual, server, TechnicianViewModel(vm))


def close_rig(rig: KioskRig) -> None:
    rig.vm.stop()
    rig.printer.close()
    rig.vm.client.close()
    if rig.server is not None:
        rig.server.close()
    stop_node(rig.node)


@pytest.fixture
def rig(tmp_path, qapp) -> Iterator[KioskRig]:
    made = make_rig(tmp_path)
    yield made
    close_rig(made)
