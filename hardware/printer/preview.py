"""Decoded ESC/POS elements → a PNG-ready picture of the paper, and a human transcript.

Pillow only (no Qt), so the simulator runs on any thread. Printer fonts are approximated with a monospaced font
(DejaVu Sans Mono) in the Font A cell (12 × 24 dots) scaled by the character size: a proportional font squeezed
into fixed cells looked unevenly spaced ("Co mptes", issue 14), which the printer's own font is not. Rasters and QR
codes are drawn dot for dot.
"""

from __future__ import annotations

import segno
from PIL import Image, ImageDraw, ImageFont

from ground.assets import font_path
from hardware.printer.decoder import (
    Barcode,
    Command,
    Cut,
    Element,
    Feed,
    Init,
    LineFeed,
    QrCode,
    Raster,
    RealTimeRequest,
    StyleChange,
    Text,
    Unknown,
)

_CELL_W, _CELL_H, _LINE = 12, 24, 30
_MARGIN = 8


class PreviewRenderer:
    """Draws one ticket's elements on a strip of paper ``width_dots`` wide."""

    def __init__(self, width_dots: int) -> None:
        self.width = width_dots
        self._fonts: dict[tuple[int, bool], ImageFont.FreeTypeFont] = {}

    def _font(self, height: int, bold: bool) -> ImageFont.FreeTypeFont:
        key = (height, bold)
        if key not in self._fonts:
            self._fonts[key] = ImageFont.truetype(str(font_path("mono-bold" if bold else "mono")), height)
        return self._fonts[key]

    def render(self, elements: list[Element]) -> Image.Image:
        blocks: list[Image.Image] = []
        line: list[Text] = []
        for element in elements:
            if isinstance(element, Text):
                line.append(element)
            elif isinstance(element, LineFeed):
                blocks.append(self._text_line(line))
                line = []
            elif isinstance(element, Raster):
                blocks.append(self._aligned(_raster_image(element), element.align))
            elif isinstance(element, QrCode):
                blocks.append(self._aligned(_qr_image(element), element.align))
            elif isinstance(element, Barcode):
                blocks.append(self._aligned(self._barcode_image(element), element.align))
            elif isinstance(element, Feed):
                dots = element.amount * (_LINE if element.unit == "lines" else 1)
                blocks.append(Image.new("1", (self.width, dots), 1))
            elif isinstance(element, Cut):
                blocks.append(self._cut_mark(element.mode))
        if line:
            blocks.append(self._text_line(line))
        height = max(sum(b.height for b in blocks), 1) + 2 * _MARGIN
        paper = Image.new("1", (self.width, height), 1)
        y = _MARGIN
        for block in blocks:
            paper.paste(block, (0, y))
            y += block.height
        return paper

    def _text_line(self, runs: list[Text]) -> Image.Image:
        if not runs:
            return Image.new("1", (self.width, _LINE), 1)
        pieces = [self._run_image(run) for run in runs]
        height = max(max(p.height for p in pieces), _LINE)
        line = Image.new("1", (sum(p.width for p in pieces), height), 1)
        x = 0
        for piece in pieces:
            line.paste(piece, (x, height - piece.height))
            x += piece.width
        if line.width > self.width:  # the printer would wrap; the preview crops, the transcript keeps all
            line = line.crop((0, 0, self.width, height))
        return self._aligned(line, runs[0].style.align)

    def _run_image(self, run: Text) -> Image.Image:
        style = run.style
        cell_h = _CELL_H * style.height
        font = self._font(int(cell_h * 0.8), style.bold)
        width = _CELL_W * len(run.text) * style.width
        image = Image.new("L", (max(width, 1), cell_h), 255)
        draw = ImageDraw.Draw(image)
        for i, char in enumerate(run.text):
            # One cell per character, as on the printer: positions match even with a proportional font.
            cell_x = i * _CELL_W * style.width
            glyph_w = draw.textlength(char, font=font)
            draw.text((cell_x + (_CELL_W * style.width - glyph_w) / 2, 0), char, font=font, fill=0)
        if style.underline:
            draw.line((0, cell_h - 2, width, cell_h - 2), fill=0, width=style.underline)
        bitmap = image.point(lambda v: 255 if v >= 128 else 0).convert("1", dither=Image.Dither.NONE)
        if style.invert:
            bitmap = Image.eval(bitmap, lambda v: 255 - v).convert("1")
        return bitmap

    def _aligned(self, image: Image.Image, align: str) -> Image.Image:
        row = Image.new("1", (self.width, image.height), 1)
        if image.width > self.width:
            image = image.crop((0, 0, self.width, image.height))
        x = {"left": 0, "center": (self.width - image.width) // 2, "right": self.width - image.width}[align]
        row.paste(image, (x, 0))
        return row

    def _barcode_image(self, barcode: Barcode) -> Image.Image:
        label = f"{barcode.symbology} {barcode.data.decode('latin-1')}"
        image = Image.new("1", (min(self.width, 16 * len(label) + 16), 80), 1)
        draw = ImageDraw.Draw(image)
        for x in range(0, image.width, 4):
            draw.line((x, 0, x, 50), fill=0, width=1 + (x // 4) % 2)
        draw.text((0, 55), label, font=self._font(20, False), fill=0)
        return image

    def _cut_mark(self, mode: str) -> Image.Image:
        image = Image.new("1", (self.width, 12), 1)
        draw = ImageDraw.Draw(image)
        step = 8 if mode == "partial" else 4
        for x in range(0, self.width, step * 2):
            draw.line((x, 6, x + step, 6), fill=0)
        return image


def _raster_image(raster: Raster) -> Image.Image:
    """GS v 0 data (MSB first, 1 = black) → image; double-width/height modes (m = 1, 2, 3) are scaled."""
    # mode "1" raw bytes are MSB first with 1 = white: the printer's bits inverted (Pillow only, no numpy)
    data = bytes(byte ^ 0xFF for byte in raster.data[: raster.height * raster.width_bytes])
    image = Image.frombytes("1", (raster.width_bytes * 8, raster.height), data)
    scale_x = 2 if raster.mode in (1, 3, 49, 51) else 1
    scale_y = 2 if raster.mode in (2, 3, 50, 51) else 1
    if scale_x > 1 or scale_y > 1:
        image = image.resize((image.width * scale_x, image.height * scale_y), Image.Resampling.NEAREST)
    return image


def _qr_image(qr: QrCode) -> Image.Image:
    """Redraw the symbol the printer would print: QR model 2, stored data, module size and error level."""
    try:
        symbol = segno.make(qr.data.decode("utf-8", errors="replace"), error=qr.ec.lower(), micro=False,
                            boost_error=False)
    except segno.DataOverflowError:
        return Image.new("1", (8, 8), 0)
    rows = [list(row) for row in symbol.matrix]
    module = max(qr.module_size, 1)
    image = Image.new("1", (len(rows[0]), len(rows)), 1)
    image.putdata([0 if dark else 1 for row in rows for dark in row])
    return image.resize((image.width * module, image.height * module), Image.Resampling.NEAREST)


def transcript(elements: list[Element]) -> str:
    """One line per printed line or object, for logs, technicians and golden tests."""
    lines: list[str] = []
    current: list[str] = []
    align = "left"

    def flush() -> None:
        nonlocal current
        lines.append(f"[{align}] {''.join(current)}".rstrip())
        current = []

    for element in elements:
        if isinstance(element, StyleChange) and not current:
            align = element.style.align
        elif isinstance(element, Text):
            if not current:
                align = element.style.align
            style = element.style
            tags = [t for t, on in (("bold", style.bold), ("inverted", style.invert)) if on]
            if style.width > 1 or style.height > 1:
                tags.append(f"{style.width}x{style.height}")
            current.append(f"{element.text}{' {' + ' '.join(tags) + '}' if tags else ''}")
        elif isinstance(element, LineFeed):
            flush()
        elif isinstance(element, Raster):
            lines.append(f"<raster {element.width_bytes * 8}x{element.height} dots, {element.align}>")
        elif isinstance(element, QrCode):
            lines.append(f"<QR {qr_text(element)!r} module {element.module_size} ec {element.ec}>")
        elif isinstance(element, Barcode):
            lines.append(f"<barcode {element.symbology} {element.data.decode('latin-1')!r}>")
        elif isinstance(element, Feed):
            lines.append(f"<feed {element.amount} {element.unit}>")
        elif isinstance(element, Cut):
            lines.append(f"<cut {element.mode}>")
        elif isinstance(element, Init):
            lines.append("<init>")
        elif isinstance(element, RealTimeRequest):
            lines.append(f"<{element.command} {element.n}>")
        elif isinstance(element, Unknown):
            lines.append(f"<unknown {element.data.hex(' ')}: {element.reason}>")
        elif isinstance(element, Command) and element.name.startswith("GS 8"):
            lines.append(f"<{element.name}, {len(element.params)} bytes>")
    if current:
        flush()
    return "\n".join(lines) + "\n"


def qr_text(qr: QrCode) -> str:
    return qr.data.decode("utf-8", errors="replace")
