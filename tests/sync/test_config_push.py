"""Config pushed by central: validated with the node's own schema, applied atomically or not at all, answered."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sync.central import CentralReceiver

from .conftest import BRANCH, ORG, Branch, wait_for

NEW_SERVICES = [
    {"id": "accounts", "prefix": "A", "names": {"en": "Accounts"}},
    {"id": "cash", "prefix": "C", "names": {"en": "Cash"}},
    {"id": "loans", "prefix": "B", "names": {"en": "Loans"}},
    {"id": "insurance", "prefix": "I", "names": {"en": "Insurance", "fr": "Assurance"}},
]


def _config_ack(db: Path) -> dict | None:
    import sqlite3

    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        row = conn.execute("SELECT config_ack FROM sq_branch WHERE branch = ?", (BRANCH,)).fetchone()
    finally:
        conn.close()
    return json.loads(row[0]) if row and row[0] else None


def _ack_for(db: Path, version, status: str):
    return lambda: (a := _config_ack(db)) is not None and a["version"] == version and a["status"] == status and a


def test_valid_push_is_applied_acknowledged_and_survives_a_restart(branch: Branch, central: CentralReceiver) -> None:
    db = Path(central.config.db_path)
    central.publish_config(ORG, BRANCH, 3, {"services": NEW_SERVICES})
    ack = wait_for(_ack_for(db, 3, "applied"), what="config applied")
    assert ack["applied_version"] == 3 and ack["errors"] == []
    assert "insurance" in branch.node.setup.services
    assert branch.running.client("kiosk").issue_ticket("insurance")["number"].startswith("I")
    branch.stop_sync()
    branch.start_sync()  # the stored push is re-applied; the retained message comes back: "unchanged"
    wait_for(_ack_for(db, 3, "unchanged"), what="retained config seen again")
    assert branch.service.config_version == 3 and "insurance" in branch.node.setup.services


@pytest.mark.parametrize(("payload", "problem"), [
    (b"{not json", "invalid JSON"),
    (json.dumps({"schema": 2, "version": 5, "sections": {}}).encode(), "unsupported schema version"),
    (json.dumps({"schema": 1, "version": 5, "sections": {}, "extra": 1}).encode(), "$.extra: unknown field"),
    (json.dumps({"schema": 1, "version": 5, "sections": {"node": {"port": 1}}}).encode(), "sections.node"),
    (json.dumps({"schema": 1, "version": 5, "sections": {"services": [
        {"id": "cash", "prefix": "c", "names": {"en": "Cash"}, "colour": "red"}]}}).encode(), "services[cash]"),
    (json.dumps({"schema": 1, "version": 5, "sections": {"counters": [
        {"id": "1", "names": {"en": "One"}, "services": ["nope"]}]}}).encode(), "unknown service 'nope'"),
    (b'{"schema": 1, "version": 5, "sections": {}, "pad": "' + b"x" * 300_000 + b'"}', "exceeds the limit"),
])
def test_bad_push_is_rejected_with_the_reason_and_changes_nothing(branch: Branch, central: CentralReceiver,
                                                                 payload: bytes, problem: str) -> None:
    db = Path(central.config.db_path)
    before = branch.node.config
    central.send_raw(ORG, BRANCH, "config", payload, retain=True)
    ack = wait_for(lambda: (a := _config_ack(db)) is not None and a["status"] == "rejected" and a,
                   what="rejection")
    assert any(problem in e for e in ack["errors"]), ack["errors"]
    assert ack["applied_version"] is None
    assert branch.node.config is before
    assert branch.node.store.query("SELECT COUNT(*) FROM sync_config")[0][0] == 0


def test_a_service_with_open_tickets_cannot_be_removed(branch: Branch, central: CentralReceiver) -> None:
    db = Path(central.config.db_path)
    branch.issue(1, service="loans")
    counters = [{"id": c, "names": {"en": c}, "services": ["cash"]} for c in ("1", "2", "3")]
    central.publish_config(ORG, BRANCH, 4, {"services": NEW_SERVICES[:2], "counters": counters})
    ack = wait_for(_ack_for(db, 4, "rejected"), what="rejection")
    assert any("'loans' has open tickets" in e for e in ack["errors"])
    assert "loans" in branch.node.setup.services


def test_an_older_version_is_refused(branch: Branch, central: CentralReceiver) -> None:
    db = Path(central.config.db_path)
    central.publish_config(ORG, BRANCH, 7, {"rules": {"recall_limit": 3}})
    wait_for(_ack_for(db, 7, "applied"), what="v7 applied")
    assert branch.node.config.rules.recall_limit == 3 and branch.node.setup.rules.recall_limit == 3
    central.publish_config(ORG, BRANCH, 6, {"rules": {"recall_limit": 1}})
    ack = wait_for(_ack_for(db, 6, "rejected"), what="v6 refused")
    assert ack["applied_version"] == 7 and branch.node.config.rules.recall_limit == 3
