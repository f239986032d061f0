"""One start-up for the three Qt apps (kiosk, display, keypad): what they share is here, what differs is an AppSpec.

The bootstrap owns, for the whole process: logging, the QGuiApplication and its fonts (loaded once), the crash
policy, the systemd watchdog (WATCHDOG=1 from the GUI thread, never interrupted by a reload) and the POSIX signals
(SIGTERM/SIGINT stop, SIGHUP reloads). For each run on one validated configuration it owns the node client and its
zeroconf discovery (always closed), and asks the app to build, show (the QmlHost installs and removes the
translator), start and close its own parts.

Reload (the kiosk technician's button, or SIGHUP): the configuration is read and validated on a worker thread;
if it is invalid the running app goes on untouched. Otherwise systemd hears RELOADING=1, the old run is closed,
the new one built, and READY=1 follows its first frame. Never STOPPING=1: that is only for the process's end.
"""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from PySide6.QtGui import QGuiApplication

from appkit.device import Device, DeviceSetupError, close_client, load_device, make_client
from appkit.fonts import load_fonts
from appkit.qml_host import QmlHost
from appkit.tasks import TaskRunner
from appkit.watchdog import GuiWatchdog
from config.schema import AppConfig
from nodeclient.client import NodeClient

log = logging.getLogger(__name__)
EXIT_SETUP = 2  # the configuration cannot run this app: systemd restarts it, the journal says why


class AppSetupError(ValueError):
    """The configuration is valid, but this app cannot run on it (the message says which key to set)."""


@dataclass(frozen=True)
class LaunchOptions:
    """The command line's part of a start: the same for every run of the process, reloads included."""

    config_path: Path
    windowed: bool = False
    screenshot: Path | None = None
    language: str | None = None

    @classmethod
    def from_args(cls, args: argparse.Namespace) -> LaunchOptions:
        return cls(Path(args.config), args.windowed, args.screenshot, args.language)

    @property
    def fullscreen(self) -> bool:
        return not self.windowed and self.screenshot is None


@dataclass(frozen=True)
class RunContext:
    """What an app gets to build one run: a validated configuration and an open node client it does not close."""

    config: AppConfig
    config_path: Path
    client: NodeClient
    device_id: str
    language: str | None  # --language; None: the configuration's first
    request_reload: Callable[[], None]  # restart on the configuration file, once it is read and validated


class AppRun(Protocol):
    """One run of an app, as the bootstrap drives it: show, start, (screenshot), close."""

    def show(self, *, fullscreen: bool) -> QmlHost:
        """Load the QML scene (QmlHost with the app's language) and hook the app's window behaviour."""

    def start(self) -> None:
        """Start talking to the node and the devices."""

    def screenshot(self, path: Path, then: Callable[[], None]) -> None:
        """Save the window to `path` once it shows what is worth showing, then call `then`."""

    def close(self) -> None:
        """Stop and release everything the run started, the QML scene included (not the node client)."""


@dataclass(frozen=True)
class AppSpec:
    """How one app differs: its role (device role, token scope, app name) and how to build a run."""

    role: str
    build: Callable[[RunContext], AppRun]  # may raise AppSetupError


@dataclass
class _Running:
    device: Device
    client: NodeClient
    app: AppRun
    host: QmlHost


def make_application(name: str, argv: list[str] | None = None) -> QGuiApplication:
    """The QGuiApplication (created once) with the product's fonts (loaded once, not again at each reload).

    QML caches go to a writable place on read-only kiosks."""
    os.environ.setdefault("QT_QUICK_CONTROLS_STYLE", "Basic")
    os.environ.setdefault("QML_DISK_CACHE_PATH", str(Path(os.environ.get("XDG_CACHE_HOME", "/tmp")) / "sq-qml"))
    app = QGuiApplication.instance() or QGuiApplication(argv or [sys.argv[0]])
    app.setApplicationName(name)
    app.setOrganizationName("SmartQueue")
    if not app.property("smartqueueFonts"):
        app.setProperty("smartqueueFonts", load_fonts(app))
    return app  # type: ignore[return-value]


def install_crash_policy(app: QGuiApplication) -> None:
    """An exception in a slot is only printed by Qt and the loop keeps going: log it once, in full."""

    def hook(kind, value, tb) -> None:
        log.critical("unhandled error in the GUI thread", exc_info=(kind, value, tb))
        if os.environ.get("SMARTQUEUE_STRICT") == "1":
            app.exit(3)

    sys.excepthook = hook


