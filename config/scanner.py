"""Configuration of the barcode/QR scanner attached to a kiosk (keyboard wedge, serial, or camera).

The branch key that signs appointment and e-ticket codes is not here: it belongs to the branch configuration and is
passed to `hardware.scanner.codes.CodeParser` by the app's composition root.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, StringConstraints, field_validator

from config.base import Section

#: Symbologies the camera decoder may be restricted to (zbar's `ZBarSymbol` names; zxing-cpp maps them).
Symbology = Literal[
    "QRCODE", "CODE128", "CODE39", "CODE93", "EAN13", "EAN8", "UPCA", "UPCE", "I25", "DATABAR", "PDF417", "CODABAR"
]

#: Prefix/suffix characters are often whitespace (Enter, Tab): the sections' whitespace stripping must not apply.
Affix = Annotated[str, StringConstraints(strip_whitespace=False, max_length=8)]

#: Baud rates a serial scanner can be set to (the usual UART set).
SERIAL_BAUDRATES = (1200, 2400, 4800, 9600, 19200, 38400, 57600, 115200)


class WedgeScannerConfig(Section):
    """A USB HID scanner that types codes like a keyboard; told from human typing by inter-key timing."""

    kind: Literal["wedge"] = "wedge"
    prefix: Affix = Field(
        "", description="Characters the scanner sends before each code (empty: none configured)."
    )
    suffix: Affix = Field(
        "\r", description='Characters the scanner sends after each code; "\\r" is the Enter key.'
    )
    max_interkey_ms: int = Field(
        30, ge=2, le=200, description="Longest gap between two keys of one scan; slower keys are human typing."
    )
    min_length: int = Field(4, ge=1, le=256, description="Shortest burst (without prefix/suffix) taken as a scan.")
    max_length: int = Field(512, ge=16, le=4096, description="Longest scan kept; longer bursts are cut off.")


class SerialScannerConfig(Section):
    """A scanner on a serial port (RS-232, or USB in CDC/virtual-COM mode) sending one code per line."""

    kind: Literal["serial"] = "serial"
    port: str = Field(..., min_length=1, description="Serial device path, e.g. /dev/ttyACM0 or /dev/serial/by-id/….")
    baudrate: int = Field(9600, description="Line speed; must match the scanner's setting.")
    terminator: Literal["any", "\r", "\n", "\r\n", "\t", "none"] = Field(
        "any",
        description='What ends a code. "any" (the default) accepts CR, LF, CRLF and TAB, the suffixes field scanners '
        'ship with; one of them accepts only that one; "none": the scanner sends no suffix. In every case a code '
        "with no suffix also ends after `gap_ms` of silence.",
    )
    gap_ms: int = Field(
        60, ge=10, le=2000,
        description="Silence that ends a code sent with no suffix. A scanner sends a code's bytes back to back.",
    )
    max_length: int = Field(512, ge=16, le=8192, description="Longest line accepted; longer ones are discarded.")
    reconnect_interval_s: float = Field(
        2.0, ge=0.05, le=60, description="Pause between attempts to reopen a vanished port."
    )

    @field_validator("baudrate")
    @classmethod
    def _known_baudrate(cls, value: int) -> int:
        if value not in SERIAL_BAUDRATES:
            raise ValueError(f"baudrate must be one of {SERIAL_BAUDRATES}")
        return value

    @property
    def terminators(self) -> tuple[str, ...]:
        """The suffixes that end a code (empty: only the gap does)."""
        if self.terminator == "any":
            return ("\r\n", "\r", "\n", "\t")
        return () if self.terminator == "none" else (self.terminator,)


class CameraScannerConfig(Section):
    """A camera read with OpenCV and decoded with zbar; a video file or an image folder replays recorded scans."""

    kind: Literal["camera"] = "camera"
    source: int | str = Field(
        0, description="Camera device index, a video file, or a folder of images played in name order."
    )
    width: int = Field(640, ge=160, le=3840, description="Requested capture width in pixels.")
    height: int = Field(480, ge=120, le=2160, description="Requested capture height in pixels.")
    fps: float = Field(15.0, gt=0, le=120, description="Requested frame rate; files and folders are paced to it.")
    symbologies: list[Symbology] = Field(
        default_factory=lambda: ["QRCODE", "CODE128"],
        min_length=1,
        description="Symbologies decoded; each extra one costs decode time (all of them: about 3x QR alone).",
    )
    decoder: Literal["zxing-cpp", "zbar"] = Field(
        "zxing-cpp",
        description="Barcode library: zxing-cpp decodes more of what customers present, and sooner "
        "(docs/benchmarks.md); zbar is the fallback, also used when the chosen one cannot be loaded.",
    )
    second_opinion: bool = Field(
        True, description="When the decoder locates a code it cannot read, the other library looks at that frame "
        "too (only then: empty frames cost nothing more).",
    )
    dedupe_window_s: float = Field(
        3.0, ge=0, le=600, description="A code seen again within this many seconds of its last sighting is ignored."
    )
    reconnect_interval_s: float = Field(2.0, ge=0.05, le=60, description="Pause between attempts to reopen a camera.")

    @field_validator("source")
    @classmethod
    def _source_shape(cls, value: int | str) -> int | str:
        if isinstance(value, int) and not 0 <= value <= 63:
            raise ValueError("a camera index is between 0 and 63")
        if isinstance(value, str) and not value.strip():
            raise ValueError("source path is empty")
        return value

    @property
    def is_file_source(self) -> bool:
        """True when `source` names a video file or an image folder rather than a live camera."""
        return isinstance(self.source, str) and not Path(self.source).as_posix().startswith("/dev/")


ScannerDevice = Annotated[WedgeScannerConfig | SerialScannerConfig | CameraScannerConfig, Field(discriminator="kind")]


class ScannerConfig(Section):
    """The `[scanner]` section of a kiosk's configuration."""

    enabled: bool = Field(True, description="False when the kiosk has no scanner.")
    device: ScannerDevice = Field(default_factory=WedgeScannerConfig, description="The scanner and how it is attached.")
