"""`smartqueue setup` from flags against a real node on loopback: pairing, token file, a config that validates."""

from __future__ import annotations

import argparse
import functools
import os
import stat
import threading
from http.server import BaseHTTPRequestHandler, SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from commissioning.cli import add_doctor_command, add_setup_commands
from config.loader import load_config
from tests.branch.conftest import start_node, stop_node


@pytest.fixture
def running(tmp_path: Path):
    node = start_node(tmp_path / "node")
    yield node
    stop_node(node)


def parse(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers()
    add_setup_commands(sub)
    add_doctor_command(sub)
    return parser.parse_args(argv)


def pairing_code(running, role: str) -> str:
    return running.client("admin").create_pairing_code(role)["code"]


def test_kiosk_setup_pairs_writes_a_valid_config_and_prints_a_test_ticket(running, tmp_path, capsys):
    out = tmp_path / "etc" / "kiosk.toml"
    args = parse("setup", "--role", "kiosk", "--node", running.url, "--pairing-code", pairing_code(running, "kiosk"),
                 "--printer", "simulator", "--scanner", "none", "--data-dir", str(tmp_path / "dev"),
                 "--out", str(out), "--test", "--language", "en")
    assert args.handler(args) == 0
    config = load_config(out)
    assert config.branch.id == "BR042" and config.branch.name.fr == "Agence Centre"
    assert config.printer.connection.type == "simulator" and not config.scanner.enabled
    token_file = Path(config.device.token_file)
    assert stat.S_IMODE(token_file.stat().st_mode) == 0o600
    assert token_file.read_text().startswith("sqd_")
    printed = capsys.readouterr().out
    assert "test ticket printed" in printed
    # the technician is shown the id the node knows (what `smartqueue node revoke` takes), not the local one
    node_ids = [d["id"] for d in running.client("admin").request("GET", "/api/v1/devices")["devices"]]
    assert any(f"as device {i}" in printed for i in node_ids if i.startswith("kiosk-")), printed
    doctor = parse("doctor", "--config", str(out), "--language", "en")
    assert doctor.handler(doctor) == 0


def test_keypad_gets_its_counter_from_the_pairing_code(running, tmp_path):
    code = running.client("admin").create_pairing_code("keypad", counter="2")["code"]
    out = tmp_path / "keypad.toml"
    args = parse("setup", "--role", "keypad", "--node", running.url, "--pairing-code", code,
                 "--fingerprint", "simulator", "--data-dir", str(tmp_path / "dev"), "--out", str(out),
                 "--test", "--language", "en")
    assert args.handler(args) == 0
    config = load_config(out)
    assert config.device.counter == "2" and config.fingerprint.simulated


def test_a_wrong_code_fails_with_the_fix_and_writes_nothing(running, tmp_path, capsys):
    out = tmp_path / "kiosk.toml"
    args = parse("setup", "--role", "kiosk", "--node", running.url, "--pairing-code", "00000000",
                 "--data-dir", str(tmp_path / "dev"), "--out", str(out), "--language", "fr")
    assert args.handler(args) == 1
    assert not out.exists()
    assert "échec de la mise en service" in capsys.readouterr().err


def test_a_code_for_another_role_is_refused(running, tmp_path, capsys):
    args = parse("setup", "--role", "kiosk", "--node", running.url, "--pairing-code", pairing_code(running, "display"),
                 "--data-dir", str(tmp_path / "dev"), "--out", str(tmp_path / "k.toml"), "--language", "en")
    assert args.handler(args) == 1
    assert "for a calling display, not a kiosk" in capsys.readouterr().err


def test_doctor_reports_an_unreachable_node_with_its_fix_in_french(tmp_path, capsys):
    config = tmp_path / "kiosk.toml"
    config.write_text('[branch]\nid = "BR1"\norganisation = "o"\nname = { fr = "A" }\n'
                      f'[device]\ndata_dir = "{tmp_path}"\nnode_url = "http://127.0.0.1:9"\n', encoding="utf-8")
    args = parse("doctor", "--config", str(config), "--language", "fr", "--timeout", "0.5")
    assert args.handler(args) == 1
    out = capsys.readouterr().out
    assert "PROBLÈME" in out and "démarrez le nœud" in out and "1 problème(s) trouvé(s)" in out


def test_doctor_names_the_bad_key(tmp_path, capsys):
    config = tmp_path / "kiosk.toml"
    config.write_text('[branch]\nid = "BR1"\norganisation = "o"\nname = { fr = "A" }\ncolour = 1\n', encoding="utf-8")
    args = parse("doctor", "--config", str(config), "--language", "en")
    assert args.handler(args) == 1
    assert "branch.colour: unknown key" in capsys.readouterr().out


def test_language_follows_lang(monkeypatch):
    from commissioning.doctor import language_from_env

    assert language_from_env({"LANG": "ar_MA.UTF-8"}) == "ar"
    assert language_from_env({"LANG": "de_DE.UTF-8"}) == "en"
    assert language_from_env({"LC_ALL": "fr_FR.UTF-8", "LANG": "en_GB"}) == "fr"
    assert os.environ is not None


def test_display_and_keypad_from_flags_start_from_what_the_node_knows_and_pass_doctor(running, tmp_path, capsys):
    """The branch's own facts come from the node (organisation, time zone), and doctor passes for each role."""
    keypad_code = running.client("admin").create_pairing_code("keypad", counter="1")["code"]
    for role, code, extra in (("display", pairing_code(running, "display"), []),
                              ("keypad", keypad_code, ["--fingerprint", "simulator"])):
        out = tmp_path / f"{role}.toml"
        args = parse("setup", "--role", role, "--node", running.url, "--pairing-code", code, *extra,
                     "--data-dir", str(tmp_path / role), "--out", str(out), "--language", "en")
        assert args.handler(args) == 0
        config = load_config(out)
        assert config.branch.organisation == "acme-bank" and config.branch.timezone == "Africa/Casablanca"
        assert config.branch.appointment_key is None  # a kiosk's key only
        capsys.readouterr()
        doctor = parse("doctor", "--config", str(out), "--language", "en")
        assert doctor.handler(doctor) == 0, capsys.readouterr().out


class JsonApi404(BaseHTTPRequestHandler):
    """Another web application on the node's address: JSON errors, but not the node's {"error": {"code"}}."""

    def do_POST(self) -> None:
        body = b'{"detail": "Not Found"}'
        self.send_response(404)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args) -> None:
        pass


@pytest.mark.parametrize("server", [SimpleHTTPRequestHandler, JsonApi404])
@pytest.mark.parametrize("scheme", ["http", "https"])
def test_a_web_server_that_is_not_a_node_is_named_so_in_the_technicians_language(tmp_path, capsys, server, scheme):
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(server, directory=str(tmp_path))
                                if server is SimpleHTTPRequestHandler else server)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    url = f"{scheme}://127.0.0.1:{httpd.server_port}"
    try:
        args = parse("setup", "--role", "kiosk", "--node", url, "--pairing-code", "12345678",
                     "--data-dir", str(tmp_path / "dev"), "--out", str(tmp_path / "k.toml"), "--language", "fr")
        assert args.handler(args) == 1
    finally:
        httpd.shutdown()
        httpd.server_close()
    err = capsys.readouterr().err
    if scheme == "http":
        assert f"{url} répond mais n'est pas un nœud SmartQueue : vérifiez l'adresse et le port" in err, err
    else:  # the address answers, but not with TLS
        assert f"{url} ne répond pas en HTTPS" in err, err
    assert "bad_answer" not in err and "<html" not in err.lower() and "detail" not in err
