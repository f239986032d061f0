"""The customer's phone page: a small public page per ticket, served by central (aiohttp).

`GET /t/{organisation}/{branch}/{ticket}/{token}?lang=fr|en|ar` — the ticket's number, position, people ahead,
estimated wait, or "called: go to counter 3"; right to left in Arabic. The page polls `…/state.json` every second
and replaces its texts (already translated by the server), so it updates live without a reload.

No personal data: only what a ticket shows on the branch's display. Links are unguessable (`sync.phone_link`: an
HMAC token per ticket; a wrong token answers exactly like an unknown ticket). Each ticket's link is rate-limited,
and each client address for links that do not verify (token buckets): a 429 with a translated message. Store
reads run on worker threads, never on the event loop.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import html
import json
import logging
import threading
import time
from collections.abc import Callable
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from aiohttp import web

from ground.i18n import LANGUAGES, N_, Formatter, is_rtl, translate
from ground.phone_link import verify
from sync.central_store import SqlCentralStore, TicketView

log = logging.getLogger(__name__)

POLL_MS = 1000
TITLE = N_("Your ticket")
POSITION = N_("Position in the queue: {position}")
AHEAD = N_("People ahead of you: {count}")
WAIT = N_("Estimated wait: {duration}")
CALLED = N_("Called: go to counter {counter}")
SERVING = N_("Being served at counter {counter}")
SERVED = N_("Served. Thank you for your visit.")
PARKED = N_("Your ticket is on hold. Please wait to be called again.")
CLOSED = N_("This ticket is no longer in the queue.")
LIVE = N_("This page updates by itself.")
UPDATED = N_("Updated at {time}")
OUT_OF_TOUCH = N_("The branch is not connected right now: this may be out of date.")
UNKNOWN = N_("This link is unknown or has expired.")
TOO_MANY = N_("Too many requests. Please wait a moment.")


class RateLimiter:
    """A token bucket per client address: `rate` requests a second, bursts of `burst`."""

    def __init__(self, rate: float, burst: int, clock: Callable[[], float] = time.monotonic) -> None:
        self.rate, self.burst, self._clock = rate, burst, clock
        self._buckets: dict[str, tuple[float, float]] = {}

    def allow(self, client: str) -> bool:
        now = self._clock()
        tokens, last = self._buckets.get(client, (float(self.burst), now))
        tokens = min(self.burst, tokens + (now - last) * self.rate)
        if len(self._buckets) > 10_000:  # forget idle clients
            self._buckets = {k: v for k, v in self._buckets.items() if now - v[1] < 60}
        if tokens < 1:
            self._buckets[client] = (tokens, now)
            return False
        self._buckets[client] = (tokens - 1, now)
        return True


def describe(view: TicketView, language: str) -> dict[str, Any]:
    """The texts of the page for one state, in `language`."""
    fmt = Formatter(language)
    lines: list[str] = []
    headline = ""
    if view.status == "waiting":
        headline = translate(language, POSITION, position=fmt.number(view.people_ahead + 1))
        lines.append(translate(language, AHEAD, count=fmt.number(view.people_ahead)))
        if view.estimated_wait_s is not None:
            lines.append(translate(language, WAIT, duration=fmt.duration(max(60, view.estimated_wait_s))))
    elif view.status == "called":
        headline = translate(language, CALLED, counter=fmt.digits(view.counter or "?"))
    elif view.status == "serving":
        headline = translate(language, SERVING, counter=fmt.digits(view.counter or "?"))
    elif view.status == "served":
        headline = translate(language, SERVED)
    elif view.status == "parked":
        headline = translate(language, PARKED)
    else:
        headline = translate(language, CLOSED)
    if not view.branch_live:
        lines.append(translate(language, OUT_OF_TOUCH))
    heard_ms = view.heard_ms or view.updated_ms
    zone = _zone(view.timezone)
    heard = dt.datetime.fromtimestamp(heard_ms / 1000, zone or dt.UTC)
    # the branch's own clock when central knows its time zone (the customer is in the branch), else UTC, said so
    updated = translate(language, UPDATED, time=fmt.time(heard, "medium")) + ("" if zone else " UTC")
    return {"status": view.status, "number": fmt.digits(view.number), "headline": headline, "lines": lines,
            "updated": updated, "updated_ms": heard_ms, "live": view.branch_live}


def _zone(name: str | None) -> ZoneInfo | None:
    if not name:
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None


def render(texts: dict[str, Any], language: str, state_url: str) -> str:
    esc = html.escape
    direction = "rtl" if is_rtl(language) else "ltr"
    lines = "".join(f'<p class="line">{esc(line)}</p>' for line in texts["lines"])
    return f"""<!doctype html>
