"""The e-ticket QR on screen, painted as squares by a QQuickPaintedItem: crisp at any size, and no image.

Images were the first try (an image provider, then a data: URL): under PySide 6.11 / Qt 6.11 each ticket's
decoded image stayed alive, 0.15–0.25 MB a customer, even with `cache: false`. Painting the modules
allocates nothing that outlives the item.
"""

from __future__ import annotations

import segno
from PySide6.QtCore import Property, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QPainter
from PySide6.QtQml import qmlRegisterType
from PySide6.QtQuick import QQuickPaintedItem

QUIET_ZONE = 2  # modules of white around the code, enough for phone cameras on a lit screen


def qr_matrix(payload: str) -> list[list[bool]]:
    """The QR modules (True = dark) for `payload`, error correction M; [] for no payload."""
    if not payload:
        return []
    return [[bool(cell) for cell in row] for row in segno.make(payload, error="m").matrix]


class QrCode(QQuickPaintedItem):
    payloadChanged = Signal()

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._payload = ""
        self._matrix: list[list[bool]] = []
        self.setAntialiasing(False)

    def _get_payload(self) -> str:
        return self._payload

    def _set_payload(self, value: str) -> None:
        if value != self._payload:
            self._payload = value
            self._matrix = qr_matrix(value)
            self.payloadChanged.emit()
            self.update()

    payload = Property(str, _get_payload, _set_payload, notify=payloadChanged)

    def paint(self, painter: QPainter) -> None:
        painter.fillRect(QRectF(0, 0, self.width(), self.height()), QColor("white"))
        if not self._matrix:
            return
        count = len(self._matrix) + 2 * QUIET_ZONE
        module = min(self.width(), self.height()) / count
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor("black"))
        for y, row in enumerate(self._matrix):
            for x, dark in enumerate(row):
                if dark:
                    painter.drawRect(QRectF((x + QUIET_ZONE) * module, (y + QUIET_ZONE) * module, module, module))


def register_qml_types() -> None:
    """`import SmartQueue.Kiosk` then `QrCode { payload: ... }` in QML."""
    qmlRegisterType(QrCode, "SmartQueue.Kiosk", 1, 0, "QrCode")
