"""The kiosk view-model with a real node and a virtual printer on a real pty: what a customer experiences."""

from __future__ import annotations

import datetime as dt
import logging
from zoneinfo import ZoneInfo

from pydantic import SecretStr

from ground.phone_link import branch_key, verify
from hardware.printer.simulator import with_faults
from hardware.scanner.codes import sign_appointment, sign_ticket

from .conftest import KEY, close_rig, make_rig


def ready(qtbot, rig) -> None:
    rig.vm.start()
    qtbot.waitUntil(lambda: rig.vm.screen == "home" and bool(rig.vm.tiles), timeout=5000)
    qtbot.waitUntil(lambda: rig.printer.state == "ready", timeout=5000)


def tap_service(qtbot, vm, service: str = "loans", priority: str = "") -> None:
    vm.chooseService(service)
    if vm.screen == "priority":
        vm.choosePriority(priority)
    qtbot.waitUntil(lambda: vm.screen == "ticket", timeout=5000)


def test_home_lists_groups_and_services_in_the_language(qtbot, rig):
    ready(qtbot, rig)
    assert [t["id"] for t in rig.vm.tiles] == ["everyday", "loans"]
    assert rig.vm.tiles[1]["name"] == "Crédits"
    rig.vm.setLanguage("ar")
    assert rig.vm.rtl and rig.vm.tiles[1]["name"] == "القروض"
    rig.vm.openGroup("everyday")
    assert [t["id"] for t in rig.vm.tiles] == ["accounts", "cash"] and rig.vm.inGroup
    rig.vm.back()
    assert not rig.vm.inGroup


def test_tap_issues_shows_and_prints_the_ticket(qtbot, rig):
    ready(qtbot, rig)
    tap_service(qtbot, rig.vm, "loans")
    ticket = rig.vm.ticket
    assert ticket["number"] == "B-001" and ticket["service"] == "Crédits"
    assert ticket["ahead"] == "Vous êtes le prochain"
    assert ticket["qr"] == sign_ticket(KEY.encode(), branch_id="BR042", ticket_id=ticket["id"])
    qtbot.waitUntil(lambda: rig.vm.ticket["printed"], timeout=5000)
    assert rig.vm.ticket["note"] == "Veuillez prendre votre ticket."
    on_node = rig.node.client("display").state()["waiting"]
    assert [w["number"] for w in on_node] == ["B-001"]
    qtbot.waitUntil(lambda: len(rig.virtual.tickets) == 1, timeout=5000)
    assert "B-001" in rig.virtual.tickets[0].text


def test_priority_choice_reaches_the_node(qtbot, rig):
    ready(qtbot, rig)
    tap_service(qtbot, rig.vm, "loans", "pregnant")
    waiting = rig.node.node.core.state.tickets[rig.vm.ticket["id"]]
    assert waiting.level == 1 and waiting.category == "pregnant"


def test_a_second_tap_never_issues_a_second_ticket(qtbot, rig):
    ready(qtbot, rig)
    rig.vm.chooseService("loans")
    rig.vm.choosePriority("")
    rig.vm.chooseService("loans")  # while the first is in flight: ignored (busy)
    rig.vm.choosePriority("")
    qtbot.waitUntil(lambda: rig.vm.screen == "ticket", timeout=5000)
    qtbot.wait(300)
    assert len(rig.node.client("display").state()["waiting"]) == 1


