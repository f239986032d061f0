"""Review of issue 14: render kiosk variants the audit does not cover (2 and 6 services with long names, no
printer, a public phone link or none) in fr/en/ar × normal/large/contrast × both sizes, run the audit's checks on
each, and write the PNGs to look at. Usage: QT_QPA_PLATFORM=offscreen python -m tests.review.review14_render OUT"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from pydantic import SecretStr
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication

from appkit.fonts import load_fonts
from appkit.qml_host import QmlHost
from config.loader import load_config
from config.schema import ServiceSection
from devtools.screen_audit import AuditReport, audit_state
from kiosk.app import QML
from kiosk.qr import register_qml_types
from tests.branch.conftest import EXAMPLE
from tests.kiosk import screens as ks
from tests.kiosk.conftest import make_rig

LONG = [
    ("accounts", "Ouverture, clôture et modification de comptes courants et d'épargne pour particuliers",
     "Opening, closing and changing current and savings accounts for private customers",
     "فتح وإغلاق وتعديل الحسابات الجارية وحسابات الادخار للأفراد"),
    ("cash", "Dépôts et retraits d'espèces, chèques de banque et opérations de caisse internationales",
     "Cash deposits and withdrawals, bank cheques and international counter operations",
     "الإيداع والسحب النقدي والشيكات المصرفية والعمليات الدولية"),
]


def config_with(n: int):
    config = load_config(EXAMPLE)
    services = []
    for i in range(n):
        ident, fr, en, ar = LONG[i % 2]
        services.append(ServiceSection(id=f"{ident}{i}" if i >= 2 else ident, prefix="ABCDEFGHIJKL"[i],
                                       names={"fr": fr, "en": en, "ar": ar}))
    return config.model_copy(update={"services": services, "groups": [],
                                     "node": config.node.model_copy(update={"advertise": False})})


class Variant(ks.KioskScreens):
    def __init__(self, tmp: Path, *, n: int, printer: bool, branch: dict | None, states, priority="never"):
        settings = {"inactivity_seconds": 600, "ticket_screen_seconds": 120, "unprinted_ticket_seconds": 300,
                    "services_refresh_seconds": 300, "tap_debounce_ms": 100,
                    "technician_pin_hash": SecretStr(ks.hash_pin(ks.TECH_PIN)), "priority_question": priority}
        self.rig = make_rig(tmp, printer=printer, node_config=config_with(n), branch=branch, **settings)
        self.states = states
        self.diagonal_inches = self.rig.vm.kiosk.screen_diagonal_inches
        self.node_stopped = False
        load_fonts(QGuiApplication.instance())
        register_qml_types()
        self.host = QmlHost(QML, {"vm": self.rig.vm, "tech": self.rig.tech}, fullscreen=False, language="fr")
        self.window = self.host.window
        self.rig.vm.retranslate.connect(self.host.retranslate)
        self.window.resize(*ks.SIZES[0])
        self.rig.vm.start()
        ks.wait_for(lambda: self.vm.screen == "home" and bool(self.vm.tiles), what="home")
        if printer:
            ks.wait_for(lambda: self.rig.printer.state == "ready", what="printer ready")

    def _enter_ticket_any(self):
        self.vm.chooseService("accounts")
        ks.wait_for(lambda: self.vm.screen == "ticket", what="ticket screen")
        ks.wait_for(lambda: not self.vm.ticket["printing"], what="print result")


def main(out: Path) -> int:
    _app = QApplication.instance() or QApplication(sys.argv)  # kept alive while the screens render
    variants = {
        "two-long": dict(n=2, printer=True, branch=None, states=("home", "ticket_any")),
        "six-long": dict(n=6, printer=True, branch=None, states=("home",)),
        "noprinter-public": dict(n=2, printer=False, states=("ticket_any",), branch={
            "public_base_url": "https://q.example.org", "phone_link_key": SecretStr("ab" * 32)}),
        "noprinter-nolink": dict(n=2, printer=False, states=("ticket_any",), branch=None),
    }
    total = 0
    for name, kw in variants.items():
        with tempfile.TemporaryDirectory() as tmp:
            s = Variant(Path(tmp), **kw)
            try:
                report = AuditReport()
                for state in s.states:
                    one = audit_state(s, state, out / name)
                    report.findings += one.findings
                if s.vm.ticket:
                    print(name, "TICKET:", {k: s.vm.ticket[k] for k in ("qrLabel", "note", "wait")},
                          "qr:", s.vm.ticket["qr"][:60])
            finally:
                s.close()
        print(f"== {name}: {len(report.findings)} findings")
        print(report.summary()[:3000])
        total += len(report.findings)
    return 1 if total else 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1])))
