"""Hardware choices as the technician types them (`--printer usb:04b8:0202`) ↔ configuration sections.

Grammar (one string per device, so a scripted install is one command line):
  printer:     simulator | serial:PORT[:BAUD] | tcp:HOST[:PORT] | usb:VID:PID | file:PATH | none
  scanner:     wedge | serial:PORT[:BAUD] | camera:INDEX_OR_PATH | none
  fingerprint: simulator | serial:PORT | none
"""

from __future__ import annotations

from typing import Any


class ChoiceError(ValueError):
    """A hardware choice that does not follow the grammar; the message says what is expected."""


def _split(text: str) -> tuple[str, list[str]]:
    kind, _, rest = text.strip().partition(":")
    return kind.lower(), (rest.split(":") if rest else [])


def printer_section(text: str, model: str = "generic-80") -> dict[str, Any] | None:
    """The `[printer]` table for a choice, or None for `none`."""
    kind, args = _split(text)
    if kind == "none":
        return None
    if kind == "simulator":
        connection: dict[str, Any] = {"type": "simulator"}
    elif kind == "serial" and args:
        # a port path may itself hold colons only on Windows (COM3 has none), so PORT[:BAUD] is unambiguous here
        connection = {"type": "serial", "port": args[0]}
        if len(args) > 1:
            connection["baudrate"] = _int(args[1], "baud rate")
    elif kind == "tcp" and args:
        connection = {"type": "tcp", "host": args[0], "port": _int(args[1], "port") if len(args) > 1 else 9100}
    elif kind == "usb" and len(args) == 2:
        connection = {"type": "usb", "vendor_id": _hex(args[0]), "product_id": _hex(args[1])}
    elif kind == "file" and args:
        connection = {"type": "file", "path": ":".join(args)}
    else:
        raise ChoiceError(f"printer {text!r}: use simulator, serial:PORT[:BAUD], tcp:HOST[:PORT], usb:VID:PID, "
                          "file:PATH or none")
    return {"model": model, "connection": connection}


def scanner_section(text: str) -> dict[str, Any] | None:
    kind, args = _split(text)
    if kind == "none":
        return {"enabled": False}
    if kind == "wedge":
        return {"device": {"kind": "wedge"}}
    if kind == "serial" and args:
        device: dict[str, Any] = {"kind": "serial", "port": args[0]}
        if len(args) > 1:
            device["baudrate"] = _int(args[1], "baud rate")
        return {"device": device}
    if kind == "camera" and args:
        source = ":".join(args)
        return {"device": {"kind": "camera", "source": int(source) if source.isdigit() else source}}
    raise ChoiceError(f"scanner {text!r}: use wedge, serial:PORT[:BAUD], camera:INDEX_OR_PATH or none")


def fingerprint_section(text: str) -> dict[str, Any] | None:
    kind, args = _split(text)
    if kind == "none":
        return None
    if kind == "simulator":
        return {"enabled": True, "simulated": True}
    if kind == "serial" and args:
        return {"enabled": True, "port": args[0]}
    raise ChoiceError(f"fingerprint {text!r}: use simulator, serial:PORT or none")


def _int(text: str, what: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise ChoiceError(f"{what} {text!r} is not a number") from None


def _hex(text: str) -> int:
    try:
        return int(text, 16)
    except ValueError:
        raise ChoiceError(f"USB id {text!r} is not hexadecimal (e.g. 04b8)") from None
