"""Pairing a device again (`smartqueue setup` with a new code on a device already paired) retires its previous
token on the node, once the node is proven — so an old token on a stolen SD card or an old config copy stops
working. Against a real node over HTTPS with its own CA (and a fake one that is not the node)."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar

import pytest
from PySide6.QtWidgets import QWizard

from branch.devices import revoke
from commissioning.wizard import SetupWizard
from nodeclient.client import NodeClient, NodeError
from tests.branch.conftest import example_config, start_node, stop_node
from tests.commissioning.test_setup_flags import parse
from tests.commissioning.test_wizard import defaults


@pytest.fixture
def tls_node(tmp_path: Path):
    running = start_node(tmp_path / "node", example_config(tls="on"))
    running.url = running.url.replace("http://", "https://")
    yield running
    stop_node(running)


def new_code(node, role: str = "kiosk") -> str:
    admin = NodeClient(node.tokens["admin"], base_url=node.url, ca_file=str(node.node.data_dir / "tls" / "ca.pem"))
    try:
        return admin.create_pairing_code(role)["code"]
    finally:
        admin.close()


def setup_kiosk(node, tmp_path: Path, code: str, language: str = "en") -> int:
    args = parse("setup", "--role", "kiosk", "--node", node.url, "--pairing-code", code, "--printer", "none",
                 "--scanner", "none", "--data-dir", str(tmp_path / "dev"), "--out", str(tmp_path / "kiosk.toml"),
                 "--language", language)
    return args.handler(args)


def whoami(node, tmp_path: Path, token: str) -> int:
    """200 when the node accepts `token`, else the status it refused it with (over the pinned CA)."""
    client = NodeClient(token, base_url=node.url, ca_file=str(tmp_path / "dev" / "branch-ca.pem"), retries=0)
    try:
        client.whoami()
        return 200
    except NodeError as err:
        return err.status
    finally:
        client.close()


def test_pairing_again_from_flags_retires_the_previous_token(tls_node, tmp_path, capsys):
    assert setup_kiosk(tls_node, tmp_path, new_code(tls_node)) == 0
    old = (tmp_path / "dev" / "token").read_text().strip()
    old_device = NodeClient(old, base_url=tls_node.url, ca_file=str(tmp_path / "dev" / "branch-ca.pem")).whoami()
    capsys.readouterr()
    assert setup_kiosk(tls_node, tmp_path, new_code(tls_node), "fr") == 0
    printed = capsys.readouterr().out
    new = (tmp_path / "dev" / "token").read_text().strip()
    assert new != old
    assert whoami(tls_node, tmp_path, old) == 401  # the copy on an old SD card no longer works
    assert whoami(tls_node, tmp_path, new) == 200
    assert f"l'ancien jeton (appareil {old_device['device']}) est retiré" in printed, printed
    admin = NodeClient(tls_node.tokens["admin"], base_url=tls_node.url,
                       ca_file=str(tls_node.node.data_dir / "tls" / "ca.pem"))
    devices = {d["id"]: d["revoked"] for d in admin.devices()["devices"]}
    admin.close()
    assert devices[old_device["device"]] is True
    assert sum(1 for d, revoked in devices.items() if d.startswith("kiosk-") and not revoked) == 1


def test_a_previous_token_the_node_no_longer_knows_is_said_not_an_error(tls_node, tmp_path, capsys):
    assert setup_kiosk(tls_node, tmp_path, new_code(tls_node)) == 0
    old = (tmp_path / "dev" / "token").read_text().strip()
    device = NodeClient(old, base_url=tls_node.url, ca_file=str(tmp_path / "dev" / "branch-ca.pem")).whoami()
    tls_node.call(tls_node.node.write(lambda: revoke(tls_node.node.store, device["device"])))  # already revoked
    capsys.readouterr()
    assert setup_kiosk(tls_node, tmp_path, new_code(tls_node)) == 0
    captured = capsys.readouterr()
    assert "the previous token is not known to this node (another branch, or already retired)" in captured.out
    assert "PROBLEM" not in captured.out and not captured.err


def test_pairing_again_with_the_wizard_retires_the_previous_token_and_says_so(tls_node, tmp_path, qtbot):
    assert setup_kiosk(tls_node, tmp_path, new_code(tls_node)) == 0
    old = (tmp_path / "dev" / "token").read_text().strip()
    wizard = SetupWizard("en", defaults(tmp_path, node=tls_node.url, data_dir=str(tmp_path / "dev"),
                                        out=tmp_path / "kiosk.toml", role="kiosk", printer="none", scanner="none"))
    qtbot.addWidget(wizard)
    try:
        wizard.show()
        wizard.button(QWizard.WizardButton.NextButton).click()
        wizard.fields["code"].setText(new_code(tls_node))
        wizard.button(QWizard.WizardButton.NextButton).click()
        qtbot.waitUntil(lambda: wizard.currentPage() is wizard.hardware_page, timeout=20000)
        wizard.button(QWizard.WizardButton.NextButton).click()
        result = wizard.currentPage()
        qtbot.waitUntil(lambda: result.isComplete(), timeout=20000)
        assert "the previous token (device kiosk-" in result.log.toPlainText()
        assert whoami(tls_node, tmp_path, old) == 401
    finally:
        wizard.pool.shutdown(wait=True)


class NotTheNode(BaseHTTPRequestHandler):
    """Answers the pairing like a node would, but cannot sign it with the code; records every credential sent."""

    seen: ClassVar[list[str]] = []

    def do_POST(self) -> None:
        self.seen.append(self.headers.get("Authorization", ""))
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        body = json.dumps({"token": "sqd_fake", "role": "kiosk", "device_id": "kiosk-fake", "counter": None,
                           "branch": "BR042", "node_id": "node-fake", "confirm": "0" * 64}).encode()
        self.send_response(201)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_DELETE = do_POST

    def log_message(self, *args) -> None:
        pass


def test_the_previous_token_never_reaches_a_machine_not_proven_to_be_the_node(tmp_path, capsys):
    old = "sqd_the-previous-token-of-this-kiosk"
    (tmp_path / "dev").mkdir()
    (tmp_path / "dev" / "token").write_text(old + "\n")
    NotTheNode.seen = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), NotTheNode)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        args = parse("setup", "--role", "kiosk", "--node", f"http://127.0.0.1:{server.server_port}",
                     "--pairing-code", "12345678", "--printer", "none", "--scanner", "none",
                     "--data-dir", str(tmp_path / "dev"), "--out", str(tmp_path / "kiosk.toml"), "--language", "en")
        assert args.handler(args) == 1
    finally:
        server.shutdown()
        server.server_close()
    assert "not signed with this code" in capsys.readouterr().err
    assert NotTheNode.seen and not any(old in header for header in NotTheNode.seen)
    assert (tmp_path / "dev" / "token").read_text().strip() == old  # kept: the device is still paired as before
