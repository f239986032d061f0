"""Suite-wide fixtures. Qt always renders offscreen; tests fail on threads they leak."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("QML_DISABLE_DISK_CACHE", "1")

_SINK = None


def pytest_configure(config: pytest.Config) -> None:
    """One private audio server (a PulseAudio null sink) for the session, before anything loads QtMultimedia:
    announcements really play, their acknowledgements are real, and the sound can be recorded (issue 15)."""
    global _SINK
    from smartqueue.null_sink import NullSink, NullSinkError

    try:
        _SINK = NullSink().start()
    except NullSinkError as err:  # the tests that need sound fail and say why; the others run
        os.environ["SMARTQUEUE_NO_SINK"] = str(err)
        return
    os.environ.update(_SINK.env)


def pytest_unconfigure(config: pytest.Config) -> None:
    if _SINK is not None:
        _SINK.stop()


@pytest.fixture(scope="session")
def null_sink():
    """The session's audio server (see pytest_configure)."""
    if _SINK is None:
        pytest.fail(f"no audio server: {os.environ.get('SMARTQUEUE_NO_SINK')}")
    return _SINK


@pytest.fixture(scope="session")
def screenshots_dir(tmp_path_factory) -> Path:
    """Where screenshot tests write: the folder SMARTQUEUE_SCREENSHOTS names (e.g. docs/screenshots, to refresh
    the docs), else a temporary one — a test run must not rewrite tracked files."""
    chosen = os.environ.get("SMARTQUEUE_SCREENSHOTS")
    path = Path(chosen) if chosen else tmp_path_factory.mktemp("screenshots")
    path.mkdir(parents=True, exist_ok=True)
    return path


@pytest.fixture(autouse=True)
def _no_leaked_threads():
    """A test must stop every thread it starts (STYLE.md habit 8)."""
    before = set(threading.enumerate())
    yield
    deadline = 2.0
    leaked: list[threading.Thread] = []
    for thread in set(threading.enumerate()) - before:
        thread.join(timeout=deadline)
        if thread.is_alive() and not thread.daemon:
            leaked.append(thread)
    assert not leaked, f"threads leaked by the test: {[t.name for t in leaked]}"
