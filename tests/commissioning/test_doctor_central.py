"""`smartqueue doctor` on central's configuration (central.toml): it checks what the receiver needs — its
database, the broker accepting its login over TLS, the TLS files — in the technician's language, and passes when
all is well (it used to report central's file as a broken device configuration). A real Mosquitto with TLS and
passwords, a real SQLite file and a real PostgreSQL."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

from devtools.local_postgres import LocalPostgres
from smartqueue.local_broker import Broker, free_port
from tests.commissioning.test_setup_flags import parse
from tests.sync.certs import make_ca_and_server

PASSWORD = "central-secret-pw"


@pytest.fixture
def secure_broker(tmp_path: Path):
    directory = tmp_path / "tls"
    ca, cert, key = make_ca_and_server(directory)
    passwd = directory / "passwd"
    passwd.touch()
    subprocess.run(["mosquitto_passwd", "-b", str(passwd), "central", PASSWORD], check=True, capture_output=True)
    extra = f"password_file {passwd}\ncafile {ca}\ncertfile {cert}\nkeyfile {key}\ntls_version tlsv1.2\n"
    broker = Broker(tmp_path / "broker", anonymous=False, extra=extra, persistence=False).start()
    yield broker, ca
    broker.stop()


def central_file(tmp_path: Path, port: int, *, ca: Path | None, password: str = PASSWORD,
                 database: str | None = None) -> Path:
    secret = tmp_path / "central-password"
    secret.write_text(password + "\n")
    secret.chmod(0o600)
    store = f'database_url = "{database}"\n' if database else f'db_path = "{tmp_path / "central.sqlite3"}"\n'
    tls = f'\n[central.tls]\nca_file = "{ca}"\n' if ca else ""
    path = tmp_path / "central.toml"
    path.write_text(f'[central]\nhost = "127.0.0.1"\nport = {port}\nusername = "central"\n'
                    f'password_file = "{secret}"\n{store}{tls}')
    path.chmod(0o640)
    return path


def doctor(path: Path, language: str, capsys) -> tuple[int, str]:
    args = parse("doctor", "--config", str(path), "--language", language, "--timeout", "2")
    code = args.handler(args)
    return code, capsys.readouterr().out


def test_a_healthy_central_passes_with_its_own_checks_in_french(tmp_path, secure_broker, capsys):
    broker, ca = secure_broker
    code, out = doctor(central_file(tmp_path, broker.port, ca=ca), "fr", capsys)
    assert code == 0, out
    assert "aucun problème" in out
    assert "base de données" in out and "courtier MQTT" in out and "accepte la connexion du récepteur" in out
    for device_only in ("jeton de l'appareil", "imprimante", "synchronisation"):  # not a device's checks
        assert device_only not in out


@pytest.mark.parametrize(("case", "words"), [
    ("password", "refuse la connexion"),  # a wrong password: the broker's CONNACK says no
    ("ca", "TLS vers le courtier"),  # a CA that did not sign the broker's certificate
    ("down", "ne répond pas"),  # nothing listens there
    ("database", "n'est pas une base SQLite lisible"),
])
def test_what_central_lacks_is_named_with_its_fix(tmp_path, secure_broker, capsys, case, words):
    broker, ca = secure_broker
    if case == "ca":
        ca, _, _ = make_ca_and_server(tmp_path / "another")
    path = central_file(tmp_path, free_port() if case == "down" else broker.port, ca=ca,
                       password="wrong" if case == "password" else PASSWORD)
    if case == "database":
        (tmp_path / "central.sqlite3").write_text("this is not a database, it is a text file\n" * 100)
    code, out = doctor(path, "fr", capsys)
    assert code == 1 and words in out, out
    assert "solution" in out and "Traceback" not in out


def test_central_on_postgresql_is_checked_and_its_password_never_shown(tmp_path, secure_broker, capsys):
    broker, ca = secure_broker
    workdir = Path(tempfile.mkdtemp(prefix="sq-test-postgres-"))  # not under pytest's 0700 basetemp (see sync)
    server = LocalPostgres(workdir, fsync=False).start()
    try:
        code, out = doctor(central_file(tmp_path, broker.port, ca=ca, database=server.url), "en", capsys)
        assert code == 0 and "PostgreSQL answers at 127.0.0.1" in out, out
    finally:
        server.stop()
        shutil.rmtree(workdir, ignore_errors=True)
    down = f"postgresql://central:pg-secret-pw@127.0.0.1:{free_port()}/central"
    code, out = doctor(central_file(tmp_path, broker.port, ca=ca, database=down), "ar", capsys)
    assert code == 1 and "PostgreSQL" in out and "pg-secret-pw" not in out, out
