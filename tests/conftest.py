"""Suite-wide fixtures. Qt always renders offscreen; tests fail on threads they leak."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("QML_DISABLE_DISK_CACHE", "1")


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
