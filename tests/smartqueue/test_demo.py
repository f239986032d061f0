"""`smartqueue demo --headless`: the whole branch as processes, a scripted customer and agent, outputs on disk."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_headless_demo_plays_the_scenario_and_writes_its_outputs(tmp_path):
    result = subprocess.run([sys.executable, "-m", "smartqueue", "demo", "--headless", "--fresh", "--dir",
                             str(tmp_path), "--port", "0"], cwd=ROOT, capture_output=True, text=True, timeout=240)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-3000:]
    summary = json.loads((tmp_path / "summary.json").read_text(encoding="utf-8"))
    assert summary["ticket"] == summary["called"] == "A-001" and summary["counter"] == "2"
    assert summary["shown_on_displays"] >= 1  # the display process showed the call and told the node
    assert summary["announced_on_displays"] >= 1  # and announced it through the demo's null-sink audio server
    assert Path(summary["ticket_preview"]).exists()  # the kiosk printed it on the virtual printer
    transcript = Path(summary["ticket_preview"]).with_suffix(".txt").read_text(encoding="utf-8")
    assert "A-001" in transcript
    assert sorted(Path(p).name for p in summary["screenshots"]) == ["display.png", "keypad.png", "kiosk.png"]
    if shutil.which("mosquitto") or Path("/usr/sbin/mosquitto").exists():
        assert summary["central_events"] >= summary["node_events"] >= 4  # synced to central, nothing lost
        assert summary["phone_page"].startswith("http://127.0.0.1:")  # served by central (checked by the demo)
        assert f"<QR '{summary['phone_page']}'" in transcript  # the printed QR opens the ticket's phone page
    assert not list(tmp_path.glob("logs/*.log")) or "Traceback" not in (tmp_path / "logs" / "node.log").read_text()


@pytest.mark.slow
def test_windowed_demo_maps_the_three_windows_and_says_when_an_app_dies(tmp_path):
    """Under Xvfb: the demo claims the windows only once each app drew its first frame; X shows one viewable
    window per app process; when the kiosk is killed the demo says which part stopped and how, and stops."""
    for tool in ("xvfb-run", "xwininfo", "xprop"):
        if shutil.which(tool) is None:
            pytest.fail(f"{tool} is missing: scripts/install-system-deps.sh installs xvfb and x11-utils")
    result = subprocess.run(["xvfb-run", "-a", "-s", "-screen 0 1920x1080x24", sys.executable, "-m",
                             "tests.smartqueue.windowed_probe", str(tmp_path)], cwd=ROOT, capture_output=True,
                            text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["announced"], report
    assert sorted(report["windows"]) == ["display", "keypad", "kiosk"], report
    assert all(report["windows"][role] for role in ("kiosk", "display", "keypad")), report["windows"]
    assert "SmartQueue kiosk" in report["windows"]["kiosk"]
    assert report["exit"] == 1
    assert "the kiosk process was killed by signal 9" in report["stderr"], report["stderr"]
    assert report["left"] == [], report  # the display and keypad were stopped with it


def test_the_installed_bundle_starts_its_parts_with_its_own_executable(monkeypatch):
    """review-18: in the .deb (a frozen PyInstaller program) the demo started `smartqueue -m smartqueue node`:
    'invalid choice', and `smartqueue demo` always ended with 'the node did not start'."""
    import sys

    from smartqueue import demo

    monkeypatch.setattr(sys, "frozen", True, raising=False)
    assert demo.smartqueue_command() == [sys.executable]
    monkeypatch.delattr(sys, "frozen")
    assert demo.smartqueue_command() == [sys.executable, "-m", "smartqueue"]
