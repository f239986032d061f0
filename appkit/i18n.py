"""QML's qsTr() served from the same Babel catalogs as Python (ground.i18n), switchable at run time."""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt, QTranslator

from ground.i18n import gettext, is_rtl


class CatalogTranslator(QTranslator):
    """Answers every qsTr() lookup from the current language's catalog; English source text otherwise."""

    def __init__(self, language: str = "fr", parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.language = language

    def translate(self, context: str, source: str, disambiguation: str | None = None, n: int = -1) -> str:
        if not source:
            return ""
        # PySide turns "" into an empty but non-null QString, which Qt takes as a translation: always answer
        return gettext(self.language, source)

    def isEmpty(self) -> bool:
        return False


def layout_direction(language: str) -> Qt.LayoutDirection:
    """Layout follows the chosen language, never the OS locale."""
    return Qt.LayoutDirection.RightToLeft if is_rtl(language) else Qt.LayoutDirection.LeftToRight
