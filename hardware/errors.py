"""One exception tree for every hardware port (STYLE.md habit 6).

Drivers raise these; the device layer turns them into a state (e.g. PrinterState.OFFLINE) and the app turns the
state into words for the person at the screen. Raise with ``from err`` so the OS error stays in the traceback.
"""

from __future__ import annotations


class HardwareError(Exception):
    """Base of every error a hardware port raises."""


class ConfigurationError(HardwareError):
    """The configured device cannot be used as configured (no such USB device, bad path, …)."""


class TransportError(HardwareError):
    """The link to the device failed: cannot open, write failed, device vanished, connection closed."""


class DeviceTimeout(TransportError):
    """The device did not accept or return bytes before the deadline."""


class ProtocolError(HardwareError):
    """The device answered, but with bytes that do not fit the protocol (garbage, truncated, bad checksum)."""


class LayoutError(HardwareError):
    """Content cannot be laid out for the device (e.g. an image wider than the printer's head)."""
