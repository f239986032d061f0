"""ESC/POS decoder: a byte stream → typed elements. Pure and incremental (bytes may arrive in any chunks).

Used by the simulator and the previews, and cross-checked against python-escpos, the independent encoder. It
never raises on input: unknown commands, garbage and absurd lengths become ``Unknown`` elements and decoding
resynchronises on the next byte. Command names cite the Epson ESC/POS reference.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

ESC, GS, DLE, FS, LF, CR, HT = 0x1B, 0x1D, 0x10, 0x1C, 0x0A, 0x0D, 0x09

#: ESC t n → Python codec. Unknown tables decode as CP437, the power-on default.
CODE_PAGES = {0: "cp437", 2: "cp850", 3: "cp860", 4: "cp863", 5: "cp865", 16: "cp1252", 17: "cp866",
              18: "cp852", 19: "cp858"}
BARCODES = {0: "UPC-A", 1: "UPC-E", 2: "EAN13", 3: "EAN8", 4: "CODE39", 5: "ITF", 6: "CODABAR",
            65: "UPC-A", 66: "UPC-E", 67: "EAN13", 68: "EAN8", 69: "CODE39", 70: "ITF", 71: "CODABAR",
            72: "CODE93", 73: "CODE128"}
#: Fixed-length commands with no effect on the preview: second byte → (name, parameter bytes).
_ESC_FIXED = {0x32: ("ESC 2 line spacing default", 0), 0x33: ("ESC 3 line spacing", 1),
              0x20: ("ESC SP char spacing", 1), 0x24: ("ESC $ absolute position", 2),
              0x5C: ("ESC \\ relative position", 2), 0x52: ("ESC R intl charset", 1),
              0x70: ("ESC p drawer pulse", 3), 0x63: ("ESC c panel/paper sensor", 2), 0x72: ("ESC r colour", 1),
              0x55: ("ESC U unidirectional", 1), 0x3D: ("ESC = peripheral", 1), 0x3F: ("ESC ? cancel char", 1),
              0x25: ("ESC % user chars", 1), 0x47: ("ESC G double strike", 1), 0x56: ("ESC V rotate", 1),
              0x54: ("ESC T print direction", 1), 0x57: ("ESC W page area", 8), 0x4C: ("ESC L page mode", 0),
              0x53: ("ESC S standard mode", 0)}
_GS_FIXED = {0x68: ("GS h barcode height", 1), 0x77: ("GS w barcode width", 1), 0x48: ("GS H HRI position", 1),
             0x66: ("GS f HRI font", 1), 0x62: ("GS b smoothing", 1), 0x4C: ("GS L left margin", 2),
             0x57: ("GS W print width", 2), 0x50: ("GS P motion units", 2), 0x49: ("GS I printer id", 1),
             0x61: ("GS a automatic status", 1), 0x3A: ("GS : macro", 0), 0x5E: ("GS ^ run macro", 3),
             0x2F: ("GS / print downloaded", 1), 0x45: ("GS E head control", 1), 0x5C: ("GS \\ vertical position", 2),
             0x24: ("GS $ absolute vertical", 2), 0x54: ("GS T line start", 1)}
_MAX_RASTER_BYTES_WIDE = 512  # 4096 dots: wider than any roll printer
_MAX_RASTER_ROWS = 8192
_MAX_BLOCK = 1 << 22


@dataclass(frozen=True)
class Style:
    bold: bool = False
    underline: int = 0
    width: int = 1
    height: int = 1
    font: int = 0
    align: str = "left"
    invert: bool = False
    upside_down: bool = False


@dataclass(frozen=True)
class Init:
    """ESC @: initialise the printer."""


@dataclass(frozen=True)
class Text:
    text: str
    style: Style


@dataclass(frozen=True)
class LineFeed:
    """LF: print the line buffer and feed one line."""


@dataclass(frozen=True)
class Feed:
    """ESC d n (lines) or ESC J n (dots)."""

    amount: int
    unit: str


@dataclass(frozen=True)
class StyleChange:
    command: str
    style: Style


@dataclass(frozen=True)
class CodePage:
    """ESC t n: select character code table."""

    number: int
    codec: str


@dataclass(frozen=True)
class Raster:
    """GS v 0 m xL xH yL yH d1…dk: raster bit image, MSB first, 1 = black."""

    width_bytes: int
    height: int
    mode: int
    data: bytes
    align: str = "left"


@dataclass(frozen=True)
class QrCode:
    """GS ( k cn=49 fn=81: print the QR symbol stored with fn=80."""

    data: bytes
    module_size: int
    ec: str
    align: str = "left"


@dataclass(frozen=True)
class Barcode:
    """GS k m: print a one-dimensional barcode."""

    symbology: str
    data: bytes
    align: str = "left"


@dataclass(frozen=True)
class Cut:
    """GS V m [n] (or ESC i / ESC m): cut the paper, after feeding ``feed_dots`` (and to the cutter: GS V 65/66)."""

    mode: str
    feed_dots: int = 0
    to_cutter: bool = False


@dataclass(frozen=True)
class RealTimeRequest:
    """DLE EOT n (status), DLE ENQ n, GS r n: the printer answers now."""

    command: str
    n: int


@dataclass(frozen=True)
class Command:
    """A recognised command that does not change the preview."""

    name: str
    params: bytes


@dataclass(frozen=True)
class Unknown:
    """Bytes we could not make sense of; recorded, never fatal."""

    data: bytes
    reason: str


Element = (Init | Text | LineFeed | Feed | StyleChange | CodePage | Raster | QrCode | Barcode | Cut
           | RealTimeRequest | Command | Unknown)


class _Incomplete(Exception):
    """More bytes are needed to decode the command at the cursor."""


class EscPosDecoder:
    """Incremental decoder; feed() returns the elements completed by the new bytes."""

    def __init__(self) -> None:
        self._buf = bytearray()
        self._text = bytearray()
        self.style = Style()
        self.codec = "cp437"
        self._qr = {"module": 3, "ec": "L", "data": b""}

    def feed(self, data: bytes) -> list[Element]:
        return [element for element, _ in self.feed_sized(data) if element is not None]

    def feed_sized(self, data: bytes) -> list[tuple[Element | None, int]]:
        """Like ``feed``, with the number of bytes each element took; None for bytes that print nothing (CR)."""
        self._buf += data
        out: list[tuple[Element | None, int]] = []
        pos = 0
        while pos < len(self._buf):
            byte = self._buf[pos]
            if byte >= 0x20 or byte == HT:
                self._text.append(byte)
                pos += 1
                continue
            try:
                element, size = self._command(pos)
            except _Incomplete:
                break
            self._flush_text(out)
            out.append((element, size))
            pos += size
        del self._buf[:pos]
        return out

    def finish(self) -> list[Element]:
        """End of stream: pending text, and any truncated command as ``Unknown``."""
        out: list[tuple[Element | None, int]] = []
        self._flush_text(out)
        if self._buf:
            out.append((Unknown(bytes(self._buf), "truncated command at end of stream"), len(self._buf)))
            self._buf.clear()
        return [element for element, _ in out if element is not None]

    def pending_raster(self) -> tuple[int, int, bytes] | None:
        """An incomplete GS v 0 image waiting for its data: (bytes a row, rows, data received so far).

        A printer prints an image's rows as they arrive; the simulator's head model needs them before the end.
        """
        head = self._buf[:8]
        if len(head) < 8 or head[0] != GS or head[1] != 0x76 or head[2] != 0x30:
            return None
        width, height = head[4] + 256 * head[5], head[6] + 256 * head[7]
        if not width or width > _MAX_RASTER_BYTES_WIDE or height > _MAX_RASTER_ROWS:
            return None
        return width, height, bytes(self._buf[8:])

    def _flush_text(self, out: list[tuple[Element | None, int]]) -> None:
        if self._text:
            text = Text(bytes(self._text).decode(self.codec, errors="replace"), self.style)
            out.append((text, len(self._text)))
            self._text.clear()

    def _need(self, pos: int, n: int) -> bytes:
        if pos + n > len(self._buf):
            raise _Incomplete
        return bytes(self._buf[pos:pos + n])

    def _command(self, pos: int) -> tuple[Element | None, int]:
        byte = self._buf[pos]
        if byte == LF:
            return LineFeed(), 1
        if byte == CR:
            return None, 1  # CR: printers in LF mode ignore it
        if byte == ESC:
            return self._esc(pos)
        if byte == GS:
            return self._gs(pos)
        if byte == DLE:
            return self._dle(pos)
        if byte == FS:
            second = self._need(pos, 2)[1]
            return Command(f"FS 0x{second:02x}", b""), 2
        return Unknown(bytes([byte]), "control byte"), 1

    def _set_style(self, command: str, **changes: object) -> StyleChange:
        self.style = replace(self.style, **changes)
        return StyleChange(command, self.style)

    def _esc(self, pos: int) -> tuple[Element | None, int]:
        op = self._need(pos, 2)[1]
        if op == 0x40:  # ESC @
            self.style, self.codec = Style(), "cp437"
            return Init(), 2
        if op in (0x69, 0x6D):  # ESC i / ESC m: legacy full / partial cut
            return Cut("full" if op == 0x69 else "partial"), 2
        if op == 0x2A:  # ESC * m nL nH d…: column bit image, 8 or 24 dots high
            head = self._need(pos, 5)
            size = (head[3] + 256 * head[4]) * (1 if head[2] in (0, 1) else 3)
            return Command("ESC * column image", self._need(pos, 5 + size)[5:]), 5 + size
        if op == 0x44:  # ESC D n1…nk NUL: tab stops
            end = self._buf.find(b"\x00", pos + 2)
            if end < 0:
                if len(self._buf) - pos > 34:
                    return Unknown(bytes(self._buf[pos:pos + 2]), "ESC D without NUL"), 2
                raise _Incomplete
            return Command("ESC D tab stops", bytes(self._buf[pos + 2:end])), end + 1 - pos
        if op in _ESC_FIXED:
            name, n = _ESC_FIXED[op]
            return Command(name, self._need(pos, 2 + n)[2:]), 2 + n
        simple = {0x45, 0x2D, 0x61, 0x21, 0x4D, 0x74, 0x64, 0x4A, 0x7B}
        if op not in simple:
            return Unknown(bytes([ESC, op]), "unknown ESC command"), 2
        n = self._need(pos, 3)[2]
        if op == 0x45:
            return self._set_style("ESC E bold", bold=bool(n & 1)), 3
        if op == 0x2D:
            return self._set_style("ESC - underline", underline=n & 3 if n < 48 else n - 48), 3
        if op == 0x61:
            align = {0: "left", 1: "center", 2: "right"}.get(n % 48 if n >= 48 else n, "left")
            return self._set_style("ESC a align", align=align), 3
        if op == 0x21:  # ESC ! n: print mode (font, bold, double height/width, underline)
            return self._set_style(
                "ESC ! print mode", font=n & 1, bold=bool(n & 0x08), height=2 if n & 0x10 else 1,
                width=2 if n & 0x20 else 1, underline=1 if n & 0x80 else 0,
            ), 3
        if op == 0x4D:
            return self._set_style("ESC M font", font=n % 48 if n >= 48 else n), 3
        if op == 0x74:
            self.codec = CODE_PAGES.get(n, "cp437")
            return CodePage(n, self.codec), 3
        if op == 0x64:
            return Feed(n, "lines"), 3
        if op == 0x4A:
            return Feed(n, "dots"), 3
        return self._set_style("ESC { upside down", upside_down=bool(n & 1)), 3

    def _gs(self, pos: int) -> tuple[Element | None, int]:
        op = self._need(pos, 2)[1]
        if op == 0x76:  # GS v 0 m xL xH yL yH
            head = self._need(pos, 8)
            width, height = head[4] + 256 * head[5], head[6] + 256 * head[7]
            if head[2] != 0x30 or width > _MAX_RASTER_BYTES_WIDE or height > _MAX_RASTER_ROWS:
                return Unknown(head[:3], "implausible GS v header"), 3
            data = self._need(pos, 8 + width * height)[8:]
            return Raster(width, height, head[3], data, self.style.align), 8 + width * height
        if op == 0x28:  # GS ( fn pL pH …
            head = self._need(pos, 5)
            size = head[3] + 256 * head[4]
            block = self._need(pos, 5 + size)[5:]
            if head[2] == 0x6B:
                return self._two_d(block), 5 + size
            return Command(f"GS ( {chr(head[2])}", block), 5 + size
        if op == 0x38:  # GS 8 L p1…p4: large graphics data
            head = self._need(pos, 7)
            size = int.from_bytes(head[3:7], "little")
            if size > _MAX_BLOCK:
                return Unknown(head[:3], "implausible GS 8 length"), 3
            return Command("GS 8 L graphics", self._need(pos, 7 + size)[7:]), 7 + size
        if op == 0x6B:
            return self._barcode(pos)
        if op == 0x56:  # GS V m [n]: 65/66 feed to the cutter + n then cut; 97/98, 103/104 feed n then cut
            m = self._need(pos, 3)[2]
            size = 4 if m in (65, 66, 97, 98, 103, 104) else 3
            n = self._need(pos, size)[3] if size == 4 else 0
            return Cut("partial" if m in (1, 49, 66, 98, 104) else "full", n, m in (65, 66)), size
        if op == 0x21:  # GS ! n: character size
            n = self._need(pos, 3)[2]
            return self._set_style("GS ! size", width=min((n >> 4) + 1, 8), height=min((n & 0x0F) + 1, 8)), 3
        if op == 0x42:
            return self._set_style("GS B invert", invert=bool(self._need(pos, 3)[2] & 1)), 3
        if op == 0x72:
            return RealTimeRequest("GS r", self._need(pos, 3)[2]), 3
        if op == 0x2A:  # GS * x y d…: define downloaded bit image
            head = self._need(pos, 4)
            size = head[2] * head[3] * 8
            return Command("GS * download image", self._need(pos, 4 + size)[4:]), 4 + size
        if op in _GS_FIXED:
            name, n = _GS_FIXED[op]
            return Command(name, self._need(pos, 2 + n)[2:]), 2 + n
        return Unknown(bytes([GS, op]), "unknown GS command"), 2

    def _two_d(self, block: bytes) -> Element:
        """GS ( k: cn 49 = QR; fn 65 model, 67 module size, 69 error correction, 80 store, 81 print."""
        if len(block) < 2 or block[0] != 0x31:
            return Command("GS ( k 2D code (not QR)", block)
        fn, rest = block[1], block[2:]
        if fn == 67 and rest:
            self._qr["module"] = rest[0]
        elif fn == 69 and rest:
            self._qr["ec"] = {48: "L", 49: "M", 50: "Q", 51: "H"}.get(rest[0], "L")
        elif fn == 80:
            self._qr["data"] = rest[1:]
        elif fn == 81:
            return QrCode(bytes(self._qr["data"]), int(self._qr["module"]), str(self._qr["ec"]), self.style.align)
        return Command(f"GS ( k QR fn {fn}", rest)

    def _barcode(self, pos: int) -> tuple[Element, int]:
        m = self._need(pos, 3)[2]
        if m <= 6:  # GS k m d1…dk NUL
            end = self._buf.find(b"\x00", pos + 3)
            if end < 0:
                if len(self._buf) - pos > 260:
                    return Unknown(bytes(self._buf[pos:pos + 3]), "GS k without NUL"), 3
                raise _Incomplete
            data = bytes(self._buf[pos + 3:end])
            return Barcode(BARCODES.get(m, f"type {m}"), data, self.style.align), end + 1 - pos
        n = self._need(pos, 4)[3]
        data = self._need(pos, 4 + n)[4:]
        return Barcode(BARCODES.get(m, f"type {m}"), data, self.style.align), 4 + n

    def _dle(self, pos: int) -> tuple[Element, int]:
        op = self._need(pos, 2)[1]
        if op == 0x04:  # DLE EOT n: transmit real-time status
            return RealTimeRequest("DLE EOT", self._need(pos, 3)[2]), 3
        if op == 0x05:  # DLE ENQ n: real-time request to printer
            return RealTimeRequest("DLE ENQ", self._need(pos, 3)[2]), 3
        if op == 0x14:  # DLE DC4 fn m t
            return Command("DLE DC4", self._need(pos, 5)[2:]), 5
        return Unknown(bytes([DLE, op]), "unknown DLE command"), 2


def decode(data: bytes) -> list[Element]:
    """Decode a complete stream."""
    decoder = EscPosDecoder()
    return decoder.feed(data) + decoder.finish()
