"""Printer test fixtures: a Qt application for the text rasteriser, sample tickets, simulators on real links."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest

from config.printer import PrinterConfig, SerialConnection, TicketLayout
from hardware.printer.simulator import PtySimulatorServer, TcpSimulatorServer, VirtualPrinter
from hardware.printer.ticket import TicketPrint

#: Fixed instant: golden bytes must not depend on the clock.
ISSUED = dt.datetime(2026, 3, 5, 8, 7, tzinfo=dt.UTC)

NAMES = {
    "fr": ("Agence Rabat Agdal", "Retrait d'espèces", "Merci de votre visite"),
    "en": ("Rabat Agdal Branch", "Cash withdrawal", "Thank you for your visit"),
    "ar": ("وكالة الرباط أكدال", "سحب الأموال", "شكرا لزيارتكم"),
}


@pytest.fixture(scope="session", autouse=True)
def _qt(qapp):
    """One QApplication for the session: the rasteriser needs a QGuiApplication; pytest-qt owns it."""
    return qapp


def make_ticket(language: str = "fr", **changes: object) -> TicketPrint:
    branch, service, footer = NAMES[language]
    values: dict[str, object] = dict(
        branch_name=branch, number="A-042", service_name=service, language=language, issued_at=ISSUED,
        tz_name="Africa/Casablanca", people_ahead=3, estimated_wait_s=840, qr_payload="A042-7f3c", footer=footer,
    )
    values.update(changes)
    return TicketPrint(**values)  # type: ignore[arg-type]


@pytest.fixture
def ticket_factory():
    return make_ticket


def layout() -> TicketLayout:
    return TicketLayout(qr_base_url="https://q.example.com/t/")


@pytest.fixture
def pty_sim() -> Iterator[PtySimulatorServer]:
    with PtySimulatorServer(VirtualPrinter(576)) as server:
        yield server


@pytest.fixture
def tcp_sim() -> Iterator[TcpSimulatorServer]:
    with TcpSimulatorServer(VirtualPrinter(576)) as server:
        yield server


@pytest.fixture
def serial_config(pty_sim: PtySimulatorServer) -> PrinterConfig:
    return PrinterConfig(connection=SerialConnection(port=pty_sim.path), layout=layout())
