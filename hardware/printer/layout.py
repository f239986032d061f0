"""Ticket layout: ``TicketPrint`` → ESC/POS bytes for one printer profile.

python-escpos (through ``escpos_lib``, the one module that imports it) generates the commands with its ``Dummy``
printer and we send the bytes through our own transports. Text the profile's code page can carry, and that is not
right-to-left, uses the printer's fonts (small and sharp); anything else is shaped by Qt and sent as a raster
(GS v 0). The layout also estimates the paper length it uses, for the near-end count.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass

import segno
from PIL import Image

from config.printer import TicketLayout
from hardware.errors import LayoutError
from hardware.printer.escpos_lib import (
    CODEPAGE_CHANGE,
    PAPER_FULL_CUT,
    PAPER_PART_CUT,
    QR_ECLEVEL_M,
    Dummy,
    EscposError,
)
from hardware.printer.profiles import CutMode, PrinterProfile
from hardware.printer.raster import TextRasterizer, fit_logo, has_rtl
from hardware.printer.ticket import TicketPrint, TicketText

#: Raster sizes (pixel height of the font) and printer-font magnification per kind of line.
_STYLES: dict[str, dict[str, int | bool]] = {
    "branch": {"px": 44, "bold": True, "mag": 2},
    "label": {"px": 30, "bold": False, "mag": 1},
    "service": {"px": 40, "bold": True, "mag": 2},
    "info": {"px": 30, "bold": False, "mag": 1},
    "footer": {"px": 26, "bold": False, "mag": 1},
    "number": {"px": 150, "bold": True, "mag": 6},
}
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
        self, profile: PrinterProfile, layout: TicketLayout, rasterizer: TextRasterizer | None = None
    ) -> None:
        self.profile = profile
        self.layout = layout
        self._rasterizer = rasterizer or TextRasterizer()
        self._logo = fit_logo(str(layout.logo), profile.width_dots) if layout.logo else None

    def build(self, ticket: TicketPrint) -> RenderedTicket:
        """All commands for ``ticket``, from ESC @ to the cut."""
        text = TicketText(ticket.language, self.layout.locales.get(ticket.language, ticket.language))
        job = _Job(self.profile, self._rasterizer)
        if self._logo is not None:
            job.image(self._logo)
            job.feed(1)
        job.line(ticket.branch_name, "branch")
        job.feed(1)
        job.line(text.label("your_number"), "label")
        job.line(ticket.number, "number")
        job.line(ticket.service_name, "service")
        job.feed(1)
        job.line(text.date_time(ticket.issued_at, ticket.tz_name), "info")
        job.line(text.people_ahead(ticket.people_ahead), "info")
        job.line(text.estimated_wait(ticket.estimated_wait_s), "info")
        payload = self._qr_payload(ticket)
        if payload:
            job.feed(1)
            job.qr(payload, self.layout.qr_module_size)
            job.line(text.label("scan_to_follow"), "footer")
        footer = ticket.footer or self.layout.footer.get(ticket.language)
        if footer:
            job.feed(1)
            job.line(footer, "footer")
        job.cut()
        return RenderedTicket(job.output, round(self.profile.mm_for_dots(job.dots), 1))

    def _qr_payload(self, ticket: TicketPrint) -> str | None:
        if not self.layout.show_qr or not ticket.qr_payload:
            return None
        return (self.layout.qr_base_url or "") + ticket.qr_payload


class _Job:
    """One ticket being generated: a python-escpos Dummy plus the paper-length tally."""

    def __init__(self, profile: PrinterProfile, rasterizer: TextRasterizer) -> None:
        self.profile = profile
        self._raster = rasterizer
        self._code_page, table = profile.text_code_page
        # Fixed code page, no automatic switching: our profile, not python-escpos', numbers the table.
        self._p = Dummy(
            profile=profile.escpos_profile, magic_encode_args={"encoding": self._code_page, "disabled": True}
        )
        self.dots = 0
        self._p.hw("INIT")  # ESC @: initialise, clears styles left by a previous job
        self._p._raw(CODEPAGE_CHANGE + bytes([table]))  # ESC t n: select character code table
        self._p.set(align="center")  # ESC a 1: centre everything; rasters are full width anyway

    @property
    def output(self) -> bytes:
        return self._p.output

    def _printable(self, text: str) -> bool:
        encoder = self._p.magic.encoder
        return not has_rtl(text) and all(encoder.can_encode(self._code_page, c) for c in text)

    def line(self, text: str, kind: str) -> None:
        style = _STYLES[kind]
        if not self._printable(text):
            self.image(self._raster.render(text, self.profile.width_dots, int(style["px"]), bold=bool(style["bold"])))
            return
        mag = int(style["mag"])
        if kind == "number":
            fit = self.profile.width_dots // (max(len(text), 1) * self.profile.font_a_width)
            mag = max(1, min(_MAX_NUMBER_MAG, fit))
        # GS ! n: character size (width and height multipliers); ESC E n: emphasised.
        self._p.set(bold=bool(style["bold"]), custom_size=True, width=mag, height=mag)
        lines = textwrap.wrap(text, max(self.profile.columns // mag, 1)) or [""]
        for chunk in lines:
            self._p.textln(chunk)
        self.dots += len(lines) * max(self.profile.line_spacing_dots, self.profile.font_a_height * mag)
        self._p.set(bold=False, custom_size=True, width=1, height=1)

    def image(self, image: Image.Image) -> None:
        """GS v 0: print raster bit image, full width, at most the profile's head width."""
        if image.width > self.profile.width_dots:
            raise LayoutError(f"image {image.width} dots wide exceeds {self.profile.key} ({self.profile.width_dots})")
        try:
            self._p.image(image, impl="bitImageRaster")
        except EscposError as err:
            raise LayoutError(f"cannot print image: {err}") from err
        self.dots += image.height

    def qr(self, payload: str, module: int) -> None:
        """Native QR (GS ( k) where the model has it, else python-escpos rasterises it (GS v 0)."""
        symbol = segno.make(payload, error="m", micro=False)
        # python-escpos' raster QR adds a one-module border on each side.
        while module > 1 and (symbol.symbol_size(scale=module, border=1)[0] > self.profile.width_dots):
            module -= 1
        if symbol.symbol_size(scale=module, border=1)[0] > self.profile.width_dots:
            raise LayoutError(f"QR payload of {len(payload)} characters does not fit {self.profile.key}")
        try:
            if self.profile.native_qr:
                self._p.qr(payload, ec=QR_ECLEVEL_M, size=module, native=True)
                self._p.ln()
            else:
                self._p.qr(payload, ec=QR_ECLEVEL_M, size=module, native=False, center=True)
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
