"""The customer's phone page, served by central, opened in a real headless Chromium: fr/en/ar (right to left),
the ticket's position and wait, "called: go to counter 3" once an agent calls it, no personal data, unguessable
links, a rate limit."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import requests

from ground.i18n import Formatter
from ground.phone_link import branch_key, ticket_url
from smartqueue.local_broker import Broker
from sync.central import CentralReceiver

from .conftest import BRANCH, ORG, Branch, central_config, start_branch, stop_branch, sync_config, wait_for

CENTRAL_KEY = "central-phone-link-secret"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


def chromium(*args: str, timeout: float = 60) -> subprocess.CompletedProcess:
    flags = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
             "--disable-component-update", "--disable-default-apps", "--disable-extensions", "--disable-sync",
             "--no-first-run", "--hide-scrollbars", "--window-size=412,640", "--lang=en-US"]
    return subprocess.run([CHROMIUM, *flags, *args], capture_output=True, text=True, timeout=timeout,
                          env={**os.environ, "HOME": os.environ.get("TMPDIR", "/tmp")})


@pytest.fixture
def phone(tmp_path: Path, broker: Broker) -> Iterator[tuple[CentralReceiver, Branch]]:
    receiver = CentralReceiver(central_config(broker.port, tmp_path / "central" / "central.sqlite3",
                                              public_port=0, phone_link_key=CENTRAL_KEY))
    receiver.start()
    branch = start_branch(tmp_path / "node", sync_config(broker.port))
    yield receiver, branch
    stop_branch(branch)
    receiver.stop()


def _link(receiver: CentralReceiver, ticket_id: str) -> str:
    key = branch_key(CENTRAL_KEY.encode(), ORG, BRANCH)
    return ticket_url(f"http://127.0.0.1:{receiver.phone_pages.port}", key, ORG, BRANCH, ticket_id)


@pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed (scripts/install-system-deps.sh)")
def test_the_phone_page_in_a_real_browser_in_three_languages(tmp_path: Path, phone) -> None:
    receiver, branch = phone
    kiosk = branch.running.client("kiosk")
    kiosk.issue_ticket("accounts")
    ticket = kiosk.issue_ticket("accounts")
    url = _link(receiver, ticket["id"])
    state = url + "/state.json"
    wait_for(lambda: requests.get(state, timeout=5).status_code == 200, what="ticket projected at central")
    out = Path(os.environ.get("SMARTQUEUE_SCREENSHOTS", tmp_path))
    out.mkdir(parents=True, exist_ok=True)
    for language in ("fr", "en", "ar"):
        shot = out / f"phone-page-waiting-{language}.png"
        done = chromium(f"--screenshot={shot}", f"{url}?lang={language}")
        assert shot.exists() and shot.stat().st_size > 5000, done.stderr[-2000:]
    page = chromium("--dump-dom", "--virtual-time-budget=3000", f"{url}?lang=ar").stdout
    assert 'dir="rtl"' in page and "A-002" in page
    assert "data-updated-ms" in page  # the page's script fetched state.json and applied it in the browser

    agent = branch.running.agent("alice", "1234", counter="3")
    agent.counter_action("3", "call-next")
    agent.counter_action("3", "call-next")  # this ticket
    wait_for(lambda: requests.get(state + "?lang=en", timeout=5).json()["status"] == "called", what="called")
    assert requests.get(state + "?lang=en", timeout=5).json()["headline"] == "Called: go to counter 3"
    shot = out / "phone-page-called-fr.png"
    chromium(f"--screenshot={shot}", f"{url}?lang=fr")
    assert shot.exists()
    page = chromium("--dump-dom", f"{url}?lang=fr").stdout
    assert "guichet 3" in page


def test_links_are_unguessable_rate_limited_and_carry_no_personal_data(phone) -> None:
    receiver, branch = phone
    ticket = branch.running.client("kiosk").issue_ticket("accounts")
    url = _link(receiver, ticket["id"])
    wait_for(lambda: requests.get(url + "/state.json", timeout=5).status_code == 200, what="projected")
    body = requests.get(url + "/state.json", timeout=5).json()
    assert set(body) == {"status", "number", "headline", "lines", "updated", "updated_ms", "live"}
    forged = url.rsplit("/", 1)[0] + "/AAAAAAAAAAAAAAAAAAAAAA"
    refused = requests.get(forged + "?lang=fr", timeout=5)
    assert refused.status_code == 404 and "Ce lien est inconnu ou a expiré." in refused.text
    other = url.replace(ticket["id"], "0" * len(ticket["id"]))
    assert requests.get(other, timeout=5).status_code == 404  # a real token only opens its own ticket
    receiver.phone_pages.limiter.rate = 0.1  # slow enough that a loaded machine's slow requests cannot refill it
    codes = [requests.get(url + "/state.json?lang=ar", timeout=5).status_code for _ in range(40)]
    assert 429 in codes
    limited = requests.get(url + "/state.json?lang=ar", timeout=5)
    assert limited.status_code == 429 and "error" in limited.json()


def test_a_waiting_room_behind_one_address_is_not_rate_limited(phone) -> None:
    """Review of issue 19: behind the TLS proxy that `public_host` documents (or a branch's guest Wi-Fi, a carrier's
    NAT), every phone has the same address. Thirty customers whose pages poll once a second must all be served."""
    receiver, branch = phone
    kiosk = branch.running.client("kiosk")
    urls = [_link(receiver, kiosk.issue_ticket("accounts")["id"]) + "/state.json" for _ in range(30)]
    wait_for(lambda: requests.get(urls[-1], timeout=5).status_code == 200, what="projected")
    codes = [requests.get(url, timeout=5).status_code for _ in range(2) for url in urls]  # two polls of each page
    assert codes.count(429) == 0, f"{codes.count(429)} of {len(codes)} polls refused"
    forged = urls[0].replace("/state.json", "").rsplit("/", 1)[0] + "/AAAAAAAAAAAAAAAAAAAAAA/state.json"
    refused = [requests.get(forged, timeout=5).status_code for _ in range(40)]
    assert 429 in refused  # trying tokens from one address is still limited


def test_a_ticket_id_from_a_branch_cannot_close_the_pages_script() -> None:
    """Review of issue 19: the state URL is the request path, which holds the ticket id a branch sent in its
    events; a hostile branch's `</script>` in it ran its own script on central's public origin."""
    from sync.central_store import TicketView
    from sync.phone_page import describe, render

    tid = "x</script><script>alert(1)</script>"
    view = TicketView(ORG, BRANCH, tid, "A-1", "accounts", "waiting", None, 0, 60, 1_795_500_000_000)
    page = render(describe(view, "en"), "en", f"/t/{ORG}/{BRANCH}/{tid}/tok/state.json?lang=en")
    script = page.split("<script>", 1)[1]
    assert "</script>" not in script.rsplit("</script>", 1)[0]  # only the element's own end tag
    assert "alert(1)" in script and "<script>alert" not in page


@pytest.mark.parametrize("language", ["fr", "en", "ar"])
def test_the_page_tells_the_branch_time_and_when_its_figures_may_be_old(language) -> None:
    """Review of issue 19: "Updated at" showed the ticket's last change, in UTC, and nothing when the branch was
    offline. It now shows when central last heard from the branch, on the branch's clock, and says when the branch
    is not connected."""
    from sync.central_store import TicketView
    from sync.phone_page import describe

    at = 1_795_500_000_000  # 2026-11-24 06:00 UTC, 07:00 in Casablanca (UTC+1)
    live = describe(TicketView(ORG, BRANCH, "t1", "A-1", "accounts", "waiting", None, 2, 600, at - 60_000, at,
                               "Africa/Casablanca", True), language)
    assert live["updated_ms"] == at and "UTC" not in live["updated"] and live["live"] is True
    fmt = Formatter(language)
    local = fmt.time(dt.datetime.fromtimestamp(at / 1000, ZoneInfo("Africa/Casablanca")), "medium")
    utc = fmt.time(dt.datetime.fromtimestamp(at / 1000, dt.UTC), "medium")
    assert local in live["updated"] and local != utc
    offline = describe(TicketView(ORG, BRANCH, "t1", "A-1", "accounts", "waiting", None, 2, 600, at, at, None,
                                  False), language)
    assert offline["live"] is False and offline["updated"].endswith("UTC")
    assert len(offline["lines"]) == len(live["lines"]) + 1  # the "not connected right now" line
