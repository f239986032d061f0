"""A language switch re-words everything on the keypad's screen, including a message or a picker already shown.

Each message and picker is opened in French, then the language goes fr → ar → en → fr; at each step every visible
text of the real window (offscreen, against a real node) is checked against the catalogs (tests/agent_keypad/
languages.py), and the words expected there are looked up in the new language's catalog. Found while relaying the
keypad: options and messages were translated when they appeared and kept that language (an fr render of the bar's
menu showed Arabic options).
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from pathlib import Path

import pytest

from agent_keypad.labels import ERRORS, MENU, OUTCOMES, PAUSE_REASONS, POSITIONS
from agent_keypad.staff import device_label
from agent_keypad.words import render
from ground.i18n import Formatter, translate
from tests.agent_keypad.conftest import issue, login, make_rig, press_and_wait
from tests.agent_keypad.languages import keypad_words, visible_texts, wrong_language

Expected = Callable[[str], str]  # a language → the words that must be on screen in it
SWITCHES = ("ar", "en", "fr")  # from fr, where each message and picker is opened; back to fr for the next one


def words(msgid: str, **values: object) -> Expected:
    """A catalog lookup; int values in the language's digits."""
    return lambda language: translate(language, msgid, **{
        key: Formatter(language).number(value) if isinstance(value, int) else value for key, value in values.items()})


def paper_out(alert: dict) -> Expected:
    """The staff strip's line for a kiosk out of paper: its device worded in the language too ("Borne …")."""
    label = device_label(alert)
    return lambda language: translate(language, "{device}: printer out of paper", device=render(language, label))


def name(names: dict[str, str]) -> Expected:
    return lambda language: names[language]


@pytest.fixture
def shown(node, tmp_path, qtbot):
    rig = make_rig(node, tmp_path, language="fr", alert_enabled=False)
    rig.keypad.show(fullscreen=False)
    rig.keypad.start()
    qtbot.waitExposed(rig.keypad.window)
    qtbot.waitUntil(lambda: rig.controller.online and rig.controller.counter is not None, timeout=5000)
    login(rig, qtbot)
    yield rig
    rig.keypad.close()
    qtbot.wait(10)


def switch_and_check(rig, qtbot, what: str, expected: list[Expected]) -> None:
    """fr → ar → en → fr: the whole screen in each language, and the expected words on it."""
    assert rig.controller.language == "fr"
    names, verbatim = keypad_words(rig.controller)
    for language in SWITCHES:
        rig.controller.set_language(language)
        qtbot.wait(30)
        texts = visible_texts(rig.keypad.window)
        if os.environ.get("SMARTQUEUE_SCREENSHOTS"):  # to look at: after the switch, not as first shown
            folder = Path(os.environ["SMARTQUEUE_SCREENSHOTS"]) / "language-switch"
            folder.mkdir(parents=True, exist_ok=True)
            slug = re.sub(r"\W+", "-", what).strip("-")
            rig.keypad.window.grabWindow().save(str(folder / f"{slug}-{language}.png"))
        wrong = wrong_language(texts, language, names=names, verbatim=verbatim)
        assert not wrong, f"{what} in {language}: " + "; ".join(wrong)
        for want in expected:
            assert any(want(language) in text for text in texts), \
                f"{what} in {language}: {want(language)!r} not among {texts}"


def open_picker(rig, qtbot, action: str) -> None:
    rig.controller.press(action, f"test:{action}:{rig.controller.picker}")
    qtbot.waitUntil(lambda: rig.controller.picker is not None, timeout=3000)


def choose(rig, qtbot, key: str, *, then_picker: bool = False, action: str = "") -> None:
    if action:
        with qtbot.waitSignal(rig.controller.actionDone, timeout=5000, check_params_cb=lambda done: done == action):
            rig.controller.choose(key)
    else:
        rig.controller.choose(key)
    if then_picker:
        qtbot.waitUntil(lambda: rig.controller.picker is not None, timeout=3000)


