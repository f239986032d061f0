"""The guided setup (Qt Widgets QWizard): the same steps as the flags, one page each, in the technician's language.

Widgets rather than QML: a form-like tool used once per device, with standard text fields and combo boxes, where
QWizard gives the page flow, Back/Next and validation for free. Each page checks its answers before Next, and says
what is wrong on that page: the role page the node's address, the pairing page the code — it pairs when Next is
pressed, so a wrong code is reported there, not on the last page. Every step that touches the network or a device
runs on a worker thread (`concurrent.futures`), polled by a QTimer, so the window never freezes; Next goes on by
itself once the work succeeded. Combo boxes show words; the choice strings of the flags are their item data.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any

from PySide6.QtCore import QRegularExpression, Qt, QTimer
from PySide6.QtGui import QRegularExpressionValidator
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWizard,
    QWizardPage,
)

from commissioning import detect
from commissioning.hardware_choice import ChoiceError
from commissioning.steps import ROLE_WORDS, Answers, Outcome, Paired, SetupError
from ground.i18n import N_, is_rtl, translate_embedding

PRINTER_WORDS = {"simulator": N_("simulated printer (demonstration)"), "none": N_("no printer")}
SCANNER_WORDS = {"wedge": N_("USB scanner typing like a keyboard"), "none": N_("no scanner")}
FINGERPRINT_WORDS = {"none": N_("no fingerprint reader"), "simulator": N_("simulated reader (demonstration)")}


def _fill(box: QComboBox, words: dict[str, str], found: list[tuple[str, str]], translate_word) -> None:
    """Items as words for the technician, each holding its choice string (what the flags take) as data."""
    for choice, word in words.items():
        box.addItem(translate_word(word), choice)
    for choice, label in found:
        box.addItem(label, choice)


def _choice(box: QComboBox) -> str:
    """The selected item's choice string, or what the technician typed (e.g. tcp:10.0.0.9)."""
    index = box.findText(box.currentText())
    data = box.itemData(index) if index >= 0 else None
    return str(data) if data else box.currentText().strip()


def _select(box: QComboBox, choice: str | None) -> None:
    if not choice:
        return
    index = box.findData(choice)
    if index >= 0:
        box.setCurrentIndex(index)
    else:
        box.setEditText(choice)


class CheckedPage(QWizardPage):
    """A page with an error line; `check` returns the translated problem with its answers, or None. When `work`
    is set, Next runs it on the wizard's worker (after `check` passed), shows "working…", and goes on by itself
    when it succeeds, or shows its error here."""

    def __init__(self, wizard: SetupWizard, title: str, check: Callable[[], str | None],
                 work: Callable[[], Callable[[], Any]] | None = None) -> None:
        super().__init__()
        self.owner = wizard
        self.setTitle(wizard._(title))
        self.form = QFormLayout(self)
        self.error = QLabel(objectName="pageError", wordWrap=True)
        self.error.setStyleSheet("color: #b00020;")
        self.check, self.work = check, work
        self.done_for: tuple | None = None  # the answers the work succeeded for
        self._future: Future | None = None
        self._timer = QTimer(self, interval=100)
        self._timer.timeout.connect(self._poll)

    def finish_layout(self) -> None:
        self.form.addRow(self.error)

    def say(self, text: str) -> None:
        self.error.setText(text)

    def validatePage(self) -> bool:
        if self._future is not None:
            return False  # still working
        problem = self.check()
        if problem:
            self.say(problem)
            return False
        if self.work is None:
            self.say("")
            return True
        key = self.owner.answers_key()
        if self.done_for == key:
            return True
        self.say(self.owner._("working…"))
        self.error.setStyleSheet("")
        job = self.work()
        self._future = self.owner.pool.submit(job)
        self._timer.start()
        self.owner.button(QWizard.WizardButton.NextButton).setEnabled(False)
        return False

    def _poll(self) -> None:
        if self._future is None or not self._future.done():
            return
        self._timer.stop()
        future, self._future = self._future, None
        self.owner.button(QWizard.WizardButton.NextButton).setEnabled(True)
        self.error.setStyleSheet("color: #b00020;")
        try:
            future.result()
        except SetupError as err:
            self.say(err.translated(self.owner.language))
            return
        except ChoiceError as err:
            self.say(str(err))
            return
        except Exception as err:  # shown, not swallowed: the technician must see it
            self.say(self.owner._("unexpected error: {reason}", reason=f"{type(err).__name__}: {err}"))
            return
        self.done_for = self.owner.answers_key()
        self.say("")
        self.owner.next()


