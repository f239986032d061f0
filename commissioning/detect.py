"""What hardware is plugged in: serial ports, USB printers (by vendor and product id), cameras.

Read-only and quick (no port is opened), so the wizard can list choices at once. Each finding carries the choice
string of `hardware_choice` that selects it.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

#: USB interface class 7 is "printer" (USB class codes, usb.org).
USB_PRINTER_CLASS = "07"


@dataclass(frozen=True)
class Found:
    kind: str  # "serial", "usb-printer", "camera"
    choice: str  # e.g. "serial:/dev/ttyUSB0", "usb:04b8:0202", "camera:0"
    label: str  # what the technician reads


def serial_ports() -> list[Found]:
    """Serial ports as pyserial lists them (USB-serial adapters, CDC-ACM scanners, COM ports on Windows)."""
    from serial.tools import list_ports

    found = []
    for port in sorted(list_ports.comports(), key=lambda p: p.device):
        ids = f" [{port.vid:04x}:{port.pid:04x}]" if port.vid is not None and port.pid is not None else ""
        found.append(Found("serial", f"serial:{port.device}", f"{port.device}: {port.description}{ids}"))
    return found


def usb_printers(sysfs: Path = Path("/sys")) -> list[Found]:
    """USB devices with a printer-class interface, from sysfs (Linux; none elsewhere)."""
    found = []
    seen: set[tuple[str, str]] = set()
    for interface in sorted((sysfs / "bus" / "usb" / "devices").glob("*:*")):
        try:
            if (interface / "bInterfaceClass").read_text().strip() != USB_PRINTER_CLASS:
                continue
            device = interface.resolve().parent
            vid = (device / "idVendor").read_text().strip()
            pid = (device / "idProduct").read_text().strip()
        except OSError:
            continue
        if (vid, pid) in seen:
            continue
        seen.add((vid, pid))
        product = _read(device / "product") or "USB printer"
        maker = _read(device / "manufacturer")
        found.append(Found("usb-printer", f"usb:{vid}:{pid}", f"{maker} {product} [{vid}:{pid}]".strip()))
    return found


def cameras(dev: Path = Path("/dev")) -> list[Found]:
    if sys.platform != "linux":
        return []
    return [Found("camera", f"camera:{path}", path.name) for path in sorted(dev.glob("video[0-9]*"))]


def everything() -> list[Found]:
    return serial_ports() + usb_printers() + cameras()


def _read(path: Path) -> str:
    try:
        return path.read_text().strip()
    except OSError:
        return ""
