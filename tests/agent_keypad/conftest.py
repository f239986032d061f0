"""A keypad (controller + view-model, no window unless asked) against a real node on loopback."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from agent_keypad.app import Keypad
from config.loader import load_config
from config.schema import AppConfig
from nodeclient.client import NodeClient
from tests.branch.conftest import RunningNode, restart_node, start_node, stop_node  # noqa: F401

KEYPAD_EXAMPLE = Path(__file__).resolve().parents[2] / "config" / "examples" / "keypad.toml"


@dataclass
class FakeSound:
    """Counts alert sounds instead of playing them (no audio device here; DESIGN.md "Sound")."""

    played: int = 0
    available: bool = True

    def play(self) -> None:
        self.played += 1


@dataclass
class KeypadRig:
    running: RunningNode
    keypad: Keypad
    sound: FakeSound
    extra: list = field(default_factory=list)

    @property
    def controller(self):
        return self.keypad.controller

    @property
    def vm(self):
        return self.keypad.vm


def keypad_config(tmp_path: Path, *, fingerprint: bool = False, counter: str = "1", **keypad) -> AppConfig:
    config = load_config(KEYPAD_EXAMPLE)
    settings = {"alert_delay_s": 0.05, "double_press_ms": 300, **keypad}
    update = {
        "device": config.device.model_copy(update={"data_dir": str(tmp_path / "keypad"), "counter": counter}),
        "keypad": config.keypad.model_copy(update=settings),
    }
    if not fingerprint:
        update["fingerprint"] = None
    return config.model_copy(update=update)


def make_rig(running: RunningNode, tmp_path: Path, *, token: str | None = None, fingerprint=None,
             language: str = "fr", counter: str = "1", **keypad) -> KeypadRig:
    """A keypad at `counter` (its device token unless `token`), keeping its data in `tmp_path`/keypad."""
    config = keypad_config(tmp_path, counter=counter, **keypad)
    sound = FakeSound()
    default = running.tokens["keypad" if counter == "1" else f"keypad{counter}"]
    client = NodeClient(token or default, base_url=running.url, timeout=2.0, retries=1,
                        backoff=0.05)
    return KeypadRig(running, Keypad(config, client, language=language, sound=sound, fingerprint=fingerprint),
                     sound)


def started(rig: KeypadRig, qtbot) -> KeypadRig:
    rig.controller.start()
    qtbot.waitUntil(lambda: rig.controller.online and rig.controller.counter is not None, timeout=5000)
    return rig


def login(rig: KeypadRig, qtbot, agent: str = "alice", pin: str = "1234") -> None:
    rig.controller.select_agent(agent)
    for digit in pin:
        rig.controller.type_text(digit)
    with qtbot.waitSignal(rig.controller.loggedInChanged, timeout=5000):
        rig.controller.login()
    qtbot.waitUntil(lambda: rig.controller.counter is not None and rig.controller.counter.agent == agent, timeout=5000)


def press_and_wait(rig: KeypadRig, qtbot, action: str, source: str = "") -> None:
    with qtbot.waitSignal(rig.controller.actionDone, timeout=5000, check_params_cb=lambda name: name == action):
        rig.controller.press(action, source)


def issue(rig: KeypadRig, service: str = "accounts", n: int = 1) -> list[dict]:
    kiosk = rig.running.client("kiosk")
    return [kiosk.issue_ticket(service) for _ in range(n)]


@pytest.fixture(autouse=True)
def product_fonts(qapp):
    """The fonts the product loads at start-up (appkit.bootstrap): without them Qt's default font lays the screens
    out smaller, and a layout test passed or failed with the tests that happened to run before it."""
    from appkit.fonts import load_fonts

    if not qapp.property("smartqueueFonts"):
        qapp.setProperty("smartqueueFonts", load_fonts(qapp))


@pytest.fixture
def node(tmp_path: Path) -> Iterator[RunningNode]:
    running = start_node(tmp_path / "node")
    yield running
    stop_node(running)


@pytest.fixture
def rig(node: RunningNode, tmp_path: Path, qtbot) -> Iterator[KeypadRig]:
    rig = make_rig(node, tmp_path)
    yield started(rig, qtbot)
    rig.keypad.close()
