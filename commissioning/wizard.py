"""The guided setup (Qt Widgets QWizard): the same steps as the flags, one page each, in the technician's language.

Widgets rather than QML: a form-like tool used once per device, with standard text fields and combo boxes, where
QWizard gives the page flow, Back/Next and validation for free. Every step that touches the network or a device runs
on a worker thread (`concurrent.futures`), polled by a QTimer, so the window never freezes.
"""

from __future__ import annotations

import argparse
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any

from PySide6.QtCore import QRegularExpression, QTimer
from PySide6.QtGui import QRegularExpressionValidator
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QFormLayout,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWizard,
    QWizardPage,
)

from commissioning import detect
from commissioning.steps import Answers, SetupError
from ground.i18n import N_, is_rtl, translate


class SetupWizard(QWizard):
    def __init__(self, language: str, defaults: argparse.Namespace) -> None:
        super().__init__()
        self.language = language
        self._ = lambda text, **values: translate(language, text, **values)
        self.pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="setup")
        self.setWindowTitle(self._("SmartQueue device setup"))
        if is_rtl(language):
            from PySide6.QtCore import Qt

            self.setLayoutDirection(Qt.LayoutDirection.RightToLeft)
        for button, text in ((QWizard.WizardButton.NextButton, N_("Next")),
                             (QWizard.WizardButton.BackButton, N_("Back")),
                             (QWizard.WizardButton.FinishButton, N_("Finish")),
                             (QWizard.WizardButton.CancelButton, N_("Cancel"))):
            self.setButtonText(button, self._(text))  # Qt's own translations are not shipped (we use gettext)
        self.fields: dict[str, Any] = {}
        self.addPage(self._role_page(defaults))
        self.addPage(self._pairing_page(defaults))
        self.addPage(self._hardware_page(defaults))
        self.addPage(ResultPage(self))

    def _page(self, title: str) -> tuple[QWizardPage, QFormLayout]:
        page = QWizardPage()
        page.setTitle(self._(title))
        form = QFormLayout(page)
        return page, form

    def _role_page(self, defaults: argparse.Namespace) -> QWizardPage:
        page, form = self._page(N_("Role and node"))
        role = QComboBox(objectName="role")
        role.addItems(["kiosk", "display", "keypad"])
        if defaults.role:
            role.setCurrentText(defaults.role)
        node = QLineEdit(defaults.node or "", objectName="nodeUrl", placeholderText="http://10.0.0.5:8470")
        branch = QLineEdit(defaults.discover or "", objectName="branchId", placeholderText="BR042")
        form.addRow(self._("Role of this device"), role)
        form.addRow(self._("Node address (empty: find it on the network)"), node)
        form.addRow(self._("Branch id (to find the node)"), branch)
        self.fields.update(role=role, node=node, branch=branch)
        return page

    def _pairing_page(self, defaults: argparse.Namespace) -> QWizardPage:
        page, form = self._page(N_("Pairing"))
        code = QLineEdit(objectName="pairingCode", placeholderText="12345678")
        code.setValidator(QRegularExpressionValidator(QRegularExpression(r"\d{8}")))
        form.addRow(self._("Pairing code shown on the node"), code)
        out = QLineEdit(str(defaults.out or ""), objectName="outFile", placeholderText="/etc/smartqueue/kiosk.toml")
        form.addRow(self._("Configuration file"), out)
        page.registerField("code*", code)
        self.fields.update(code=code, out=out)
        return page

    def _hardware_page(self, defaults: argparse.Namespace) -> QWizardPage:
        page, form = self._page(N_("Hardware"))
        found = detect.everything()
        serial = [f.choice for f in found if f.kind == "serial"]
        printer = QComboBox(objectName="printer", editable=True)
        printer.addItems(["simulator", "none"] + [f.choice for f in found if f.kind == "usb-printer"] + serial)
        scanner = QComboBox(objectName="scanner", editable=True)
        scanner.addItems(["wedge", "none"] + serial + [f.choice for f in found if f.kind == "camera"])
        fingerprint = QComboBox(objectName="fingerprint", editable=True)
        fingerprint.addItems(["none", "simulator", *serial])
        for box, value in ((printer, defaults.printer), (scanner, defaults.scanner),
                           (fingerprint, defaults.fingerprint)):
            if value:
                box.setCurrentText(value)
        form.addRow(self._("Ticket printer (kiosk)"), printer)
        form.addRow(self._("Code scanner (kiosk)"), scanner)
        form.addRow(self._("Fingerprint reader (keypad)"), fingerprint)
        detected = QPlainTextEdit("\n".join(f.label for f in found) or self._("no device detected"), readOnly=True)
        form.addRow(self._("Detected"), detected)
        self.fields.update(printer=printer, scanner=scanner, fingerprint=fingerprint)
        return page

    def answers(self) -> Answers:
        f = self.fields
        role = f["role"].currentText()
        return Answers(role=role, out=Path(f["out"].text() or f"/etc/smartqueue/{role}.toml"),
                       pairing_code=f["code"].text(), node_url=f["node"].text() or None,
                       discover_branch=f["branch"].text() or None, printer=f["printer"].currentText(),
                       scanner=f["scanner"].currentText(), fingerprint=f["fingerprint"].currentText())


