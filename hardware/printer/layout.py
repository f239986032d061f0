"""Ticket layout: ``TicketPrint`` → ESC/POS bytes for one printer profile.

python-escpos (through ``escpos_lib``, the one module that imports it) generates the commands with its ``Dummy``
printer and we send the bytes through our own transports. What the ticket shows, top to bottom, and how each kind
of line looks are data (``TICKET`` and ``STYLES``): a change of look is a change of those tables.

Three encodings, because the link decides what a ticket costs (``physics``):
- ``native`` (the default): the printer's own fonts for whatever its code page carries (the number, digits, Latin
  text), its native QR command (GS ( k) where the model has one, and a raster (GS v 0) only for text that needs
  shaping (Arabic), cropped to the ink and centred by the printer: an Arabic 80 mm ticket is ~5 KB, not 16 KB.
- ``full raster`` (a profile or configuration option, for printers without code pages or native QR): every line,
  the number and the QR drawn as full-width images.
- ``text only`` (serial links at 9600 baud or slower, where 1 KB takes a second): no image at all; a label the code
  page cannot carry is printed in the fallback language, a name it cannot carry is left out.
"""

from __future__ import annotations

import datetime as dt
import textwrap
from dataclasses import dataclass

import segno
from PIL import Image, ImageOps

from config.printer import PrinterConfig, SerialConnection, TicketLayout
from hardware.errors import LayoutError
from hardware.printer.escpos_lib import (
    CODEPAGE_CHANGE,
    PAPER_FULL_CUT,
    PAPER_PART_CUT,
    QR_ECLEVEL_M,
    Dummy,
    EscposError,
)
from hardware.printer.profiles import CutMode, PrinterProfile, get_profile
from hardware.printer.raster import TextRasterizer, fit_logo, has_rtl
from hardware.printer.ticket import TicketPrint, TicketText

#: Serial links this slow or slower print text only.
TEXT_ONLY_MAX_BAUD = 9600


@dataclass(frozen=True)
class LineStyle:
    """How one kind of line looks: raster font size (pixels) and weight, and the printer font's magnification."""

    px: int
    bold: bool = False
    mag: int = 1
    invert: bool = False  # white on black (GS B, or an inverted band when drawn)


STYLES: dict[str, LineStyle] = {
    "branch": LineStyle(44, bold=True, mag=2),
    "label": LineStyle(30),
    "number": LineStyle(150, bold=True, mag=6),
    "service": LineStyle(40, bold=True, mag=2),
    "info": LineStyle(30),
    "footer": LineStyle(26),
    "mark": LineStyle(36, bold=True, mag=2, invert=True),
}


@dataclass(frozen=True)
class Line:
    """One entry of the ticket: what it prints, in which style, and what must be present for it to print.

    ``content``: a ``TicketPrint`` field (``branch_name``, ``number``, ``service_name``), a formatted value
    (``date_time``, ``priority_mark``, ``appointment_at``, ``people_ahead``, ``estimated_wait``, ``qr_note``,
    ``footer``), ``label:KEY`` (a ``TicketText`` label),
    ``qr``, ``logo`` or ``feed`` (one blank line). ``needs`` names content that must be non-empty (a feed before
    the QR prints only with a QR).
    """

    content: str
    style: str = "info"
    needs: str | None = None


TICKET: tuple[Line, ...] = (
    Line("logo"),
    Line("feed", needs="logo"),
    Line("branch_name", "branch"),
    Line("feed"),
    Line("label:your_number", "label"),
    Line("number", "number"),
    Line("priority_mark", "mark"),
    Line("service_name", "service"),
    Line("feed"),
    Line("date_time"),
    Line("appointment_at"),
    Line("people_ahead"),
    Line("estimated_wait"),
    Line("feed", needs="qr"),
    Line("qr"),
    Line("qr_note", "footer", needs="qr"),
    Line("feed", needs="footer"),
    Line("footer", "footer"),
)
#: A technician's test print: nothing a customer could take for a place in the queue.
TEST_TICKET: tuple[Line, ...] = (
    Line("logo"),
    Line("feed", needs="logo"),
    Line("branch_name", "branch"),
    Line("feed"),
    Line("label:test_ticket", "service"),
    Line("label:test_note"),
    Line("date_time"),
)
#: ESC J n: print and feed n dots.
ESC_J = b"\x1bJ"
#: Dots fed under a line printed as an image: the blank rows the full-raster encoding keeps around its ink.
_RASTER_LINE_GAP = 4
#: ESC d n before the cut: moves the last line past the cutter blade.
_FEED_BEFORE_CUT = 4
_MAX_NUMBER_MAG = 6