<html lang="{language}" dir="{direction}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><meta name="robots" content="noindex">
<title>{esc(translate(language, TITLE))} {esc(texts["number"])}</title>
<style>
body{{font-family:"Noto Sans","Noto Sans Arabic",sans-serif;margin:0;background:#f3f5f8;color:#17202a}}
main{{max-width:28rem;margin:0 auto;padding:1.5rem}}
.card{{background:#fff;border-radius:1rem;padding:1.5rem;box-shadow:0 2px 8px rgba(0,0,0,.08);text-align:center}}
.label{{font-size:1rem;color:#566573;margin:0}}
.number{{font-size:4rem;font-weight:700;margin:.25rem 0 1rem;color:#1f4e79}}
.headline{{font-size:1.5rem;font-weight:600;margin:.5rem 0}}
.called .headline{{color:#fff;background:#1e8449;border-radius:.75rem;padding:1rem}}
.line{{font-size:1.15rem;margin:.4rem 0}} footer{{font-size:.85rem;color:#808b96;margin-top:1rem;text-align:center}}
</style></head>
<body><main><div class="card {esc(texts["status"])}" id="card">
<p class="label">{esc(translate(language, TITLE))}</p>
<p class="number" id="number">{esc(texts["number"])}</p>
<p class="headline" id="headline">{esc(texts["headline"])}</p>
<div id="lines">{lines}</div></div>
<footer><p>{esc(translate(language, LIVE))}</p><p id="updated">{esc(texts["updated"])}</p></footer></main>
<script>
const stateUrl = {_script_string(state_url)};
async function refresh() {{
  try {{
    const r = await fetch(stateUrl, {{cache: "no-store"}});
    if (r.ok) {{
      const s = await r.json();
      document.getElementById("card").className = "card " + s.status;
      document.getElementById("headline").textContent = s.headline;
      const box = document.getElementById("lines");
      box.replaceChildren(...s.lines.map(t => {{ const p = document.createElement("p"); p.className = "line";
        p.textContent = t; return p; }}));
      document.getElementById("updated").textContent = s.updated;
      document.body.dataset.updatedMs = s.updated_ms;
    }}
  }} catch (e) {{}}
  setTimeout(refresh, {POLL_MS});
}}
setTimeout(refresh, {POLL_MS});
</script></body></html>
"""


def _script_string(value: str) -> str:
    """A JavaScript string literal safe inside <script>: the path carries the ticket id, which comes from a
    branch's events, and `</script>` in it closed the script element (Python's repr escapes no `<`)."""
    return json.dumps(value).replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _message_page(language: str, message: str, status: int) -> web.Response:
    direction = "rtl" if is_rtl(language) else "ltr"
    body = (f'<!doctype html><html lang="{language}" dir="{direction}"><head><meta charset="utf-8"><meta '
            f'name="viewport" content="width=device-width, initial-scale=1"></head><body style="font-family:'
            f'sans-serif;padding:2rem"><p>{html.escape(translate(language, message))}</p></body></html>')
    return web.Response(text=body, status=status, content_type="text/html")


class PhonePages:
    """The aiohttp app and its own thread (`sq-phone-pages`), started beside the receiver."""

    def __init__(self, open_store: Callable[[], SqlCentralStore], link_key: bytes, *, host: str, port: int,
                 rate: float = 5, burst: int = 20) -> None:
        self._open_store, self._key, self.host, self.port = open_store, link_key, host, port
        self.limiter = RateLimiter(rate, burst)  # per ticket link
        self.refusals = RateLimiter(rate, burst)  # per client address, for links that do not verify
        self._local = threading.local()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._runner: web.AppRunner | None = None
        self._thread: threading.Thread | None = None

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_get("/t/{org}/{branch}/{ticket}/{token}", self._page)
        app.router.add_get("/t/{org}/{branch}/{ticket}/{token}/state.json", self._state)
        return app

    def _store(self) -> SqlCentralStore:
        store = getattr(self._local, "store", None)
        if store is None:
            store = self._local.store = self._open_store()
        return store

    async def _view(self, request: web.Request) -> tuple[str, TicketView | None]:
        language = request.query.get("lang", "fr")
        language = language if language in LANGUAGES else "fr"
        info = request.match_info
        client = request.remote or "?"
        # A valid link is limited per ticket, not per address: the documented deployment (behind a TLS proxy) gives
        # every customer the proxy's address, and a branch's guest Wi-Fi or a mobile carrier's NAT gives a whole
        # waiting room one address; per address, six phones polling each second would already be refused.
        # Refused links are limited per address (someone trying tokens).
        if not verify(self._key, info["org"], info["branch"], info["ticket"], info["token"]):
            if not self.refusals.allow(client):
                log.info("phone page: rate limit for %s (unknown links)", client)
                raise _Refused(language, TOO_MANY, 429)
            raise _Refused(language, UNKNOWN, 404)
        if not self.limiter.allow(f"{info['org']}/{info['branch']}/{info['ticket']}"):
            log.info("phone page: rate limit for a ticket's page (%s)", client)
            raise _Refused(language, TOO_MANY, 429)
        loop = asyncio.get_running_loop()
        view = await loop.run_in_executor(None, lambda: self._store().ticket_view(info["org"], info["branch"],
                                                                                   info["ticket"]))
        if view is None:
            raise _Refused(language, UNKNOWN, 404)
        return language, view

    async def _page(self, request: web.Request) -> web.Response:
        try:
            language, view = await self._view(request)
        except _Refused as refused:
            return _message_page(refused.language, refused.message, refused.status)
        state_url = f"{request.path}/state.json?lang={language}"
        return web.Response(text=render(describe(view, language), language, state_url), content_type="text/html",
                            headers={"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"})

    async def _state(self, request: web.Request) -> web.Response:
        try:
            language, view = await self._view(request)
        except _Refused as refused:
            return web.json_response({"error": translate(refused.language, refused.message)}, status=refused.status)
        return web.json_response(describe(view, language), headers={"Cache-Control": "no-store"})

    # -- lifecycle ----------------------------------------------------------------------------------------------

    def start(self) -> None:
        ready = threading.Event()

        def run() -> None:
            self._loop = asyncio.new_event_loop()
            self._runner = web.AppRunner(self.app(), access_log=None)
            self._loop.run_until_complete(self._runner.setup())
            site = web.TCPSite(self._runner, self.host, self.port)
            self._loop.run_until_complete(site.start())
            self.port = self._runner.addresses[0][1]  # when 0 was asked
            ready.set()
            self._loop.run_forever()
            self._loop.run_until_complete(self._runner.cleanup())
            self._loop.close()

        self._thread = threading.Thread(target=run, name="sq-phone-pages", daemon=True)
        self._thread.start()
        ready.wait(10)
        log.info("phone pages on http://%s:%d/t/...", self.host, self.port)

    def stop(self) -> None:
        if self._loop is not None:
            self._loop.call_soon_threadsafe(self._loop.stop)
        if self._thread is not None:
            self._thread.join(10)


class _Refused(Exception):
    def __init__(self, language: str, message: str, status: int) -> None:
        super().__init__(message)
        self.language, self.message, self.status = language, message, status
