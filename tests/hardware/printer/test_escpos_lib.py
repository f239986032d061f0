"""python-escpos is loaded without leaving a folder in the temp dir per process (it calls mkdtemp() on import)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from hardware.printer.escpos_lib import cache_dir

EXAMPLE = Path(__file__).resolve().parents[3] / "config" / "examples" / "kiosk.toml"


def _run(args: list[str], cwd: Path, tmpdir: Path, cache: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "TMPDIR": str(tmpdir), "XDG_CACHE_HOME": str(cache), "QT_QPA_PLATFORM": "offscreen"}
    env.pop("ESCPOS_CAPABILITIES_PICKLE_DIR", None)
    return subprocess.run([sys.executable, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=120)


def test_a_round_of_diagnostics_leaves_no_temp_folder(tmp_path: Path) -> None:
    tmpdir, cache = tmp_path / "tmp", tmp_path / "cache"
    tmpdir.mkdir()
    for command in ("status", "print-test"):
        done = _run(["-m", "smartqueue", "hardware", "--config", str(EXAMPLE), command], tmp_path, tmpdir, cache)
        assert done.returncode == 0, done.stdout + done.stderr
    assert sorted(p.name for p in tmpdir.iterdir()) == []
    # the capabilities pickle is cached where the user's cache is, and reused by the second command
    assert [p.name for p in (cache / "smartqueue" / "escpos").iterdir()] == [
        f"{sys.version_info.major}.{sys.version_info.minor}.{sys.version_info.micro}.capabilities.pickle"
    ]


def test_the_library_alone_still_leaks_so_the_check_above_can_fail(tmp_path: Path) -> None:
    tmpdir = tmp_path / "tmp"
    tmpdir.mkdir()
    done = _run(["-c", "import escpos.printer"], tmp_path, tmpdir, tmp_path / "cache")
    assert done.returncode == 0, done.stderr
    assert len(list(tmpdir.iterdir())) == 1


def test_without_a_writable_home_the_scratch_folder_is_removed(tmp_path: Path) -> None:
    tmpdir = tmp_path / "tmp"
    tmpdir.mkdir()
    unwritable = tmp_path / "file-not-folder"
    unwritable.write_text("")
    done = _run(["-c", "import hardware.printer.escpos_lib as e; e.Dummy().text('x')"], tmp_path, tmpdir, unwritable)
    assert done.returncode == 0, done.stderr
    assert list(tmpdir.iterdir()) == []


def test_cache_dir_prefers_the_configured_folder(tmp_path: Path) -> None:
    assert cache_dir({"ESCPOS_CAPABILITIES_PICKLE_DIR": str(tmp_path / "x")}) == tmp_path / "x"
    assert cache_dir({"XDG_CACHE_HOME": str(tmp_path)}) == tmp_path / "smartqueue" / "escpos"
