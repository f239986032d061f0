"""Review 15c: every option of a picker must be reachable from a USB numeric keypad (digits, Enter, +, -, *, /, .).
A transfer in a branch with 6 services and 6 counters lists 11 targets: with ten options or more, a digit that may
go on ("1": 1, 10, 11) waits for the second digit or Enter; one that cannot ("2") picks at once, as before."""

from __future__ import annotations

import pytest

from agent_keypad.pickers import option


@pytest.mark.parametrize(("keys", "expected"), [
    (("1", "0"), "counter:10"),  # the second digit picks: no option's number goes on from 10
    (("1", "1"), "counter:11"),
    (("1", "confirm"), "counter:1"),  # "1" may go on (10, 11): Enter picks 1
    (("3",), "counter:3"),  # 30 is past the last: 3 at once
    (("1", "7"), "counter:7"),  # 17 is no option: the 7 starts again, and picks 7 at once
])
def test_every_option_is_reachable_from_the_numeric_keypad(rig, keys, expected):
    chosen: list[str] = []
    rig.controller._open("Transfer", [option(f"counter:{n}", f"Guichet {n}") for n in range(1, 12)], chosen.append)
    for key in keys:
        if key == "confirm":
            rig.controller.press("confirm")
        else:
            rig.controller.type_text(key)
    assert chosen == [expected]
    assert rig.controller.picker is None


def test_the_digits_typed_so_far_show_and_every_option_has_its_number(rig):
    rig.controller._open("Transfer", [option(f"counter:{n}", f"Guichet {n}") for n in range(1, 12)], print)
    rig.controller.type_text("1")
    assert rig.vm.pickerTitle.endswith("· 1…")
    assert [o["hint"] for o in rig.vm.pickerOptions][-2:] == ["10", "11"]
