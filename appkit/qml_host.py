"""One QML window and what lives exactly as long as it: its engine, its translator, its first-frame hooks."""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QEvent, Qt, QTimer, QUrl
from PySide6.QtQml import QQmlApplicationEngine
from PySide6.QtQuick import QQuickWindow

from appkit.i18n import CatalogTranslator

log = logging.getLogger(__name__)


class QmlHost:
    """Loads a QML file with context objects (view-models). The root must be a Window.

    With a `language`, the host installs the translator that serves the scene's qsTr() and removes it in `close()`,
    so an app that reloads never stacks translators.
    """

    def __init__(self, qml: Path, context: dict[str, object], *, fullscreen: bool,
                 language: str | None = None) -> None:
        self.translator: CatalogTranslator | None = None
        if language is not None:  # before loading: the first bindings already read qsTr()
            self.translator = CatalogTranslator(language)
            QCoreApplication.installTranslator(self.translator)
        self.engine = QQmlApplicationEngine()
        for name, value in context.items():
            self.engine.rootContext().setContextProperty(name, value)
        self.engine.warnings.connect(lambda warnings: [log.warning("QML: %s", w.toString()) for w in warnings])
        self.engine.load(QUrl.fromLocalFile(str(qml)))
        roots = self.engine.rootObjects()
        if not roots:
            self._remove_translator()
            raise RuntimeError(f"could not load {qml}; see the QML warnings above")
        self.window: QQuickWindow = roots[0]  # type: ignore[assignment]
        if os.environ.get("SMARTQUEUE_REPORT_FIRST_FRAME") == "1":  # cold-start measurements (bench/)
            def first_frame() -> None:
                self.window.frameSwapped.disconnect(first_frame)
                print("first-frame", flush=True)

            self.window.frameSwapped.connect(first_frame)
        if fullscreen:
            self.window.showFullScreen()
            self.window.setCursor(Qt.CursorShape.BlankCursor)  # touch only: no pointer in production
        else:
            self.window.show()

    def retranslate(self, language: str) -> None:
        """Switch qsTr() to `language` and have QML read every translated text again."""
        if self.translator is not None:
            self.translator.language = language
        self.engine.retranslate()

    def screenshot_when_ready(self, path: Path, then: Callable[[], None], settle_ms: int = 300) -> None:
        """Grab the window once it has drawn (and animations settled), save it, call `then`."""

        def grab() -> None:
            image = self.window.grabWindow()
            path.parent.mkdir(parents=True, exist_ok=True)
            image.save(str(path))
            log.info("screenshot saved to %s", path)
            then()

        def first_frame() -> None:
            self.window.frameSwapped.disconnect(first_frame)
            QTimer.singleShot(settle_ms, grab)

        self.window.frameSwapped.connect(first_frame)

    def close(self) -> None:
        """Destroy the QML scene before the view-models it binds to go away (no null-property warnings)."""
        self.window.close()
        for obj in self.engine.rootObjects():
            obj.deleteLater()
        self.engine.deleteLater()
        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
        self._remove_translator()

    def _remove_translator(self) -> None:
        if self.translator is not None:
            QCoreApplication.removeTranslator(self.translator)
            self.translator = None
