"""Starting a Qt Quick app the same way everywhere: environment, fonts, QML engine, screenshots, crash policy."""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QTimer, QUrl
from PySide6.QtGui import QGuiApplication
from PySide6.QtQml import QQmlApplicationEngine
from PySide6.QtQuick import QQuickWindow

from appkit.fonts import load_fonts

log = logging.getLogger(__name__)


def load_device(config_path: str | Path, role: str):
    """(configuration, device token) for an app, or None after saying on stderr why it cannot start."""
    from appkit.device import read_token
    from config.loader import ConfigError, load_config

    try:
        config = load_config(config_path)
    except ConfigError as err:
        print(f"the {role} cannot start, its configuration is invalid:\n{err}", file=sys.stderr)
        return None
    token = read_token(config)
    if token is None:
        print(f"this {role} has no device token: pair it (smartqueue setup), or set [device] token_file "
              f"(smartqueue node token --role {role})", file=sys.stderr)
        return None
    return config, token


def make_application(name: str, argv: list[str] | None = None) -> QGuiApplication:
    """The QGuiApplication, created once. QML caches go to a writable place on read-only kiosks."""
    os.environ.setdefault("QT_QUICK_CONTROLS_STYLE", "Basic")
    os.environ.setdefault("QML_DISK_CACHE_PATH", str(Path(os.environ.get("XDG_CACHE_HOME", "/tmp")) / "sq-qml"))
    app = QGuiApplication.instance() or QGuiApplication(argv or [sys.argv[0]])
    app.setApplicationName(name)
    app.setOrganizationName("SmartQueue")
    load_fonts(app)
    return app


class QmlHost:
    """Loads a QML file with context objects (view-models). The root must be a Window."""

    def __init__(self, qml: Path, context: dict[str, object], *, fullscreen: bool) -> None:
        self.engine = QQmlApplicationEngine()
        for name, value in context.items():
            self.engine.rootContext().setContextProperty(name, value)
        self.engine.warnings.connect(lambda warnings: [log.warning("QML: %s", w.toString()) for w in warnings])
        self.engine.load(QUrl.fromLocalFile(str(qml)))
        roots = self.engine.rootObjects()
        if not roots:
            raise RuntimeError(f"could not load {qml}; see the QML warnings above")
        self.window: QQuickWindow = roots[0]  # type: ignore[assignment]
        if os.environ.get("SMARTQUEUE_REPORT_FIRST_FRAME") == "1":  # cold-start measurements (bench/)
            def first_frame() -> None:
                self.window.frameSwapped.disconnect(first_frame)
                print("first-frame", flush=True)

            self.window.frameSwapped.connect(first_frame)
        if fullscreen:
            self.window.showFullScreen()
            from PySide6.QtCore import Qt

            self.window.setCursor(Qt.CursorShape.BlankCursor)  # touch only: no pointer in production
        else:
            self.window.show()

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
        from PySide6.QtCore import QCoreApplication, QEvent

        self.window.close()
        for obj in self.engine.rootObjects():
            obj.deleteLater()
        self.engine.deleteLater()
        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)


def install_crash_policy(app: QGuiApplication) -> None:
    """An exception in a slot is only printed by Qt and the loop keeps going: log it once, in full."""

    def hook(kind, value, tb) -> None:
        log.critical("unhandled error in the GUI thread", exc_info=(kind, value, tb))
        if os.environ.get("SMARTQUEUE_STRICT") == "1":
            app.exit(3)

    sys.excepthook = hook
