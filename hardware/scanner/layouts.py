"""Keyboard layouts, for telling a keyboard-wedge scanner set for one layout on a kiosk using another.

A wedge scanner types a code as key presses: it presses the key that gives each character *on the layout it is set
to*, and the kiosk turns those keys into characters *with its own layout*. An AZERTY scanner on a QWERTY kiosk
types "SQT1:A-17" as "SAT!.Q6!&": A and Q swap, the digits lose Shift, ':' becomes '.'. Pure tables and string
work; `scan-test --wedge` shows `TEST_CODE` and diagnoses what comes back.

Rows are the physical keys, left to right, unshifted then shifted (US key names): number row, top letter row (with
the key above Enter: `\\` on US keyboards, `*` on French ones), home row, bottom row. "\\0" marks a key position
that gives no character the scanner could use (a dead key, or nothing with Shift).
"""

from __future__ import annotations

from dataclasses import dataclass

_NONE = "\0"

#: layout name → four rows of (unshifted, shifted) characters, one per physical key.
LAYOUTS: dict[str, tuple[tuple[str, str], ...]] = {
    "QWERTY (US)": (
        ("`1234567890-=", "~!@#$%^&*()_+"),
        ("qwertyuiop[]\\", "QWERTYUIOP{}|"),
        ("asdfghjkl;'", 'ASDFGHJKL:"'),
        ("zxcvbnm,./", "ZXCVBNM<>?"),
    ),
    "AZERTY (French)": (
        ("²&é\"'(-è_çà)=", "\0" + "1234567890°+"),
        ("azertyuiop\0$*", "AZERTYUIOP\0£µ"),
        ("qsdfghjklmù", "QSDFGHJKLM%"),
        ("wxcvbn,;:!", "WXCVBN?./§"),
    ),
    "QWERTZ (German)": (
        ("\0" + "1234567890ß\0", "°!\"§$%&/()=?\0"),
        ("qwertzuiopü+#", "QWERTZUIOPÜ*'"),
        ("asdfghjklöä", "ASDFGHJKLÖÄ"),
        ("yxcvbnm,.-", "YXCVBNM;:_"),
    ),
}

#: What scan-test shows: letters that move between layouts (A/Q, Z/W, Y/Z, M), digits (shifted on AZERTY) and the
#: punctuation our codes use. Upper case, like the product's codes.
TEST_CODE = "SQ-TEST:AZQWMY:0123456789"


def _keys(layout: str) -> dict[str, tuple[int, int, bool]]:
    """Character → (row, column, shift) on `layout`."""
    keys: dict[str, tuple[int, int, bool]] = {" ": (4, 0, False)}
    for row, (plain, shifted) in enumerate(LAYOUTS[layout]):
        for shift, chars in ((False, plain), (True, shifted)):
            for column, char in enumerate(chars):
                if char != _NONE:
                    keys.setdefault(char, (row, column, shift))
    return keys


def _char(layout: str, row: int, column: int, shift: bool) -> str:
    if row == 4:
        return " "
    chars = LAYOUTS[layout][row][1 if shift else 0]
    return chars[column] if column < len(chars) and chars[column] != _NONE else "?"


def typed_as(text: str, scanner_layout: str, kiosk_layout: str) -> str:
    """What a kiosk on `kiosk_layout` receives when a scanner set to `scanner_layout` types `text`."""
    keys = _keys(scanner_layout)
    out = []
    for char in text:
        key = keys.get(char)
        out.append(_char(kiosk_layout, *key) if key else "?")
    return "".join(out)


@dataclass(frozen=True)
class LayoutDiagnosis:
    """What scan-test concludes from the test code it showed and the text that came back."""

    ok: bool
    scanner_layout: str | None = None
    kiosk_layout: str | None = None
    caps_lock: bool = False

    def message(self) -> str:
        if self.ok:
            return "keyboard layout OK: the scanner and the kiosk agree"
        if self.caps_lock:
            return "letters came back in the wrong case: Caps Lock is on, or the scanner's case setting inverts case"
        if self.scanner_layout:
            return (f"keyboard layout mismatch: the scanner types as {self.scanner_layout} on a kiosk using "
                    f"{self.kiosk_layout}. Fix: set the scanner to the kiosk's layout (scan the '{self.kiosk_layout}'"
                    " keyboard setup code in the scanner's manual), or set the kiosk's keyboard layout to "
                    f"{self.scanner_layout} (Xorg: setxkbmap), or use the scanner in serial (USB CDC) mode")
        return "the code came back changed in a way no known layout explains: check the scanner's settings"


def diagnose(expected: str, received: str) -> LayoutDiagnosis:
    """Compare the test code shown with what the wedge delivered."""
    if received == expected:
        return LayoutDiagnosis(True)
    if received == expected.swapcase():
        return LayoutDiagnosis(False, caps_lock=True)
    for scanner in LAYOUTS:
        for kiosk in LAYOUTS:
            if scanner != kiosk and typed_as(expected, scanner, kiosk) == received:
                return LayoutDiagnosis(False, scanner, kiosk)
    return LayoutDiagnosis(False)