def test_paper_out_still_gives_a_ticket_on_screen_and_reports_it(qtbot, rig):
    ready(qtbot, rig)
    with_faults(rig.virtual, paper_out_after=0)
    rig.printer.refresh()
    qtbot.waitUntil(lambda: rig.printer.state == "paper_out", timeout=5000)
    assert rig.vm.printerNotice == ("L'imprimante n'a plus de papier : votre numéro sera affiché à l'écran.")
    tap_service(qtbot, rig.vm, "loans")
    qtbot.waitUntil(lambda: rig.vm.ticket["note"] != "" and not rig.vm.ticket["printing"], timeout=5000)
    assert rig.vm.ticket["number"] == "B-001" and not rig.vm.ticket["printed"]
    # no public tracking page configured: the screen promises nothing online
    assert rig.vm.ticket["note"] == ("L'imprimante n'a plus de papier. "
                                     "Veuillez photographier cet écran : il indique votre numéro.")
    assert rig.vm.ticket["qrLabel"] == "Scannez ce code à la borne pour connaître votre place dans la file"
    assert rig.virtual.printed == 0
    # the screen is all the customer has: it stays for unprinted_ticket_seconds (60 s), not the printed 12 s
    assert rig.vm._ticket_timer.remainingTime() > 50_000

    def reported() -> bool:
        devices = {d["id"]: d for d in rig.node.client("admin").devices()["devices"]}
        status = devices["dev-kiosk"]["status"]
        return status is not None and status["components"]["printer"] == "paper_out"

    qtbot.waitUntil(reported, timeout=5000)


def test_appointment_scan_checks_in(qtbot, rig):
    ready(qtbot, rig)
    tz = ZoneInfo("Africa/Casablanca")
    now = dt.datetime.now(tz)
    slot = (now + dt.timedelta(minutes=5)).replace(second=0, microsecond=0, tzinfo=None)
    day_start = now.replace(hour=4, minute=0, second=0, microsecond=0, tzinfo=None)  # [branch] day_starts_at
    if now.replace(tzinfo=None) < day_start <= slot:  # in five minutes it is tomorrow's business day
        slot = now.replace(second=0, microsecond=0, tzinfo=None)
    code = sign_appointment(KEY.encode(), branch_id="BR042", appointment_ref="APT-77", service="accounts", slot=slot)
    rig.vm.scanned(code)
    qtbot.waitUntil(lambda: rig.vm.screen == "ticket", timeout=5000)
    ticket = rig.node.node.core.state.tickets[rig.vm.ticket["id"]]
    assert ticket.appointment_ref == "APT-77" and ticket.service == "accounts"
    assert rig.vm.ticket["appointment"] == f"Rendez-vous à {slot:%H:%M}"
    qtbot.waitUntil(lambda: len(rig.virtual.tickets) == 1, timeout=5000)
    assert f"{slot:%H:%M}" in rig.virtual.tickets[0].text  # the paper says it too
    rig.vm.goHome()
    qtbot.wait(150)
    rig.vm.scanned(code)  # the same code again
    qtbot.waitUntil(lambda: rig.vm.screen == "message", timeout=5000)
    assert rig.vm.message == "Ce rendez-vous a déjà été enregistré. Votre numéro est le A-001."


def test_bad_scans_get_a_clear_message(qtbot, rig):
    ready(qtbot, rig)
    forged = sign_appointment(b"another-branch-key-0123456789", branch_id="BR042", appointment_ref="X",
                              service="accounts", slot=dt.datetime(2026, 11, 24, 10, 0))
    for text, expected in ((forged, "pas valable"), ("\x00\x01garbage" * 100, "pas reconnu"),
                           ("https://example.org", "pas reconnu")):
        rig.vm.goHome()
        qtbot.wait(150)
        rig.vm.scanned(text)
        assert rig.vm.screen == "message" and expected in rig.vm.message


def test_scanning_an_e_ticket_shows_its_status(qtbot, rig):
    ready(qtbot, rig)
    tap_service(qtbot, rig.vm, "loans")
    code = rig.vm.ticket["qr"]
    rig.vm.goHome()
    qtbot.wait(150)
    rig.vm.scanned(code)
    qtbot.waitUntil(lambda: rig.vm.screen == "message", timeout=5000)
    assert rig.vm.message == "Le ticket B-001 est en attente. Personnes avant vous : 0."


def test_inactivity_returns_home_in_the_default_language(qtbot, tmp_path, qapp):
    rig = make_rig(tmp_path, inactivity_seconds=5)
    try:
        ready(qtbot, rig)
        rig.vm._idle.setInterval(200)  # the configured minimum is 5 s; the test need not wait that long
        rig.vm.setLanguage("en")
        rig.vm.chooseService("loans")
        assert rig.vm.screen == "priority"
        qtbot.waitUntil(lambda: rig.vm.screen == "home", timeout=3000)
        assert rig.vm.language == "fr"
    finally:
        close_rig(rig)