@dataclass(frozen=True)
class RenderedTicket:
    """The bytes of one ticket and the paper it uses."""

    data: bytes
    length_mm: float


class TicketComposer:
    """Lays out tickets for one profile and layout configuration. Loads the logo once, at construction."""

    def __init__(
        self, profile: PrinterProfile, layout: TicketLayout, rasterizer: TextRasterizer | None = None, *,
        full_raster: bool | None = None, text_only: bool = False,
    ) -> None:
        self.profile = profile
        self.layout = layout
        # text only wins: it exists for links too slow for any image
        self.full_raster = not text_only and (profile.full_raster if full_raster is None else full_raster)
        self.text_only = text_only
        self._rasterizer = None if text_only else rasterizer or TextRasterizer()
        self._logo = (fit_logo(str(layout.logo), profile.width_dots, full_width=self.full_raster)
                      if layout.logo and not text_only else None)

    @classmethod
    def for_config(cls, config: PrinterConfig, rasterizer: TextRasterizer | None = None) -> TicketComposer:
        """The composer a configured printer needs: its model, its layout options and its link's speed."""
        profile = get_profile(config.model, config.paper_width_mm)
        return cls(profile, config.layout, rasterizer, full_raster=config.full_raster, text_only=text_only(config))

    def typical_length_mm(self) -> float:
        """Paper a typical ticket of this layout uses (a French one, three people ahead, a QR if shown)."""
        sample = TicketPrint(
            branch_name="Agence", number="A-001", service_name="Service", language="fr",
            issued_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC), tz_name="UTC", people_ahead=3, estimated_wait_s=600,
            qr_payload="SQT1:B:A001-20260101:AAAAAAAAAAAAAAAA",
        )
        return self.build(sample).length_mm

    def build(self, ticket: TicketPrint) -> RenderedTicket:
        """All commands for ``ticket``, from ESC @ to the cut."""
        text = TicketText(ticket.language, self.layout.locales.get(ticket.language, ticket.language))
        fallback = TicketText(self.layout.text_only_language,
                              self.layout.locales.get(self.layout.text_only_language, self.layout.text_only_language))
        job = _Job(self.profile, self._rasterizer, full_raster=self.full_raster, text_only=self.text_only)
        lines = TEST_TICKET if ticket.test else TICKET
        values = {key: self._content(key, ticket, text) for key in {line.content for line in lines}}
        for line in lines:
            if line.needs is not None and not values.get(line.needs):
                continue
            if line.content == "feed":
                job.feed(1)
            elif line.content == "logo":
                if self._logo is not None:
                    job.image(self._logo)
            elif line.content == "qr":
                payload = values["qr"]
                if payload:
                    job.qr(payload, self.layout.qr_module_size)
            else:
                value = values[line.content]
                if value and self.text_only and not job.printable(value):
                    value = self._content(line.content, ticket, fallback) if self._translatable(line) else None
                    if value and not job.printable(value):  # a name inside the label the code page cannot carry
                        value = None
                if value:
                    job.line(value, STYLES[line.style], number=line.content == "number")
        job.cut()
        return RenderedTicket(job.output, round(self.profile.mm_for_dots(job.dots), 1))

    @staticmethod
    def _translatable(line: Line) -> bool:
        """Lines made of our own labels exist in every language; names and the footer are the customer's text."""
        return line.content.startswith("label:") or line.content in (
            "date_time", "appointment_at", "people_ahead", "estimated_wait", "qr_note", "priority_mark")

    def _content(self, key: str, ticket: TicketPrint, text: TicketText) -> str | None:
        if key.startswith("label:"):
            return text.label(key.removeprefix("label:"))
        if key == "date_time":
            return text.date_time(ticket.issued_at, ticket.tz_name)
        if key == "priority_mark":
            return text.label("priority", category=ticket.priority) if ticket.priority else None
        if key == "appointment_at":
            if ticket.appointment_at is None:
                return None
            return text.label("appointment_at", time=text.clock(ticket.appointment_at, ticket.tz_name))
        if key == "qr_note":  # promise online tracking only when the QR opens a page
            payload = self._content("qr", ticket, text)
            if not payload:
                return None
            link = ticket.qr_is_link or payload.startswith(("https://", "http://"))
            return text.label("scan_to_follow" if link else "scan_at_kiosk")
        if key == "people_ahead":
            return text.people_ahead(ticket.people_ahead)
        if key == "estimated_wait":
            return text.estimated_wait(ticket.estimated_wait_s)
        if key == "footer":
            return ticket.footer or self.layout.footer.get(ticket.language)
        if key == "qr":
            if not self.layout.show_qr or not ticket.qr_payload:
                return None
            if ticket.qr_payload.startswith(("https://", "http://")):
                return ticket.qr_payload  # already a link (central's phone page): never prefixed twice
            return (self.layout.qr_base_url or "") + ticket.qr_payload
        if key == "logo":
            return "logo" if self._logo is not None else None
        if key in ("branch_name", "number", "service_name"):
            return str(getattr(ticket, key))
        if key == "feed":
            return None
        raise LayoutError(f"unknown ticket content {key!r}")