class AppBootstrap:
    """Runs one app for the life of the process: `run()`, or `start()` … `reload()` … `stop()` (tests)."""

    def __init__(self, spec: AppSpec, options: LaunchOptions, *, watchdog: GuiWatchdog | None = None,
                 connect: Callable[[AppConfig, str], NodeClient] = make_client) -> None:
        self.spec = spec
        self.options = options
        self.watchdog = watchdog or GuiWatchdog()
        self.connect = connect
        self.current: _Running | None = None
        self.reloads = 0  # completed reloads (tests)
        self._app: QGuiApplication | None = None
        self._loader: TaskRunner | None = None
        self._reloading = False
        self._began = time.perf_counter()

    # -- the process --------------------------------------------------------------------------------------------

    def run(self) -> int:
        """`smartqueue <app>`: logging, the first run, Qt's loop until quit or SIGTERM, then everything closed."""
        from appkit.unix_signals import QtSignalHandlers
        from ground.logs import setup_logging

        setup_logging()
        if hasattr(signal, "SIGHUP"):  # until the handlers below: a SIGHUP during start-up must not kill the app
            signal.signal(signal.SIGHUP, signal.SIG_IGN)
        try:
            self.start()
        except (DeviceSetupError, AppSetupError) as err:
            print(err, file=sys.stderr)
            return EXIT_SETUP
        except Exception:  # the QML did not load, a device could not be built…: one full report, then systemd
            log.exception("%s: could not start", self.spec.role)
            self.stop()
            return 1
        assert self._app is not None and self.current is not None
        app = self._app
        handlers = {signal.SIGTERM: app.quit, signal.SIGINT: app.quit}
        if hasattr(signal, "SIGHUP"):
            handlers[signal.SIGHUP] = self.reload
        signals = QtSignalHandlers(handlers)
        if self.options.screenshot is not None:
            self.current.app.screenshot(self.options.screenshot, app.quit)
        try:
            return app.exec()
        finally:
            signals.close()
            self.stop()

    def start(self) -> None:
        """Build and show the first run; raises DeviceSetupError or AppSetupError when it cannot."""
        self._app = make_application(f"smartqueue-{self.spec.role}")
        install_crash_policy(self._app)
        device = load_device(self.options.config_path, self.spec.role)  # before the loop: blocking is fine here
        self.current = self._launch(device)
        self._loader = TaskRunner(workers=1, name=f"sq-{self.spec.role}-reload")
        self.watchdog.start()
        self.watchdog.ready_when_drawn(self.current.host.window, "first frame shown")
        self._log_first_frame(self.current.host)

    def stop(self) -> None:
        """The process ends: STOPPING=1, then the client and discovery closed, then the run."""
        self.watchdog.stop()
        self._close_current()
        if self._loader is not None:
            self._loader.shutdown(wait=True)
            self._loader = None

    # -- reload ------------------------------------------------------------------------------------------------

    def reload(self) -> None:
        """Restart the app on its configuration file, once read and validated off the GUI thread."""
        if self._reloading or self._loader is None:
            return
        self._reloading = True
        log.info("%s: reloading %s", self.spec.role, self.options.config_path)
        self._loader.submit(load_device, self.options.config_path, self.spec.role, on_done=self._swap,
                            on_error=self._refuse)

    def _refuse(self, err: BaseException) -> None:
        self._reloading = False
        log.error("%s: configuration NOT reloaded, the app goes on with the one it has: %s", self.spec.role, err)

    def _swap(self, device: Device) -> None:
        if self.current is None:  # stopped while the file was being read
            self._reloading = False
            return
        previous = self.current.device
        self.watchdog.reloading()
        self._close_current()
        try:
            try:
                self.current = self._launch(device)
            except AppSetupError as err:  # a valid file, but not for this app: go on with what worked
                log.error("%s: the new configuration cannot run (%s): going on with the previous one",
                          self.spec.role, err)
                self.current = self._launch(previous)
        except Exception:
            log.exception("%s: could not start again after a reload: exiting (systemd starts it again)",
                          self.spec.role)
            if self._app is not None:
                self._app.exit(1)
            return
        finally:
            self._reloading = False
        self.reloads += 1
        self.watchdog.ready_when_drawn(self.current.host.window, "reloaded")

    # -- one run ------------------------------------------------------------------------------------------------

    def _launch(self, device: Device) -> _Running:
        client = self.connect(device.config, device.token)
        context = RunContext(device.config, self.options.config_path, client, device.id, self.options.language,
                             self.reload)
        try:
            app = self.spec.build(context)
        except BaseException:
            close_client(client)
            raise
        try:
            host = app.show(fullscreen=self.options.fullscreen)
            app.start()
        except BaseException:
            app.close()
            close_client(client)
            raise
        return _Running(device, client, app, host)

    def _close_current(self) -> None:
        running, self.current = self.current, None
        if running is not None:
            close_client(running.client)  # first: calls in flight give up now, so the app's workers join at once
            running.app.close()

    def _log_first_frame(self, host: QmlHost) -> None:
        """The start-up time in the log at the first frame (bench/ measures cold starts by this line)."""
        role, began = self.spec.role, self._began

        def first_frame() -> None:
            host.window.frameSwapped.disconnect(first_frame)
            log.info("%s: first frame %.0f ms after process start (%.0f ms after the %s command began)", role,
                     _since_process_start_s() * 1000, (time.perf_counter() - began) * 1000, role)

        host.window.frameSwapped.connect(first_frame)


def _since_process_start_s() -> float:
    """Seconds since the kernel started this process (Linux /proc), so interpreter start-up counts too."""
    try:
        start_ticks = int(Path("/proc/self/stat").read_text().rsplit(")", 1)[1].split()[19])
        return time.clock_gettime(time.CLOCK_BOOTTIME) - start_ticks / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return float("nan")