class ResultPage(QWizardPage):
    """Runs the steps when shown; then offers the hardware tests; Finish is enabled once the config is written."""

    def __init__(self, wizard: SetupWizard) -> None:
        super().__init__()
        self.owner = wizard
        self.setTitle(wizard._("Result"))
        self.log = QPlainTextEdit(readOnly=True, objectName="resultLog")
        self.test = QPushButton(wizard._("Test the hardware"), objectName="testHardware", enabled=False)
        self.test.clicked.connect(self._run_tests)
        layout = QVBoxLayout(self)
        layout.addWidget(self.log)
        layout.addWidget(self.test)
        self.config = None
        self._future: Future | None = None
        self._timer = QTimer(self, interval=100)
        self._timer.timeout.connect(self._poll)

    def isComplete(self) -> bool:
        return self.config is not None

    def initializePage(self) -> None:
        from commissioning.steps import run_setup

        self.log.setPlainText(self.owner._("working…"))
        self._start(lambda: run_setup(self.owner.answers()), self._setup_done)

    def _start(self, work, done) -> None:
        self._done = done
        self._future = self.owner.pool.submit(work)
        self._timer.start()

    def _poll(self) -> None:
        if self._future is None or not self._future.done():
            return
        self._timer.stop()
        future, self._future = self._future, None
        try:
            self._done(future.result())
        except SetupError as err:
            self.log.setPlainText(self.owner._("setup failed: {reason}", reason=str(err)))
        except Exception as err:  # shown, not swallowed: the technician must see it
            self.log.setPlainText(f"{type(err).__name__}: {err}")

    def _setup_done(self, result) -> None:
        outcome, self.config = result
        lines = [f"{'OK' if ok else '✗'}  {name}: {detail}" for name, ok, detail in outcome.steps]
        self.log.setPlainText("\n".join(lines))
        self.test.setEnabled(True)
        self.completeChanged.emit()

    def _run_tests(self) -> None:
        from commissioning.hardware_checks import fingerprint_status, printer_status, scanner_status

        config = self.config
        self.test.setEnabled(False)

        def work() -> list:
            return [printer_status(config.printer, print_test=True), scanner_status(config.scanner, wait_s=10),
                    fingerprint_status(config.fingerprint)]

        self._start(work, self._tests_done)

    def _tests_done(self, checks) -> None:
        from commissioning.doctor import report

        lines: list[str] = []
        report(checks, self.owner.language, lines.append)
        self.log.appendPlainText("\n" + "\n".join(lines))
        self.test.setEnabled(True)


def run_wizard(language: str, defaults: argparse.Namespace) -> int:
    from appkit.fonts import load_fonts

    app = QApplication.instance() or QApplication([])
    load_fonts(app)
    wizard = SetupWizard(language, defaults)
    wizard.show()
    code = app.exec()
    wizard.pool.shutdown(wait=True)
    return 0 if code == 0 and wizard.result() == QWizard.DialogCode.Accepted else 1