def text_only(config: PrinterConfig) -> bool:
    """Text only when configured, else automatically on serial links at 9600 baud or slower."""
    if config.layout.text_only is not None:
        return config.layout.text_only
    conn = config.connection
    return isinstance(conn, SerialConnection) and conn.baudrate <= TEXT_ONLY_MAX_BAUD


class _Job:
    """One ticket being generated: a python-escpos Dummy plus the paper-length tally."""

    def __init__(self, profile: PrinterProfile, rasterizer: TextRasterizer | None, *, full_raster: bool = False,
                 text_only: bool = False) -> None:
        self.profile = profile
        self._raster = rasterizer
        self.full_raster = full_raster
        self.text_only = text_only
        self._code_page, table = profile.text_code_page
        # Fixed code page, no automatic switching: our profile, not python-escpos', numbers the table.
        self._p = Dummy(
            profile=profile.escpos_profile, magic_encode_args={"encoding": self._code_page, "disabled": True}
        )
        self.dots = 0
        self._p.hw("INIT")  # ESC @: initialise, clears styles left by a previous job
        self._p._raw(CODEPAGE_CHANGE + bytes([table]))  # ESC t n: select character code table
        self._p.set(align="center")  # ESC a 1: centre everything, text and images alike

    @property
    def output(self) -> bytes:
        return self._p.output

    def printable(self, text: str) -> bool:
        """The printer's font and code page can print ``text`` as it reads (no shaping, no right-to-left)."""
        encoder = self._p.magic.encoder
        return not has_rtl(text) and all(encoder.can_encode(self._code_page, c) for c in text)

    def line(self, text: str, style: LineStyle, *, number: bool = False) -> None:
        if self.full_raster or not self.printable(text):
            if self._raster is None:
                raise LayoutError(f"text-only layout cannot print {text!r}")
            if self.full_raster:
                image = self._raster.render(text, self.profile.width_dots, style.px, bold=style.bold, crop=False)
                self.image(inverted_band(image) if style.invert else image)
                return
            # Cropped to the ink, rows too: the blank rows a line needs around it cost 3 bytes as a feed (ESC J n),
            # against ~40 bytes a row as image.
            # An inverted mark keeps a margin of black around its ink.
            image = self._raster.render(text, self.profile.width_dots, style.px, bold=style.bold,
                                        margin=8 if style.invert else 0)
            self.image(inverted_band(image) if style.invert else image)
            self._p._raw(ESC_J + bytes([_RASTER_LINE_GAP]))  # ESC J n: print and feed n dots
            self.dots += _RASTER_LINE_GAP
            return
        mag = style.mag
        if number:
            fit = self.profile.width_dots // (max(len(text), 1) * self.profile.font_a_width)
            mag = max(1, min(_MAX_NUMBER_MAG, fit))
        # GS ! n: character size (width and height multipliers); ESC E n: emphasised; GS B n: white on black.
        inverted = {"invert": True} if style.invert else {}  # GS B only where needed: other lines' bytes unchanged
        self._p.set(bold=style.bold, custom_size=True, width=mag, height=mag, **inverted)
        lines = textwrap.wrap(text, max(self.profile.columns // mag, 1)) or [""]
        for chunk in lines:
            self._p.textln(chunk)
        self.dots += len(lines) * max(self.profile.line_spacing_dots, self.profile.font_a_height * mag)
        self._p.set(bold=False, custom_size=True, width=1, height=1, **({"invert": False} if style.invert else {}))

    def image(self, image: Image.Image) -> None:
        """GS v 0: print raster bit image, at most the profile's head width, placed by ESC a."""
        if image.width > self.profile.width_dots:
            raise LayoutError(f"image {image.width} dots wide exceeds {self.profile.key} ({self.profile.width_dots})")
        try:
            self._p.image(image, impl="bitImageRaster")
        except EscposError as err:
            raise LayoutError(f"cannot print image: {err}") from err
        self.dots += image.height

    def qr(self, payload: str, module: int) -> None:
        """Native QR (GS ( k) where the model has it and the layout allows, else a raster QR (GS v 0)."""
        symbol = segno.make(payload, error="m", micro=False)
        # python-escpos' raster QR adds a one-module border on each side.
        while module > 1 and (symbol.symbol_size(scale=module, border=1)[0] > self.profile.width_dots):
            module -= 1
        if symbol.symbol_size(scale=module, border=1)[0] > self.profile.width_dots:
            raise LayoutError(f"QR payload of {len(payload)} characters does not fit {self.profile.key}")
        native = self.profile.native_qr and not self.full_raster
        if not native and self.text_only:
            return  # a text-only ticket on a model without native QR: the number is what the customer needs
        try:
            if native:
                self._p.qr(payload, ec=QR_ECLEVEL_M, size=module, native=True)
                self._p.ln()
            else:
                self._p.qr(payload, ec=QR_ECLEVEL_M, size=module, native=False, center=self.full_raster)
        except EscposError as err:
            raise LayoutError(f"cannot print QR code: {err}") from err
        self.dots += symbol.symbol_size(scale=module, border=1)[1] + self.profile.line_spacing_dots

    def feed(self, lines: int) -> None:
        self._p.ln(lines)  # LF
        self.dots += lines * self.profile.line_spacing_dots

    def cut(self) -> None:
        """ESC d n then GS V m: feed past the blade and cut, as the model allows; no cutter: feed to tear."""
        mode = self.profile.preferred_cut
        self._p.print_and_feed(_FEED_BEFORE_CUT)
        self.dots += _FEED_BEFORE_CUT * self.profile.line_spacing_dots
        if mode is not None:
            # Our profile, not python-escpos', decides the cut: its POS-5890 entry has no cutter, yet many
            # 58 mm clones do. GS V 1: partial cut; GS V 0: full cut.
            self._p._raw(PAPER_PART_CUT if mode is CutMode.PARTIAL else PAPER_FULL_CUT)


def inverted_band(image: Image.Image, pad: int = 6) -> Image.Image:
    """White text on a black band, the ink's width plus a margin: the priority mark stands out at a glance."""
    box = ImageOps.invert(image.convert("L")).getbbox()
    band = Image.new("1", image.size, 1)
    if box is None:
        return band
    left, right = max(box[0] - 4 * pad, 0), min(box[2] + 4 * pad, image.width)
    band.paste(0, (left, 0, right, image.height))
    ink = ImageOps.invert(image.convert("L")).convert("1")
    band.paste(1, (0, 0), ink)
    return band
