"""doctor's diagnoses for the cases a technician meets (issue 18): a running kiosk holding its printer, a printer out
of paper, a dead node, something else answering at the node's address, several configurations in one run, the
display's voice clips — each said in the technician's language, never as a bare exception name."""

from __future__ import annotations

import errno
import http.server
import json
import os
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import requests

from commissioning.doctor import _unreachable, check_clips, check_node, check_printer, report, run_checks
from commissioning.hardware_checks import printer_status
from config.loader import parse_config
from config.printer import PrinterConfig
from ground.i18n import LRI, PDI
from hardware.printer.simulator import Faults, TcpSimulatorServer, VirtualPrinter
from tests.branch.conftest import start_node, stop_node
from tests.commissioning.test_doctor_diagnoses import closed_port

ROOT = Path(__file__).resolve().parents[2]
EXCEPTION_NAMES = ("ConnectionError", "JSONDecodeError", "ConnectTimeout", "ReadTimeout", "Traceback")


def device_config(tmp_path: Path, role: str, node_url: str, extra: str = "") -> str:
    return (f'[branch]\nid = "BR042"\norganisation = "acme-bank"\nname = {{ fr = "Agence" }}\n'
            f'timezone = "Africa/Casablanca"\nlanguages = ["fr", "ar"]\n'
            f'[device]\ndata_dir = "{tmp_path / role}"\nnode_url = "{node_url}"\n'
            f'token_file = "{tmp_path / role / "token"}"\n{extra}')


def lines_of(checks, language: str) -> list[str]:
    lines: list[str] = []
    report(checks, language, lines.append)
    return lines


def test_a_dead_node_is_diagnosed_in_the_technicians_language(tmp_path):
    url = f"http://127.0.0.1:{closed_port()}"
    config = parse_config(device_config(tmp_path, "kiosk", url), tmp_path / "kiosk.toml")
    checks, health = check_node(config, "kiosk", timeout=1)
    assert health is None and checks[0].ok is False
    french = "\n".join(lines_of(checks, "fr"))
    arabic = "\n".join(lines_of(checks, "ar"))
    assert f"rien ne répond à {url}" in french and "démarrez le nœud" in french
    # the URL in a left-to-right isolate: its "http://" stays in front inside the Arabic sentence
    assert f"لا شيء يجيب على {LRI}{url}{PDI}" in arabic and "شغّل العقدة" in arabic
    assert not any(name in french + arabic for name in EXCEPTION_NAMES)


class _NotANode(http.server.BaseHTTPRequestHandler):
    """What sits at a wrong address: a captive portal, a router's page, a proxy's error."""

    def do_GET(self) -> None:
        body = b"<html><body>502 Bad Gateway</body></html>"
        self.send_response(502)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args) -> None:
        pass


def test_something_else_answering_at_the_nodes_address_is_named_so(tmp_path):
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _NotANode)
    thread = threading.Thread(target=server.serve_forever, name="not-a-node")
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}"
        config = parse_config(device_config(tmp_path, "kiosk", url), tmp_path / "kiosk.toml")
        checks, health = check_node(config, "kiosk", timeout=2)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)
    assert health is None
    french = "\n".join(lines_of(checks, "fr"))
    assert "pas comme un nœud SmartQueue (HTTP 502, text/html)" in french and "un autre service répond" in french
    assert not any(name in french for name in EXCEPTION_NAMES)


def test_an_unroutable_node_is_diagnosed_without_an_exception_name(tmp_path):
    # 192.0.2.1 (TEST-NET-1) is routed nowhere: depending on this machine's routes and firewall the connection
    # times out, fails at once with "no route", or is refused; each must read as a diagnosis
    config = parse_config(device_config(tmp_path, "kiosk", "http://192.0.2.1:8470"), tmp_path / "kiosk.toml")
    checks, _ = check_node(config, "kiosk", timeout=0.5)
    english = "\n".join(lines_of(checks, "en"))
    assert "192.0.2.1" in english and any(
        words in english for words in ("did not answer within 0.5 s", "no route", "nothing answers")), english
    assert not any(name in english for name in EXCEPTION_NAMES)
    # the "no route" diagnosis itself, from the error requests raises on EHOSTUNREACH
    error = requests.ConnectionError(OSError(errno.EHOSTUNREACH, "No route to host"))
    arabic = "\n".join(lines_of([_unreachable("http://10.9.9.9:8470", error, 3)], "ar"))
    assert "لا يوجد مسار إلى هذا العنوان" in arabic


