"""`smartqueue setup --role node` from flags: a configuration the node validates, starts on, syncs with, lets an
agent log in with the PIN given (stored hashed), and that doctor passes; bad flags get a translated message and
write nothing."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import time
import tomllib
import uuid
from pathlib import Path

import pytest
import requests

from commissioning.node_setup import NodeAnswers, node_tables
from config.loader import load_config
from smartqueue.local_broker import MOSQUITTO, Broker, free_port
from tests.commissioning.test_setup_flags import parse

ROOT = Path(__file__).resolve().parents[2]


def node_flags(tmp_path: Path, port: int, *extra: str) -> list[str]:
    return ["setup", "--role", "node", "--out", str(tmp_path / "etc" / "node.toml"), "--branch", "BR7",
            "--organisation", "acme", "--name", "fr=Agence Nord", "--name", "ar=فرع الشمال",
            "--timezone", "Africa/Casablanca", "--languages", "fr,ar",
            "--service", "id=accounts,prefix=A,fr=Comptes,ar=الحسابات,minutes=6",
            "--service", "id=cash,prefix=C,fr=Caisse",
            "--counter", "id=1,services=accounts+cash,fr=Guichet 1",
            "--counter", "id=2,services=cash,fr=Guichet 2,mode=ordered",
            "--agent", "id=alice,name=Alice Martin,pin=2468,number=101,counters=1+2",
            "--host", "127.0.0.1", "--port", str(port), "--data-dir", str(tmp_path / "data"), "--language", "en",
            *extra]


def _wait_health(url: str, proc: subprocess.Popen, timeout: float = 30) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert proc.poll() is None, proc.stderr.read().decode(errors="replace")[-2000:]
        try:
            return requests.get(url + "/api/v1/health", timeout=1).json()
        except requests.RequestException:
            time.sleep(0.2)
    raise AssertionError("the node did not answer")


@pytest.mark.skipif(not Path(MOSQUITTO).exists(), reason="Mosquitto is installed by scripts/install-system-deps.sh")
def test_a_node_commissioned_from_flags_starts_syncs_lets_its_agent_in_and_passes_doctor(tmp_path, capsys):
    broker = Broker(tmp_path / "broker").start()
    port = free_port()
    args = parse(*node_flags(tmp_path, port, "--sync-host", "127.0.0.1", "--sync-port", str(broker.port),
                             "--sync-plain"))
    assert args.handler(args) == 0
    out = tmp_path / "etc" / "node.toml"
    text = out.read_text(encoding="utf-8")
    assert "2468" not in text and "scrypt$" in text  # the PIN is stored hashed
    assert stat.S_IMODE(out.stat().st_mode) == 0o640  # it holds secrets (doctor checks that too)
    config = load_config(out)
    assert config.branch.organisation == "acme" and config.branch.name.ar == "فرع الشمال"
    assert len(config.branch.appointment_key.get_secret_value()) >= 32  # generated
    assert config.sync.enabled and config.sync.port == broker.port and config.sync.tls is None
    node = subprocess.Popen([sys.executable, "-m", "smartqueue", "node", "--config", str(out), "--no-advertise"],
                            cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            env={**os.environ, "PYTHONUNBUFFERED": "1"})
    url = f"http://127.0.0.1:{port}"
    try:
        health = _wait_health(url, node)
        assert health["branch"] == "BR7"
        token = subprocess.run([sys.executable, "-m", "smartqueue", "node", "token", "--config", str(out), "--role",
                                "keypad", "--counter", "1"], cwd=ROOT, capture_output=True, text=True, timeout=60,
                               check=True).stdout.strip()
        login = requests.post(url + "/api/v1/agents/login", json={"agent": "alice", "pin": "2468"}, timeout=5,
                              headers={"Authorization": f"Bearer {token}", "Idempotency-Key": str(uuid.uuid4())})
        assert login.status_code == 200, login.text
        deadline = time.monotonic() + 20  # the MQTT link comes up
        while (requests.get(url + "/api/v1/health", timeout=2).json().get("sync") or {}).get("state") != "connected":
            assert time.monotonic() < deadline, requests.get(url + "/api/v1/health", timeout=2).json()
            time.sleep(0.3)
        capsys.readouterr()
        doctor = parse("doctor", "--config", str(out), "--language", "en")
        assert doctor.handler(doctor) == 0, capsys.readouterr().out
        assert "sync with central" in capsys.readouterr().out
    finally:
        node.terminate()
        node.wait(30)
        broker.stop()


def test_running_setup_again_keeps_the_generated_secrets_and_writes_a_cluster(tmp_path):
    out = tmp_path / "node.toml"
    base = NodeAnswers(out=out, branch="BR7", organisation="acme", services=["id=a,prefix=A"],
                       counters=["id=1,services=a"], self_address="10.0.0.5:4321", peers=["10.0.0.6:4321"])
    args = parse("setup", "--role", "node", "--out", str(out), "--branch", "BR7", "--organisation", "acme",
                 "--service", "id=a,prefix=A", "--counter", "id=1,services=a", "--self-address", "10.0.0.5:4321",
                 "--peer", "10.0.0.6:4321", "--language", "en")
    assert args.handler(args) == 0
    first = tomllib.loads(out.read_text(encoding="utf-8"))
    again = node_tables(base)
    assert again["branch"]["appointment_key"] == first["branch"]["appointment_key"]
    assert again["cluster"]["secret"] == first["cluster"]["secret"]
    assert first["cluster"]["peers"] == ["10.0.0.6:4321"]
    assert load_config(out).cluster.self_address == "10.0.0.5:4321"


@pytest.mark.parametrize(("flags", "language", "words"), [
    (["--service", "id=a"], "fr", "prefix manquant"),  # malformed list flag, said in French
    (["--service", "id=a,prefix=a"], "en", "services[a].prefix"),  # the node's own schema names the key
    (["--agent", "id=bob,name=Bob,pin=12"], "ar", "رمز PIN"),  # a PIN the node would refuse
    (["--counter", "id=9,services=nothing"], "en", "counters.9.services: unknown service 'nothing'"),
    (["--timezone", "Mars/Olympus"], "fr", "unknown time zone"),
])
def test_bad_flags_are_refused_with_a_message_and_nothing_is_written(tmp_path, capsys, flags, language, words):
    args = parse("setup", "--role", "node", "--out", str(tmp_path / "node.toml"), "--branch", "BR7",
                 "--organisation", "acme", "--service", "id=s,prefix=S", "--counter", "id=1,services=s",
                 *flags, "--language", language)
    assert args.handler(args) == 1
    assert words in capsys.readouterr().err
    assert not (tmp_path / "node.toml").exists()
