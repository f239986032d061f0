"""The ``[printer]`` configuration section: which thermal printer, how it is connected, how tickets look."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, field_validator

from config.base import Section

Language = Literal["fr", "en", "ar"]
#: Serial handshakes (pyserial's names; dsrdtr is done by the driver, Linux's termios has no DTR/DSR flow control).
FlowControl = Literal["none", "rtscts", "xonxoff", "dsrdtr"]


class SerialConnection(Section):
    """A printer on a serial port (RS-232, USB-serial adapter, or a simulator's pseudo-terminal)."""

    type: Literal["serial"] = "serial"
    port: str = Field(
        description="Device path, e.g. /dev/ttyUSB0 or the pty path a simulator prints; rfc2217://HOST:PORT for a "
        "printer behind a serial device server (RFC 2217).",
    )
    baudrate: int = Field(
        default=115200, ge=1200, le=921600,
        description="Line speed: 10 bits a byte on the wire, so 115200 baud carries 11.5 KB/s and 9600 only 960 B/s.",
    )
    flow_control: FlowControl | None = Field(
        default=None,
        description="How the printer says 'busy' when its buffer fills: none, rtscts (RTS/CTS lines), xonxoff "
        "(XON/XOFF bytes) or dsrdtr (DTR/DSR lines, Epson's RS-232 default). Must match the printer's setting "
        "(DIP switches); unset: the model's default. 'none' loses bytes when the printer cannot keep up.",
    )
    timeout: float = Field(
        default=3.0, gt=0, le=10,
        description="Seconds without progress before a write is an error (a printer may stay busy this long).",
    )


class TcpConnection(Section):
    """A network printer reached over raw TCP (the 'JetDirect' port)."""

    type: Literal["tcp"] = "tcp"
    host: str = Field(min_length=1, description="Host name or IP address of the printer.")
    port: int = Field(default=9100, ge=1, le=65535, description="Raw printing port, 9100 on most printers.")
    timeout: float = Field(default=2.0, gt=0, le=10, description="Seconds for connect and for a stalled send.")


class UsbConnection(Section):
    """A USB printer-class device; resolved at start-up to its /dev/usb/lpN file through sysfs (Linux, no pyusb)."""

    type: Literal["usb"] = "usb"
    vendor_id: int = Field(ge=0, le=0xFFFF, description="USB vendor id, e.g. 0x04b8 for Epson.")
    product_id: int = Field(ge=0, le=0xFFFF, description="USB product id, e.g. 0x0202 for a TM-T88V.")
    timeout: float = Field(default=2.0, gt=0, le=10, description="Seconds before a stalled write is an error.")

    @field_validator("vendor_id", "product_id", mode="before")
    @classmethod
    def _hex(cls, value: object) -> object:
        """Accept "04b8" / "0x04b8" strings, since that is how lsusb prints ids."""
        return int(value, 16) if isinstance(value, str) else value


class FileConnection(Section):
    """A device file opened directly, e.g. /dev/usb/lp0 or a parallel port."""

    type: Literal["file"] = "file"
    path: Path = Field(description="Device file path.")
    timeout: float = Field(default=2.0, gt=0, le=10, description="Seconds before a stalled write is an error.")


class SimulatorConnection(Section):
    """The built-in printer simulator, in process: for demos, laptops and tests."""

    type: Literal["simulator"] = "simulator"
    output_dir: Path | None = Field(
        default=None,
        description="Where the simulator writes each ticket's PNG preview and transcript; none: keep in memory.",
    )
    paper_out_after: int | None = Field(
        default=None, ge=0, description="Simulate the roll running out after this many tickets."
    )


Connection = Annotated[
    SerialConnection | TcpConnection | UsbConnection | FileConnection | SimulatorConnection,
    Field(discriminator="type"),
]


class TicketLayout(Section):
    """What a ticket shows beyond the queue data."""

    logo: Path | None = Field(
        default=None, description="Image printed at the top (PNG/BMP), scaled to the paper width."
    )
    footer: dict[Language, str] = Field(
        default_factory=dict, description="Footer text per ticket language; a missing language prints no footer."
    )
    show_qr: bool = Field(default=True, description="Print a QR code when the ticket carries a payload.")
    qr_base_url: str | None = Field(
        default=None, description="Prefix for the QR payload, e.g. https://q.example.com/t/ (e-ticket link)."
    )
    qr_module_size: int = Field(default=6, ge=2, le=16, description="QR module size in printer dots.")
    text_only: bool | None = Field(
        default=None,
        description="Print no image at all (no logo, no raster text): each kilobyte takes a second at 9600 baud. "
        "Unset: automatic, on serial links at 9600 baud or slower.",
    )
    text_only_language: Literal["fr", "en"] = Field(
        default="fr", description="Text-only tickets print labels the code page cannot carry (Arabic) in this one.",
    )
    locales: dict[Language, str] = Field(
        default_factory=lambda: {"fr": "fr_FR", "en": "en_GB", "ar": "ar"},
        description="Babel locale per ticket language; it decides date formats and digits (ar_EG: Arabic-Indic).",
    )


class PaperRoll(Section):
    """The paper roll, to estimate how many tickets are left."""

    roll_length_m: float = Field(default=80.0, gt=1, le=500, description="Length of a new roll, in metres.")
    near_end_remaining_m: float = Field(
        default=3.0, ge=0, le=50, description="Paper left when the printer's near-end sensor trips, in metres."
    )
    low_warning_tickets: int = Field(
        default=50, ge=0, le=100000, description="Below this many estimated tickets the kiosk warns staff."
    )
    counter_file: Path | None = Field(
        default=None, description="Where the used-paper counter persists across restarts; none: not persisted."
    )


class PrinterConfig(Section):
    """The ``[printer]`` section."""

    model: str = Field(default="generic-80", description="Capability profile key (see hardware.printer.profiles).")
    connection: Connection = Field(default_factory=SimulatorConnection, description="How the printer is reached.")
    paper_width_mm: Literal[58, 80] = Field(default=80, description="Paper width; must fit the model.")
    layout: TicketLayout = Field(default_factory=TicketLayout, description="Ticket content options.")
    status_timeout_s: float = Field(
        default=0.5, gt=0, le=1.5,
        description="Wait for one real-time status reply (DLE EOT); no reply means offline. Kept short so a "
        "silent printer is detected within 2 s.",
    )
    realtime_status: bool | None = Field(
        default=None, description="Override the profile: false for printers (often USB class) that never answer."
    )
    full_raster: bool | None = Field(
        default=None,
        description="Draw every line, the number and the QR as full-width images, for printers without code pages "
        "or native QR. Unset: the model's default. Several times the bytes: fine on USB, slow on serial.",
    )
    paper: PaperRoll = Field(default_factory=PaperRoll, description="Roll length and near-end estimate.")