def test_node_down_shows_please_wait_and_recovers(qtbot, tmp_path, qapp):
    rig = make_rig(tmp_path)
    try:
        ready(qtbot, rig)
        port = rig.node.url.rsplit(":", 1)[1]
        rig.node.call(rig.node.server.stop())  # the node goes away
        rig.vm.chooseService("loans")
        rig.vm.choosePriority("")
        qtbot.waitUntil(lambda: rig.vm.screen == "offline", timeout=8000)
        assert not rig.vm.online
        # a node comes back on the same address: the kiosk returns to service by itself
        from branch.node import BranchNode
        from branch.server import NodeServer

        async def restart():
            node = BranchNode(rig.node.node.config, tmp_path / "node")
            rig.node.node, rig.node.server = node, NodeServer(node)
            await rig.node.server.start("127.0.0.1", int(port), advertise=False)

        rig.node.call(restart())
        rig.vm.refresh()
        qtbot.waitUntil(lambda: rig.vm.screen == "home", timeout=8000)
    finally:
        close_rig(rig)


def test_screen_only_kiosk_without_printer(qtbot, tmp_path, qapp, caplog):
    """No printer is a mode (on-screen and QR tickets): said once at start, at info level; no ticket is an error."""
    caplog.set_level(logging.INFO)
    rig = make_rig(tmp_path, printer=False)
    try:
        rig.vm.start()
        qtbot.waitUntil(lambda: rig.vm.screen == "home", timeout=5000)
        tap_service(qtbot, rig.vm, "loans")
        qtbot.waitUntil(lambda: rig.vm.ticket["note"] != "", timeout=3000)
        assert not rig.vm.ticket["printed"] and "photographier" in rig.vm.ticket["note"]
    finally:
        close_rig(rig)
    assert not rig.vm.errors  # the technician panel's list of problems stays empty
    kiosk = [r for r in caplog.records if r.name.startswith("kiosk")]
    assert not [r for r in kiosk if r.levelno >= logging.WARNING], [r.getMessage() for r in kiosk]
    said = [r for r in kiosk if "no printer configured" in r.getMessage()]
    assert len(said) == 1 and said[0].levelno == logging.INFO


def test_public_tracking_page_in_the_qr(qtbot, tmp_path, qapp):
    """With central's phone pages configured, the QR is the ticket's page there, which central verifies."""
    central_key = bytes(range(32))
    key = branch_key(central_key, "acme-bank", "BR042")
    rig = make_rig(tmp_path, branch={"organisation": "acme-bank", "public_base_url": "https://q.example.com/",
                                     "phone_link_key": SecretStr(key.hex())})
    try:
        ready(qtbot, rig)
        tap_service(qtbot, rig.vm, "loans")
        ticket_id = rig.vm.ticket["id"]
        link = rig.vm.ticket["qr"]
        assert link.startswith(f"https://q.example.com/t/acme-bank/BR042/{ticket_id}/")
        assert verify(central_key, "acme-bank", "BR042", ticket_id, link.rsplit("/", 1)[1])
        assert rig.vm.ticket["qrLabel"] == "Scannez avec votre téléphone pour suivre votre tour"
        qtbot.waitUntil(lambda: rig.vm.ticket["printed"], timeout=5000)
        assert "Suivez votre tour en ligne" in rig.virtual.tickets[-1].text  # the paper promises it too
        assert rig.vm._ticket_timer.remainingTime() <= 13_000  # printed: the usual 12 s (a coarse timer may add 5%)
    finally:
        close_rig(rig)


def test_switching_language_on_the_ticket_screen_translates_the_ticket(qtbot, rig):
    ready(qtbot, rig)
    tap_service(qtbot, rig.vm, "loans")
    qtbot.waitUntil(lambda: rig.vm.ticket["printed"], timeout=5000)
    rig.vm.setLanguage("en")
    assert rig.vm.ticket["ahead"] == "You are next" and rig.vm.ticket["service"] == "Loans"
    assert rig.vm.ticket["note"] == "Please take your ticket."