class SetupWizard(QWizard):
    def __init__(self, language: str, defaults: argparse.Namespace) -> None:
        super().__init__()
        self.language = language
        # positional-only: a message's value may be called `text` ({text!r} below)
        self._ = lambda message, /, **values: translate_embedding(language, message, **values)
        self.defaults = defaults
        self.pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="setup")
        self.paired: Paired | None = None
        self.outcome: Outcome | None = None  # what pairing did (shown on the result page)
        self.setWindowTitle(self._("SmartQueue device setup"))
        if is_rtl(language):
            self.setLayoutDirection(Qt.LayoutDirection.RightToLeft)
        for button, text in ((QWizard.WizardButton.NextButton, N_("Next")),
                             (QWizard.WizardButton.BackButton, N_("Back")),
                             (QWizard.WizardButton.FinishButton, N_("Finish")),
                             (QWizard.WizardButton.CancelButton, N_("Cancel"))):
            self.setButtonText(button, self._(text))  # Qt's own translations are not shipped (we use gettext)
        self.fields: dict[str, Any] = {}
        self.role_page = self._role_page(defaults)
        self.pairing_page = self._pairing_page(defaults)
        self.hardware_page = self._hardware_page(defaults)
        for page in (self.role_page, self.pairing_page, self.hardware_page):
            self.addPage(page)
        self.addPage(ResultPage(self))

    # -- pages ---------------------------------------------------------------------------------------------------

    def _role_page(self, defaults: argparse.Namespace) -> CheckedPage:
        page = CheckedPage(self, N_("Role and node"), self._check_node)
        role = QComboBox(objectName="role")
        for choice in ("kiosk", "display", "keypad"):
            role.addItem(self._(ROLE_WORDS[choice]), choice)
        if defaults.role in ("kiosk", "display", "keypad"):
            role.setCurrentIndex(role.findData(defaults.role))
        node = QLineEdit(defaults.node or "", objectName="nodeUrl", placeholderText="https://10.0.0.5:8470")
        branch = QLineEdit(defaults.discover or "", objectName="branchId", placeholderText="BR042")
        page.form.addRow(self._("Role of this device"), role)
        page.form.addRow(self._("Node address (empty: find it on the network)"), node)
        page.form.addRow(self._("Branch id (to find the node)"), branch)
        page.finish_layout()
        self.fields.update(role=role, node=node, branch=branch)
        return page

    def _pairing_page(self, defaults: argparse.Namespace) -> CheckedPage:
        page = CheckedPage(self, N_("Pairing"), self._check_code, self._pair_job)
        code = QLineEdit(defaults.pairing_code or "", objectName="pairingCode", placeholderText="12345678")
        code.setValidator(QRegularExpressionValidator(QRegularExpression(r"\d{0,8}")))
        page.form.addRow(self._("Pairing code shown on the node"), code)
        out = QLineEdit(str(defaults.out or ""), objectName="outFile", placeholderText="/etc/smartqueue/kiosk.toml")
        page.form.addRow(self._("Configuration file"), out)
        page.finish_layout()
        self.fields.update(code=code, out=out)
        return page

    def _hardware_page(self, defaults: argparse.Namespace) -> CheckedPage:
        page = HardwarePage(self, N_("Hardware"), self._check_hardware)
        found = detect.everything()
        self.found = found
        serial = [(f.choice, f.label) for f in found if f.kind == "serial"]
        printer = QComboBox(objectName="printer", editable=True)
        _fill(printer, PRINTER_WORDS, [(f.choice, f.label) for f in found if f.kind == "usb-printer"] + serial,
              self._)
        scanner = QComboBox(objectName="scanner", editable=True)
        _fill(scanner, SCANNER_WORDS, serial + [(f.choice, f.label) for f in found if f.kind == "camera"], self._)
        fingerprint = QComboBox(objectName="fingerprint", editable=True)
        _fill(fingerprint, FINGERPRINT_WORDS, serial, self._)
        for box, value in ((printer, defaults.printer), (scanner, defaults.scanner),
                           (fingerprint, defaults.fingerprint)):
            _select(box, value)
        page.form.addRow(self._("Ticket printer (kiosk)"), printer)
        page.form.addRow(self._("Code scanner (kiosk)"), scanner)
        page.form.addRow(self._("Fingerprint reader (keypad)"), fingerprint)
        uses = QLabel(objectName="roleUses", wordWrap=True)
        page.form.addRow(uses)
        detected = QPlainTextEdit(readOnly=True, objectName="detected")
        page.form.addRow(self._("Detected"), detected)
        page.finish_layout()
        self.fields.update(printer=printer, scanner=scanner, fingerprint=fingerprint, uses=uses, detected=detected)
        return page

    def show_hardware_of_role(self) -> None:
        """The hardware page shows what the chosen role uses, and only that: its choices and what was detected
        of the kinds it can use (a display or a keypad has no printer to pick)."""
        role = self.fields["role"].currentData()
        form = self.hardware_page.form
        for name in ("printer", "scanner", "fingerprint"):
            form.setRowVisible(self.fields[name], name in ROLE_CHOICES[role])
        self.fields["uses"].setText(self._(ROLE_USES[role]))
        kinds = ROLE_DETECTED[role]
        form.setRowVisible(self.fields["detected"], bool(kinds))
        self.fields["detected"].setPlainText("\n".join(f.label for f in self.found if f.kind in kinds)
                                             or self._("no device detected"))

    # -- checks (on the GUI thread: no I/O) and work (on the worker) -----------------------------------------------

    def _check_node(self) -> str | None:
        node, branch = self.fields["node"].text().strip(), self.fields["branch"].text().strip()
        if not node and not branch:
            return self._("give the node's address, or the branch id to find the node on the network")
        if node and not (node.startswith(("http://", "https://")) and len(node.split("://", 1)[1]) > 0):
            return self._("the node's address must look like https://10.0.0.5:8470")
        return None

    def _check_code(self) -> str | None:
        if len(self.fields["code"].text()) != 8:
            return self._("the pairing code has 8 digits: create one on the node and type it here")
        return None

    def _pair_job(self) -> Callable[[], Any]:
        from commissioning.steps import Outcome, pair_device

        answers = self.answers()

        def job() -> None:
            outcome = Outcome()
            self.paired = pair_device(answers, outcome)
            self.outcome = outcome

        return job

    def _check_hardware(self) -> str | None:
        from commissioning import hardware_choice

        role = self.fields["role"].currentData()
        checks = {"kiosk": ((hardware_choice.printer_section, "printer"), (hardware_choice.scanner_section, "scanner")),
                  "keypad": ((hardware_choice.fingerprint_section, "fingerprint"),)}
        for parse, name in checks.get(role, ()):
            text = _choice(self.fields[name])
            try:
                parse(text)
            except ChoiceError:
                return self._("{device}: {text!r} is not a device this setup knows; pick one in the list",
                              device=self._(DEVICE_WORDS[name]), text=text)
        return None

    # -- answers -------------------------------------------------------------------------------------------------

    def answers(self) -> Answers:
        f = self.fields
        role = f["role"].currentData()
        return Answers(role=role, out=Path(f["out"].text() or f"/etc/smartqueue/{role}.toml"),
                       pairing_code=f["code"].text(), node_url=f["node"].text().strip() or None,
                       discover_branch=f["branch"].text().strip() or None, printer=_choice(f["printer"]),
                       scanner=_choice(f["scanner"]), fingerprint=_choice(f["fingerprint"]),
                       data_dir=self.defaults.data_dir, printer_model=self.defaults.printer_model)

    def answers_key(self) -> tuple:
        """What pairing depends on: a change after it (Back, another code) pairs again."""
        f = self.fields
        return (f["role"].currentData(), f["node"].text(), f["branch"].text(), f["code"].text(), f["out"].text())