def test_a_printer_out_of_paper_is_told_to_load_paper_not_to_check_the_cable(qapp):
    printer = VirtualPrinter(576, faults=Faults(paper_out_after=0))
    with TcpSimulatorServer(printer) as server:
        config = PrinterConfig.model_validate({"connection": {"type": "tcp", "host": "127.0.0.1",
                                                              "port": server.port}})
        check = printer_status(config)
    assert check.ok is False
    french = "\n".join(lines_of([check], "fr"))
    assert "plus de papier" in french and "mettez un nouveau rouleau de papier" in french
    assert "câble" not in french and "9100" not in french


def _wait_for(predicate, timeout: float):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.2)
    return None


def test_with_the_kiosk_running_doctor_reports_the_printer_state_the_kiosk_sees(qapp, tmp_path):
    """The network printer takes one connection at a time and the kiosk holds it: opening it again would say
    "not answering"; doctor reads the running kiosk's own report instead."""
    printer = VirtualPrinter(576, faults=Faults(cover_open=True))
    node = start_node(tmp_path / "node")
    with TcpSimulatorServer(printer) as server:
        (tmp_path / "kiosk").mkdir()
        (tmp_path / "kiosk" / "token").write_text(node.tokens["kiosk"] + "\n", encoding="utf-8")
        text = device_config(tmp_path, "kiosk", node.url,
                             f'[printer]\nconnection = {{ type = "tcp", host = "127.0.0.1", port = {server.port} }}\n'
                             '[scanner]\nenabled = false\n')
        path = tmp_path / "kiosk.toml"
        path.write_text(text, encoding="utf-8")
        env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
        kiosk = subprocess.Popen([sys.executable, "-m", "smartqueue", "kiosk", "--config", str(path), "--windowed"],
                                 cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        status = tmp_path / "kiosk" / "app-status.json"
        try:
            reported = _wait_for(lambda: status.exists() and json.loads(status.read_text())["components"].get(
                "printer") == "cover_open", 60)
            assert reported, kiosk.stderr.read1().decode(errors="replace") if kiosk.poll() is not None else status
            check = check_printer(parse_config(text, path))
            french = "\n".join(lines_of([check], "fr"))
            assert check.ok is False
            assert f"capot ouvert, selon la borne en marche (processus {kiosk.pid}" in french, french
            assert "fermez le capot de l'imprimante" in french
        finally:
            kiosk.terminate()
            kiosk.wait(30)
            stop_node(node)
        assert not status.exists()  # a stopped kiosk removes it: doctor opens the printer itself again
        french = "\n".join(lines_of([check_printer(parse_config(text, path))], "fr"))
        assert "capot ouvert" in french and "selon la borne" not in french, french


def test_several_configurations_in_one_run_display_then_kiosk(tmp_path):
    """The display's audio check used to leave a QCoreApplication behind, and the kiosk's printer check (text
    rendering needs a QGuiApplication) then failed; one doctor process checks both, as a technician runs it."""
    url = f"http://127.0.0.1:{closed_port()}"
    display = tmp_path / "display.toml"
    display.write_text(device_config(tmp_path, "display", url, '[display]\nsound = "silent"\n'), encoding="utf-8")
    kiosk = tmp_path / "kiosk.toml"
    kiosk.write_text(device_config(tmp_path, "kiosk", url, '[printer]\nconnection = { type = "simulator" }\n'),
                     encoding="utf-8")
    result = subprocess.run([sys.executable, "-m", "smartqueue", "doctor", "--config", str(display), "--config",
                             str(kiosk), "--language", "en", "--timeout", "0.5"], cwd=ROOT, capture_output=True,
                            text=True, timeout=120)
    kiosk_part = result.stdout.split(f"== {kiosk}")[1]
    printer_line = next(line for line in kiosk_part.splitlines() if " printer " in line)
    assert printer_line.startswith("OK") and "ready" in printer_line, result.stdout
    assert "QCoreApplication" not in result.stdout


@pytest.fixture
def clips(tmp_path) -> Path:
    source = ROOT / "var" / "clips"
    if not (source / "manifest.json").exists():
        pytest.fail("no voice clips in var/clips: run make setup (it generates them)")
    folder = tmp_path / "clips"
    shutil.copytree(source, folder)
    manifest = json.loads((folder / "manifest.json").read_text())
    # as `python -m display.clips` writes it now (var/clips may predate per_language)
    manifest["per_language"] = {lang: len(list((folder / lang).glob("*.wav"))) for lang in manifest["languages"]}
    (folder / "manifest.json").write_text(json.dumps(manifest))
    return folder


def test_the_display_voice_clip_folder_is_checked(tmp_path, clips):
    def check(extra: str):
        text = device_config(tmp_path, "display", "http://127.0.0.1:8470", f"[display]\n{extra}")
        return check_clips(parse_config(text, tmp_path / "display.toml"))

    assert check(f'clip_dir = "{clips}"').ok is True
    (clips / "ar" / "counter.wav").unlink()  # one word missing: the display would skip every Arabic call
    missing = check(f'clip_dir = "{clips}"')
    assert missing.ok is False and "1 annonces vocales manquent" in "\n".join(lines_of([missing], "fr"))
    assert check(f'clip_dir = "{clips}"\nsound = "chime"').ok is True  # the chime alone is needed
    assert check(f'clip_dir = "{clips}"\nannounce_languages = ["fr"]').ok is True  # no Arabic announced
    manifest = json.loads((clips / "manifest.json").read_text())
    manifest["languages"].remove("ar")
    (clips / "manifest.json").write_text(json.dumps(manifest))
    no_arabic = check(f'clip_dir = "{clips}"')
    assert no_arabic.ok is False and "aucune annonce vocale en ar" in "\n".join(lines_of([no_arabic], "fr"))
    absent = check(f'clip_dir = "{tmp_path / "nowhere"}"')
    arabic = "\n".join(lines_of([absent], "ar"))
    assert absent.ok is False and "لا يوجد مجلد مقاطع صوتية" in arabic and "python -m display.clips" in arabic
    assert check(f'clip_dir = "{tmp_path / "nowhere"}"\nsound = "silent"').ok is None


def test_every_detail_of_a_run_is_translated(tmp_path):
    """Under --language fr no English detail is left in a device's report (values such as paths aside)."""
    path = tmp_path / "keypad.toml"
    path.write_text(device_config(tmp_path, "keypad", f"http://127.0.0.1:{closed_port()}"), encoding="utf-8")
    lines = lines_of(run_checks(path, timeout=0.5), "fr")
    text = "\n".join(lines)
    for english in ("not this role", "not checked", "MB free", "no fingerprint", "checked on the node",
                    "nothing answers", "no secret"):
        assert english not in text, text
    assert "Mo libres pour" in text and "aucun lecteur d'empreintes configuré" in text


def test_a_paused_sync_is_not_reported_as_fine():
    """review-16c: the broker refused events (or central rejected them): the pump pauses and the database grows;
    doctor must not say "connected, N events to send" in green."""
    from commissioning.doctor import check_sync

    paused = check_sync({"sync": {"state": "connected", "lag_events": 250000, "halted": True}})
    assert paused.ok is False and "sync_dead_letters" in paused.fix
    assert check_sync({"sync": {"state": "connected", "lag_events": 3, "halted": False}}).ok is True
