"""Printer capability profiles as data (STYLE.md habit 12): a new model is a new row in ``PROFILES``.

Widths and features follow the python-escpos capabilities database where it knows the model; ``escpos_profile``
names that entry so python-escpos generates bytes for the same model.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from hardware.errors import ConfigurationError


class CutMode(enum.Enum):
    """What the auto-cutter can do. GS V 0/48 is a full cut, GS V 1/49 a partial cut."""

    FULL = "full"
    PARTIAL = "partial"


@dataclass(frozen=True)
class PrinterProfile:
    """What one printer model can do."""

    key: str
    name: str
    paper_width_mm: int
    width_dots: int
    dpi: int
    escpos_profile: str
    cut_modes: frozenset[CutMode]
    realtime_status: bool
    native_qr: bool
    #: Code page name (python-escpos / Python codec spelling) → ESC t n number.
    code_pages: tuple[tuple[str, int], ...]
    #: Font A cell width in dots (12 on nearly every model); decides how many characters fit a line.
    font_a_width: int = 12
    #: Font A cell height in dots; with the line spacing below, decides the paper length per text line.
    font_a_height: int = 24
    line_spacing_dots: int = 30
    #: Serial handshake the model ships with (its DIP switches); the configuration may override it.
    serial_flow_control: str = "none"
    #: Every line as a full-width image (no code pages or native QR used); the configuration may override it.
    full_raster: bool = False
    #: The mechanism, for the simulator's head model and the latency bench (datasheet print speed; the buffer is
    #: Epson's 4 KB default; cut time assumed, not measured).
    speed_mm_s: float = 250.0
    receive_buffer_bytes: int = 4096
    cut_s: float = 0.2

    @property
    def text_code_page(self) -> tuple[str, int]:
        """The code page used for Latin text: the first listed."""
        return self.code_pages[0]

    @property
    def columns(self) -> int:
        """Font A characters per line."""
        return self.width_dots // self.font_a_width

    @property
    def preferred_cut(self) -> CutMode | None:
        """Partial cut when available (the ticket stays attached until torn), else full, else none."""
        for mode in (CutMode.PARTIAL, CutMode.FULL):
            if mode in self.cut_modes:
                return mode
        return None

    def mm_for_dots(self, dots: int) -> float:
        return dots * 25.4 / self.dpi


_BOTH_CUTS = frozenset({CutMode.FULL, CutMode.PARTIAL})
_LATIN = (("CP858", 19), ("CP437", 0), ("CP1252", 16))

PROFILES: dict[str, PrinterProfile] = {
    p.key: p
    for p in (
        PrinterProfile(
            key="generic-80", name="Generic 80 mm ESC/POS", paper_width_mm=80, width_dots=576, dpi=203,
            escpos_profile="TM-T20II", cut_modes=_BOTH_CUTS, realtime_status=True, native_qr=True,
            code_pages=_LATIN,
        ),
        PrinterProfile(
            key="generic-58", name="Generic 58 mm ESC/POS", paper_width_mm=58, width_dots=384, dpi=203,
            escpos_profile="POS-5890", cut_modes=frozenset({CutMode.PARTIAL}), realtime_status=True,
            native_qr=True, code_pages=_LATIN, speed_mm_s=150.0,
        ),
        PrinterProfile(
            key="epson-tm-t88v", name="Epson TM-T88V", paper_width_mm=80, width_dots=512, dpi=180,
            escpos_profile="TM-T88V", cut_modes=_BOTH_CUTS, realtime_status=True, native_qr=True,
            code_pages=_LATIN, line_spacing_dots=30, serial_flow_control="dsrdtr", speed_mm_s=300.0,
        ),
        PrinterProfile(
            key="epson-tm-t20", name="Epson TM-T20 / TM-T20II", paper_width_mm=80, width_dots=576, dpi=203,
            escpos_profile="TM-T20II", cut_modes=_BOTH_CUTS, realtime_status=True, native_qr=True,
            code_pages=_LATIN, serial_flow_control="dsrdtr", speed_mm_s=200.0,
        ),
        PrinterProfile(
            key="pos-5890", name="POS-5890-style 58 mm (no cutter, no native QR)", paper_width_mm=58,
            width_dots=384, dpi=203, escpos_profile="POS-5890", cut_modes=frozenset(), realtime_status=True,
            native_qr=False, code_pages=(("CP437", 0), ("CP858", 19)), speed_mm_s=90.0,
        ),
    )
}


def get_profile(key: str, paper_width_mm: int | None = None) -> PrinterProfile:
    """The profile for ``key``; checks that the configured paper width is the model's."""
    try:
        profile = PROFILES[key]
    except KeyError as err:
        raise ConfigurationError(f"unknown printer model {key!r}; known: {', '.join(sorted(PROFILES))}") from err
    if paper_width_mm is not None and paper_width_mm != profile.paper_width_mm:
        raise ConfigurationError(
            f"printer model {key!r} takes {profile.paper_width_mm} mm paper, configured {paper_width_mm} mm"
        )
    return profile