#: The hardware page's choices and detected kinds per role, and what the role uses, said to the technician.
ROLE_CHOICES = {"kiosk": ("printer", "scanner"), "keypad": ("fingerprint",), "display": ()}
ROLE_DETECTED = {"kiosk": ("usb-printer", "serial", "camera"), "keypad": ("serial",), "display": ()}
ROLE_USES = {"kiosk": N_("A kiosk uses a ticket printer and a code scanner (USB, serial or camera)."),
             "keypad": N_("An agent keypad uses a fingerprint reader, if any; a USB keypad needs no setting."),
             "display": N_("A calling display uses its screen and its audio output (HDMI or jack): nothing to "
                           "choose here; smartqueue doctor checks the sound after setup.")}


class HardwarePage(CheckedPage):
    def initializePage(self) -> None:
        self.owner.show_hardware_of_role()


DEVICE_WORDS = {"printer": N_("Ticket printer (kiosk)"), "scanner": N_("Code scanner (kiosk)"),
                "fingerprint": N_("Fingerprint reader (keypad)")}


class ResultPage(QWizardPage):
    """Writes the configuration when shown (from the answers and what pairing brought back); then offers the
    hardware tests; Finish is enabled once the config is written."""

    def __init__(self, wizard: SetupWizard) -> None:
        super().__init__()
        self.owner = wizard
        self.setTitle(wizard._("Result"))
        self.log = QPlainTextEdit(readOnly=True, objectName="resultLog")
        if is_rtl(wizard.language):  # paragraphs right to left and from the right edge, as the page reads
            option = self.log.document().defaultTextOption()
            option.setTextDirection(Qt.LayoutDirection.RightToLeft)
            option.setAlignment(Qt.AlignmentFlag.AlignRight)
            self.log.document().setDefaultTextOption(option)
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
        from commissioning.steps import write_device_config

        paired, answers = self.owner.paired, self.owner.answers()
        assert paired is not None, "the pairing page pairs before Next"
        self.log.setPlainText(self.owner._("working…"))
        self._start(lambda: write_device_config(answers, paired), self._setup_done)

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
            self.log.setPlainText(self.owner._("setup failed: {reason}", reason=err.translated(self.owner.language)))
        except Exception as err:  # shown, not swallowed: the technician must see it
            self.log.setPlainText(self.owner._("unexpected error: {reason}", reason=f"{type(err).__name__}: {err}"))

    def _setup_done(self, result) -> None:
        outcome, self.config = result
        branch = self.config.branch
        steps = (self.owner.outcome.lines(self.owner.language) if self.owner.outcome is not None else []) + \
            outcome.lines(self.owner.language)
        self.log.setPlainText("\n".join([self.owner._(
            "configuration written to {path}\nbranch {branch} ({organisation}), time zone {timezone}",
            path=str(self.owner.answers().out), branch=branch.id, organisation=branch.organisation,
            timezone=branch.timezone), "", *steps]))
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
