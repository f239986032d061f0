"""TLS with username/password and per-branch ACLs: a branch cannot publish into another branch's topics; the
broker's PUBACK 0x87 is dead-lettered, not retried forever; secrets stay out of the logs."""

from __future__ import annotations

import logging
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from config.sync import TlsSection
from smartqueue.local_broker import Broker
from sync.central import CentralReceiver

from .certs import make_ca_and_server
from .conftest import Branch, branch_row, central_config, start_branch, stop_branch, sync_config, wait_for

PASSWORDS = {"central": "central-secret-pw", "branch-BR042": "br042-secret-pw"}
ACL = """user central
topic readwrite smartqueue/v1/#

user branch-BR042
topic readwrite smartqueue/v1/acme-bank/BR042/#
"""


@pytest.fixture
def secure(tmp_path: Path) -> Iterator[tuple[Broker, Path]]:
    directory = tmp_path / "tls"
    ca, cert, key = make_ca_and_server(directory)
    passwd = directory / "passwd"
    passwd.touch()
    for user, password in PASSWORDS.items():
        subprocess.run(["mosquitto_passwd", "-b", str(passwd), user, password], check=True, capture_output=True)
    (directory / "acl").write_text(ACL, encoding="utf-8")
    extra = (f"password_file {passwd}\nacl_file {directory / 'acl'}\ncafile {ca}\ncertfile {cert}\n"
             f"keyfile {key}\ntls_version tlsv1.2\n")
    broker = Broker(tmp_path / "secure-broker", anonymous=False, extra=extra).start()
    yield broker, ca
    broker.stop()


def test_tls_acl_and_not_authorized_is_dead_lettered(tmp_path: Path, secure: tuple[Broker, Path],
                                                     caplog: pytest.LogCaptureFixture) -> None:
    broker, ca = secure
    caplog.set_level(logging.DEBUG)
    tls = TlsSection(ca_file=str(ca))
    db = tmp_path / "central" / "central.sqlite3"
    central = CentralReceiver(central_config(broker.port, db, tls=tls, username="central",
                                             password=PASSWORDS["central"]))
    central.start()
    password_file = tmp_path / "branch-password"
    password_file.write_text(PASSWORDS["branch-BR042"] + "\n", encoding="utf-8")
    good = start_branch(tmp_path / "good", sync_config(broker.port, tls=tls, username="branch-BR042",
                                                       password_file=str(password_file)))
    # the same credentials, configured with another branch's topics (a copy-paste error, or worse)
    rogue = start_branch(tmp_path / "rogue", sync_config(
        broker.port, tls=tls, username="branch-BR042", password=PASSWORDS["branch-BR042"],
        topic_prefix="smartqueue/v1/acme-bank/BR099/", dead_letter_retry_s=3600))
    try:
        good.issue(3)
        wait_for(lambda: branch_row(db).get("watermark") == good.node.core.seq, what="events over TLS")
        rogue.issue(2)
        wait_for(lambda: rogue.service.pump.halted_until is not None, what="0x87 seen")
        sent = rogue.service.pump.sent_messages
        dead = wait_for(lambda: rogue.node.store.query("SELECT topic, reason_code FROM sync_dead_letters"),
                        what="dead letter recorded")
        assert tuple(dead[0]) == ("events", 0x87)
        time.sleep(1.5)  # pump ticks: not retried while paused
        assert rogue.service.pump.sent_messages == sent
        assert rogue.node.store.query("SELECT COUNT(*) FROM outbox")[0][0] == rogue.node.core.seq  # nothing lost
        assert not (Path(central.config.db_path).exists() and _has_branch(db, "BR099"))
    finally:
        stop_branch(rogue)
        stop_branch(good)
        central.stop()
    logged = caplog.text + broker.log()
    for secret in PASSWORDS.values():
        assert secret not in logged


def _has_branch(db: Path, branch: str) -> bool:
    import sqlite3

    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        return conn.execute("SELECT COUNT(*) FROM sq_event WHERE branch = ?", (branch,)).fetchone()[0] > 0
    finally:
        conn.close()


def test_a_broker_certificate_from_another_ca_is_refused(tmp_path: Path, secure: tuple[Broker, Path]) -> None:
    broker, _ = secure
    other_ca, _, _ = make_ca_and_server(tmp_path / "other")
    branch: Branch = start_branch(tmp_path / "node", sync_config(
        broker.port, tls=TlsSection(ca_file=str(other_ca)), username="branch-BR042",
        password=PASSWORDS["branch-BR042"]))
    try:
        time.sleep(1.0)
        assert not branch.service.link.connected
    finally:
        stop_branch(branch)
