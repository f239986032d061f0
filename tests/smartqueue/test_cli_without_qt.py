"""`smartqueue CMD --help` and `--version` on a machine without Qt, OpenCV or numpy (a node-only install).

Each command runs in its own interpreter whose `sitecustomize` makes importing PySide6, shiboken6, cv2, numpy or
PIL fail the way it fails when the libraries are absent, so a parser that imports Qt is caught here, not on site.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from smartqueue.cli import PLUGINS

ROOT = Path(__file__).resolve().parents[2]
BLOCKER = '''
import sys
BLOCKED = {"PySide6", "shiboken6", "cv2", "numpy", "PIL"}
class Blocker:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in BLOCKED:
            raise ModuleNotFoundError(f"No module named {name!r} (blocked by the test)", name=name)
        return None
sys.meta_path.insert(0, Blocker())
'''


@pytest.fixture(scope="module")
def no_qt_env(tmp_path_factory) -> dict[str, str]:
    site = tmp_path_factory.mktemp("no-qt")
    (site / "sitecustomize.py").write_text(BLOCKER, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env["PYTHONPATH"] = f"{site}{os.pathsep}{ROOT}"
    return env


def smartqueue(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "smartqueue", *args], env=env, cwd=ROOT, capture_output=True,
                          text=True, timeout=60)


def test_the_blocker_blocks(no_qt_env):
    result = subprocess.run([sys.executable, "-c", "import PySide6"], env=no_qt_env, capture_output=True, text=True)
    assert result.returncode != 0 and "blocked by the test" in result.stderr


@pytest.mark.parametrize("command", sorted(PLUGINS))
def test_every_command_has_help_without_qt(no_qt_env, command):
    result = smartqueue(no_qt_env, command, "--help")
    assert result.returncode == 0, result.stderr
    assert f"usage: smartqueue {command}" in result.stdout


def test_top_level_help_lists_every_command_and_version_works(no_qt_env):
    result = smartqueue(no_qt_env, "--help")
    assert result.returncode == 0, result.stderr
    for command in PLUGINS:
        assert command in result.stdout
    version = smartqueue(no_qt_env, "--version")
    from ground.version import VERSION

    assert version.returncode == 0 and version.stdout.strip() == VERSION


def test_an_app_without_qt_names_the_package_to_install(no_qt_env, tmp_path):
    config = tmp_path / "kiosk.toml"
    config.write_text((ROOT / "config/examples/kiosk.toml").read_text(encoding="utf-8"), encoding="utf-8")
    result = smartqueue(no_qt_env, "kiosk", "--config", str(config))
    assert result.returncode == 3
    assert "apt-get install smartqueue-apps" in result.stderr and "Traceback" not in result.stderr


APPS_ONLY = '''
import sys
class Blocker:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in {"cv2", "numpy"}:
            raise ModuleNotFoundError(f"No module named {name!r} (blocked by the test)", name=name)
        return None
sys.meta_path.insert(0, Blocker())
'''


def test_the_simulated_printer_and_the_hardware_command_work_without_the_camera_package(tmp_path):
    """review-18: `smartqueue setup --role kiosk` (and the wizard's first choice) gives the simulated printer; on a
    kiosk with the apps package only (numpy is the camera package's) the kiosk logged 'printer unusable: No module
    named numpy', and `smartqueue doctor` / `smartqueue hardware` for that kiosk exited 3 asking for
    smartqueue-camera. The simulator's previews and head timing need Pillow only."""
    site = tmp_path / "site"
    site.mkdir()
    (site / "sitecustomize.py").write_text(APPS_ONLY, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env["PYTHONPATH"] = f"{site}{os.pathsep}{ROOT}"
    code = '''
from hardware.printer.simulator import VirtualPrinter
from hardware.printer.physics import ElementTimer, HeadModel
from hardware.printer.profiles import PROFILES
printer = VirtualPrinter(576)
qr = b"\\x1d(k\\x03\\x001C\\x06" + b"\\x1d(k\\x08\\x001P0https" + b"\\x1d(k\\x03\\x001Q0"
raster = b"\\x1dv0\\x00\\x02\\x00\\x02\\x00\\xf0\\x0f\\xff\\x00"
printer.receive(b"\\x1b@hello\\n" + qr + raster + b"\\x1dV\\x00")
printer.finish()
ticket = printer.tickets[-1]
print(ticket.preview.size, "hello" in ticket.text)
'''
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 0 and "True" in result.stdout, result.stderr[-2000:]
    status = subprocess.run([sys.executable, "-m", "smartqueue", "hardware", "--config",
                             str(ROOT / "config" / "examples" / "kiosk.toml"), "status"], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=120)
    assert "lacks numpy" not in status.stdout + status.stderr, status.stdout + status.stderr
