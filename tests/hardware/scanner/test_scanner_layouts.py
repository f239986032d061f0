"""Keyboard layout tables: what a wedge scanner set for one layout types on a kiosk using another."""

from __future__ import annotations

import pytest

from hardware.scanner.layouts import LAYOUTS, TEST_CODE, diagnose, typed_as


@pytest.mark.parametrize(
    ("scanner", "kiosk", "text", "typed"),
    [
        ("AZERTY (French)", "QWERTY (US)", "SQT1:A-17", "SAT!.Q6!&"),
        ("QWERTY (US)", "AZERTY (French)", "SQT1:A-17", "SAT&MQ)&è"),
        ("QWERTZ (German)", "QWERTY (US)", "SQT1:B-17:YZ", "SQT1>B/17>ZY"),
        ("QWERTY (US)", "QWERTY (US)", TEST_CODE, TEST_CODE),
    ],
)
def test_typed_as(scanner: str, kiosk: str, text: str, typed: str) -> None:
    assert typed_as(text, scanner, kiosk) == typed


def test_every_row_has_a_character_per_key_on_every_layout() -> None:
    shapes = {name: [(len(plain), len(shifted)) for plain, shifted in rows] for name, rows in LAYOUTS.items()}
    reference = shapes["QWERTY (US)"]
    assert all(shape == reference for shape in shapes.values()), shapes
    assert all(plain == shifted for plain, shifted in reference)


def test_the_test_code_tells_every_pair_of_layouts_apart() -> None:
    seen = {}
    for scanner in LAYOUTS:
        for kiosk in LAYOUTS:
            typed = typed_as(TEST_CODE, scanner, kiosk)
            if scanner != kiosk:
                assert typed != TEST_CODE
                assert typed not in seen, (scanner, kiosk, seen.get(typed))
                seen[typed] = (scanner, kiosk)
                found = diagnose(TEST_CODE, typed)
                assert (found.scanner_layout, found.kiosk_layout) == (scanner, kiosk)
                assert "Fix:" in found.message()


def test_caps_lock_and_unexplained_changes() -> None:
    assert diagnose(TEST_CODE, TEST_CODE).ok
    assert diagnose(TEST_CODE, TEST_CODE.swapcase()).caps_lock
    unexplained = diagnose(TEST_CODE, "X" * len(TEST_CODE))
    assert not unexplained.ok and unexplained.scanner_layout is None
