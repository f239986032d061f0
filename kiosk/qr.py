"""`image://qr/<payload>` for QML: the e-ticket QR drawn crisp at any size (segno → QImage)."""

from __future__ import annotations

import io
from urllib.parse import unquote

import segno
from PySide6.QtCore import QSize
from PySide6.QtGui import QImage
from PySide6.QtQuick import QQuickImageProvider


class QrImageProvider(QQuickImageProvider):
    def __init__(self) -> None:
        super().__init__(QQuickImageProvider.ImageType.Image)

    def requestImage(self, ident: str, size: QSize, requested: QSize) -> QImage:
        payload = unquote(ident)
        image = QImage()
        if payload:
            buffer = io.BytesIO()
            segno.make(payload, error="m").save(buffer, kind="png", scale=8, border=2)
            image.loadFromData(buffer.getvalue(), "PNG")
        if size is not None:
            size.setWidth(image.width())
            size.setHeight(image.height())
        return image
