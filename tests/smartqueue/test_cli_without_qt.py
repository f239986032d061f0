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
