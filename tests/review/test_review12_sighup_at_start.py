"""Review of issue 12: a SIGHUP that arrives while an app is still starting (QML loading, before its Qt signal
handlers are in place) took the default action: the process died with no log line (exit 129, no STOPPING=1).

Outside this test: `smartqueue display --config F --windowed & sleep 0.8; kill -HUP $!` → "Hangup", exit 129.
"""

from __future__ import annotations

import signal

from appkit.bootstrap import EXIT_SETUP, AppBootstrap, AppSetupError, AppSpec, LaunchOptions


def test_sighup_is_not_deadly_while_the_app_starts(tmp_path, monkeypatch):
    seen = []

    def start(self) -> None:  # what start() would be doing for a second or two: loading the QML
        seen.append(signal.getsignal(signal.SIGHUP))
        raise AppSetupError("stop here")

    previous = signal.getsignal(signal.SIGHUP)
    monkeypatch.setattr(AppBootstrap, "start", start)
    try:
        boot = AppBootstrap(AppSpec("display", lambda context: None), LaunchOptions(tmp_path / "none.toml"))
        assert boot.run() == EXIT_SETUP
    finally:
        signal.signal(signal.SIGHUP, previous)
    assert seen and seen[0] is not signal.SIG_DFL, "a SIGHUP during start-up would kill the app"