def test_screen_and_paper_agree_when_no_counter_is_open(qtbot, rig):
    ready(qtbot, rig)
    tap_service(qtbot, rig.vm, "loans")
    assert rig.vm.ticket["wait"] == "Aucun guichet n'est encore ouvert pour ce service"
    qtbot.waitUntil(lambda: len(rig.virtual.tickets) == 1, timeout=5000)
    assert "Aucun guichet" in rig.virtual.tickets[0].text or rig.virtual.tickets[0].text.count("\n") > 0


def test_priority_never_asked(qtbot, tmp_path, qapp):
    rig = make_rig(tmp_path, priority_question="never")
    try:
        ready(qtbot, rig)
        rig.vm.chooseService("loans")  # one tap: straight to the ticket
        qtbot.waitUntil(lambda: rig.vm.screen == "ticket", timeout=5000)
        assert rig.node.node.core.state.tickets[rig.vm.ticket["id"]].level == 0
    finally:
        close_rig(rig)


def test_priority_as_a_separate_entry_on_the_home_screen(qtbot, tmp_path, qapp):
    rig = make_rig(tmp_path, priority_question="entry")
    try:
        ready(qtbot, rig)
        tiles = {t["id"]: t for t in rig.vm.tiles}
        assert tiles["priority"]["kind"] == "priority"
        assert tiles["priority"]["lines"] == ["Femme enceinte · Personne handicapée"]
        rig.vm.chooseService("loans")  # everyone else: one tap, no question
        qtbot.waitUntil(lambda: rig.vm.screen == "ticket", timeout=5000)
        rig.vm.goHome()
        qtbot.wait(150)
        rig.vm.openPriority()
        assert rig.vm.screen == "priority" and not rig.vm.askingPriority
        rig.vm.choosePriority("disabled")
        assert rig.vm.screen == "home" and rig.vm.showBack
        assert rig.vm.heading == "Prioritaire (Personne handicapée) : veuillez choisir un service"
        assert "priority" not in {t["id"] for t in rig.vm.tiles}
        rig.vm.chooseService("loans")
        qtbot.waitUntil(lambda: rig.vm.screen == "ticket", timeout=5000)
        ticket = rig.node.node.core.state.tickets[rig.vm.ticket["id"]]
        assert ticket.category == "disabled" and ticket.level == 1
        assert rig.vm.ticket["priority"] == "Prioritaire : Personne handicapée"
    finally:
        close_rig(rig)


def test_group_heading_and_back(qtbot, rig):
    ready(qtbot, rig)
    assert rig.vm.heading == "Veuillez choisir un service" and not rig.vm.showBack
    rig.vm.openGroup("everyday")
    assert rig.vm.heading == "Opérations courantes" and rig.vm.showBack
    assert [t["id"] for t in rig.vm.tiles] == ["accounts", "cash"]
    rig.vm.back()
    assert rig.vm.heading == "Veuillez choisir un service" and not rig.vm.inGroup


def test_a_closed_service_tile_says_when_it_opens(qtbot, tmp_path, qapp):
    """End to end: the node's services answer carries the next opening (opens_at), the tile says it."""
    from config.loader import load_config
    from tests.branch.conftest import EXAMPLE

    config = load_config(EXAMPLE)
    tomorrow = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")[
        (dt.datetime.now(ZoneInfo(config.branch.timezone)).weekday() + 1) % 7]
    services = [s.model_copy(update={"hours": {tomorrow: ["08:30-12:00"]}}) if s.id == "loans" else s
                for s in config.services]
    rig = make_rig(tmp_path, node_config=config.model_copy(update={"services": services}))
    try:
        rig.vm.start()
        qtbot.waitUntil(lambda: rig.vm.screen == "home" and bool(rig.vm.tiles), timeout=5000)
        loans = next(t for t in rig.vm.tiles if t["id"] == "loans")
        assert not loans["open"] and loans["lines"] == ["Fermé · ouvre demain à 08:30"]
    finally:
        close_rig(rig)