def test_each_picker_follows_a_language_switch(shown, qtbot, node):
    rig = shown
    issue(rig, "accounts", 3)
    press_and_wait(rig, qtbot, "call_next")
    number = rig.controller.counter.current.number

    open_picker(rig, qtbot, "call_next")  # called, never started: no-show then next, or start serving
    switch_and_check(rig, qtbot, "the question 'Next' asks", [
        words("Ticket {number} was called but not served", number=number),
        words("Did not come: no-show, then next"), words("Here: start serving")])
    rig.controller.press("cancel")

    open_picker(rig, qtbot, "no_show")
    switch_and_check(rig, qtbot, "the no-show confirmation", [
        words("Mark ticket {number} as no-show?", number=number), words("Yes: no-show")])
    rig.controller.press("cancel")

    open_picker(rig, qtbot, "menu")
    menu = ["start", "finish", "no_show", "transfer", "park", "return_parked", "toggle_bar", "logout"]
    switch_and_check(rig, qtbot, "the menu", [words("Menu"), words("Pause"), *(words(MENU[key]) for key in menu)])
    rig.controller.press("cancel")

    open_picker(rig, qtbot, "finish")
    outcomes = rig.controller.state.get("outcomes") or ["done"]
    switch_and_check(rig, qtbot, "the outcomes", [words("Outcome"), *(words(OUTCOMES[o]) for o in outcomes
                                                                       if o in OUTCOMES)])
    rig.controller.press("cancel")

    open_picker(rig, qtbot, "transfer")
    services = {s["id"]: s["names"] for s in rig.controller.state["services"]}
    switch_and_check(rig, qtbot, "the transfer targets", [words("Transfer to"), *map(name, services.values())])
    choose(rig, qtbot, "service:cash", then_picker=True)
    switch_and_check(rig, qtbot, "the positions", [words("Where in the queue?"), *map(words, POSITIONS.values())])
    rig.controller.press("cancel")

    press_and_wait(rig, qtbot, "park")
    qtbot.waitUntil(lambda: bool(rig.controller.state.get("parked")), timeout=3000)
    open_picker(rig, qtbot, "return_parked")
    switch_and_check(rig, qtbot, "the parked tickets", [words("Parked tickets"), lambda _language: number])
    choose(rig, qtbot, rig.controller.picker.options[0]["key"], then_picker=True)
    switch_and_check(rig, qtbot, "the positions of a parked ticket", [*map(words, POSITIONS.values())])
    rig.controller.press("cancel")

    open_picker(rig, qtbot, "pause_toggle")
    reasons = rig.controller.state.get("pause_reasons") or ["other"]
    switch_and_check(rig, qtbot, "the pause reasons", [
        words("Pause reason"), *(words(PAUSE_REASONS[r]) for r in reasons if r in PAUSE_REASONS)])
    rig.controller.press("cancel")

    node.client("kiosk").report_status("me", {"state": "degraded", "components": {"printer": "paper_out"}})
    qtbot.waitUntil(lambda: bool(rig.vm.staffAlerts), timeout=8000)
    rig.vm.showAlerts()
    qtbot.waitUntil(lambda: rig.controller.picker is not None, timeout=3000)
    switch_and_check(rig, qtbot, "the staff alerts list", [
        words("Staff alerts"), paper_out(rig.controller.alerts.items[0])])


def test_each_message_follows_a_language_switch(shown, qtbot, node):
    """Messages with values (a number, a service's name, a position, a count) and the counter around them: the
    staff strip, the agent's day figures, the wait's duration, the paused banner."""
    rig = shown
    node.client("kiosk").report_status("me", {"state": "degraded", "components": {"printer": "paper_out"}})
    qtbot.waitUntil(lambda: bool(rig.vm.staffAlerts), timeout=8000)
    strip = paper_out(rig.controller.alerts.items[0])
    issue(rig, "accounts", 3)
    press_and_wait(rig, qtbot, "call_next")
    number = rig.controller.counter.current.number

    press_and_wait(rig, qtbot, "recall")
    switch_and_check(rig, qtbot, "the recall message", [
        words("Ticket {number} called again (recall {count}).", number=number, count=1), strip])

    press_and_wait(rig, qtbot, "start")
    open_picker(rig, qtbot, "finish")
    choose(rig, qtbot, "done", action="finish")
    qtbot.waitUntil(lambda: rig.vm.servedToday == 1, timeout=3000)
    switch_and_check(rig, qtbot, "the agent's day figures", [words("Served today: {served}", served=1)])

    press_and_wait(rig, qtbot, "call_next")
    number = rig.controller.counter.current.number
    open_picker(rig, qtbot, "transfer")
    choose(rig, qtbot, "service:cash", then_picker=True)
    choose(rig, qtbot, "front", action="transfer")
    cash = next(s["names"] for s in rig.controller.state["services"] if s["id"] == "cash")
    switch_and_check(rig, qtbot, "the transfer message", [lambda language: translate(
        language, "Ticket {number} transferred to {target}.", number=number,
        target=f"{cash[language]} ({translate(language, POSITIONS['front']).lower()})")])

    open_picker(rig, qtbot, "pause_toggle")
    choose(rig, qtbot, "lunch", action="pause")
    rig.controller.press("call_next")  # refused while paused: the message bar says why
    qtbot.waitUntil(lambda: bool(rig.controller.message), timeout=3000)
    switch_and_check(rig, qtbot, "a refusal", [words(ERRORS["counter_paused"]), lambda language: translate(
        language, "Paused: {reason}", reason=translate(language, PAUSE_REASONS["lunch"]))])

    with qtbot.waitSignal(rig.controller.sessionEnded, timeout=5000):
        node.agent("alice")  # the same agent logs in at another keypad: back to the login screen, with the reason
    switch_and_check(rig, qtbot, "the login screen's message", [words(ERRORS["session_ended"])])


def test_the_bars_menu_follows_a_language_switch(shown, qtbot):
    """The bar (a small always-on-top window on the agent's desktop) opens the same pickers in a taller window."""
    rig = shown
    rig.controller.press("toggle_bar")
    qtbot.waitUntil(lambda: rig.keypad.window.height() == 64, timeout=3000)
    open_picker(rig, qtbot, "menu")
    menu = ["return_parked", "toggle_bar", "logout"]
    switch_and_check(rig, qtbot, "the bar's menu", [words("Menu"), words("Pause"), *(words(MENU[key]) for key in menu)])
