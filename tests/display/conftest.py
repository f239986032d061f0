"""Display fixtures: clips made by espeak-ng into a temporary folder, a board wired to a real node on loopback."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from config.display import DisplayConfig
from config.loader import load_config
from config.schema import AppConfig
from display.announcer import RecordingAnnouncer
from display.app import DisplayApp, build
from display.board import BoardModel
from display.preview import sample_snapshot
from display.speech import CHIME, announcement
from tests.branch.conftest import RunningNode, start_node, stop_node

EXAMPLE = Path(__file__).resolve().parents[2] / "config" / "examples" / "display.toml"
#: Clips the tests need: a few calls in every language (generating only these keeps the suite fast).
SAMPLE_CALLS = [("A-042", "3"), ("C-001", "1"), ("B-117", "12"), ("A-1042", "2")]


@pytest.fixture(scope="session")
def product_fonts(qapp) -> None:
    """The fonts the product loads at start-up (appkit.bootstrap), for a board built without it: the view-model
    fits names with Noto's metrics, and Qt's default font would draw them wider (as tests/agent_keypad does)."""
    from appkit.fonts import load_fonts

    if not qapp.property("smartqueueFonts"):
        qapp.setProperty("smartqueueFonts", load_fonts(qapp))


def display_config(**display: object) -> AppConfig:
    """The example display configuration with [display] keys overridden (validated like a file would be)."""
    config = load_config(EXAMPLE)
    section = DisplayConfig.model_validate({**config.display.model_dump(), **display})
    return config.model_copy(update={"display": section})


@pytest.fixture(scope="session")
def clip_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from display.clips import generate

    out = tmp_path_factory.mktemp("clips")
    wanted = {part for number, counter in SAMPLE_CALLS
              for part in announcement(number, counter, ["fr", "en", "ar"]).parts} - {CHIME}
    generate(out, only=wanted)
    return out


@pytest.fixture
def board() -> BoardModel:
    model = BoardModel(recent_limit=3)
    model.load(sample_snapshot(seq=100))
    return model


@pytest.fixture
def node(tmp_path: Path) -> Iterator[RunningNode]:
    running = start_node(tmp_path / "node")
    yield running
    stop_node(running)


class LiveDisplay:
    """A board wired to a real node, with the recording announcer; `close()` stops every thread it started."""

    def __init__(self, node: RunningNode, config: AppConfig, announce_ms: int = 30, role: str = "display") -> None:
        self.node = node
        self.announcer = RecordingAnnouncer(duration_ms=announce_ms)
        self.client = node.client(role)
        self.app: DisplayApp = build(config, self.client, self.announcer, f"dev-{role}", stale_grace_ms=100)
        self.kiosk = node.client("kiosk")
        self.agent = node.agent()

    def call_next(self, service: str = "accounts") -> str:
        """A customer takes a ticket and the agent at counter 1 calls the next one; its number."""
        self.kiosk.issue_ticket(service)
        return self.agent.counter_action("1", "call-next")["counter"]["current"]["number"]

    def close(self) -> None:
        self.app.close(wait=True)


@pytest.fixture
def live(node: RunningNode, qtbot) -> Iterator[LiveDisplay]:
    display = LiveDisplay(node, display_config(languages=["fr", "ar"], recent_calls=4))
    display.app.start()
    qtbot.waitUntil(lambda: not display.app.vm.stale and display.app.feed.connected, timeout=5000)
    yield display
    display.close()


def second_display(node: RunningNode) -> None:
    """Pair another display with the node (`node.client("display2")`)."""
    from branch.devices import register_device

    _, node.tokens["display2"] = node.call(node.node.write(
        lambda: register_device(node.node.store, "display", None, "display2", "dev-display2")))
