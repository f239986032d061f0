"""The board's view-model: everything QML shows, already worded and formatted for the current language.

QML only binds to these properties (and tells `mediaEnded()` and its size); it holds no logic. Language
alternation, the clock, the "new call" highlight, the calls' ageing and the media playlist are timed here, so they
are testable without a window.

Alternating languages changes words only: the layout's direction and the clock's format follow the board's first
language and never flip; sizes come from the screen and the viewing distance (display.legibility), not the text.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
from collections.abc import Sequence
from zoneinfo import ZoneInfo

from PySide6.QtCore import Property, QObject, QTimer, QUrl, Signal, Slot
from PySide6.QtGui import QFont, QFontMetricsF

from appkit.fonts import FAMILIES
from config.display import DisplayConfig
from display.board import BoardModel, Call, Service
from display.calling import CallingState, Selection, parse_time, select
from display.legibility import Sizes, sizes
from display.media import MediaPlaylist
from ground.i18n import N_, Formatter, is_rtl, name_in, ngettext, translate

log = logging.getLogger(__name__)

#: When the calls standing at counters need more rows than the list has, it shows them a page at a time for this
#: long each: with the list's 4 rows on the default board, 8 counters calling at once cycle in 8 s (one glance).
PAGE_SECONDS = 4.0


#: A counter id this short and alphanumeric is the number on its sign: the large calls show it as it is.
SHORT_ID = 4
#: The most lines a counter's name takes in the list (a 31-letter English name needs three in the list's column on
#: a 55" panel read from 10 m); a longer one is elided (the kiosk, the keypad and the ticket show it whole).
COUNTER_LINES = 3
FIT_MARGIN = 0.97  # the view-model measures with QFontMetricsF, QML lays out with its own shaper: keep 3 % spare


@functools.lru_cache(maxsize=512)
def _advance(text: str, px: int, bold: bool = False) -> float:
    """Width in pixels of `text` in the board's font (Noto Sans, then Noto Sans Arabic: a "Noto Sans" alone lets
    the system choose the Arabic font, and a different one than QML draws with)."""
    font = QFont()
    font.setFamilies(list(FAMILIES))
    font.setPixelSize(px)
    font.setBold(bold)
    return QFontMetricsF(font).horizontalAdvance(text)


def _wrap(text: str, px: int, width: float, bold: bool = False) -> list[str]:
    """Greedy word wrap of `text` at `px` into lines no wider than `width` (a word wider than that stays whole)."""
    lines: list[str] = []
    for word in text.split():
        if lines and _advance(f"{lines[-1]} {word}", px, bold) <= width:
            lines[-1] = f"{lines[-1]} {word}"
        else:
            lines.append(word)
    return lines or [text]


def _halves(text: str) -> list[str]:
    """`text` cut at the word boundary that makes its two lines most even (one line if it is one word)."""
    words = text.split()
    if len(words) < 2:
        return [text]
    cut = min(range(1, len(words)), key=lambda n: abs(len(" ".join(words[:n])) - len(" ".join(words[n:]))))
    return [" ".join(words[:cut]), " ".join(words[cut:])]


class DisplayViewModel(QObject):
    languageChanged = Signal()
    clockChanged = Signal()
    callsChanged = Signal()
    servicesChanged = Signal()
    staleChanged = Signal()
    highlightChanged = Signal()
    messageChanged = Signal()
    mediaChanged = Signal()
    mediaVolumeChanged = Signal()
    sizesChanged = Signal()
    numbersChanged = Signal()  # the board's calls were reloaded (not on a refit: the list's widths follow the numbers)
    callSerialChanged = Signal()  # only on a new call: the pop-in animation must not run on a language switch
    newCall = Signal(object)  # Call: for the animation, the announcer and the acks

    def __init__(self, config: DisplayConfig, board: BoardModel, languages: Sequence[str], *,
                 media: MediaPlaylist | None = None, clock=None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.config = config
        self.board = board
        self._languages = list(languages)
        self._language = self._languages[0]
        self._formatters: dict[str, Formatter] = {}
        self._clock = clock or (lambda: dt.datetime.now(dt.UTC))
        self._clock_text = self._date_text = ""
        self._stale = True  # until the first snapshot arrives
        self._highlight = False
        self._call_serial = 0
        self._message_texts: dict[str, str] = dict(config.message)
        self._pushed_message: tuple[dict[str, str], dt.datetime | None] | None = None
        self._media = media or MediaPlaylist([])
        self._ducked = False
        self._node_offset = dt.timedelta(0)  # node clock − our clock, from the last snapshot
        self._selection = Selection(CallingState.NONE, [], [])
        self._recent_space = 10_000  # until QML tells the list's height
        self._services_width = self._detail_width = 0  # the services' text widths, until QML tells (0: not fitted)
        self._counter_width = 0  # the list's width for a counter's name, until QML tells (0: not fitted)
        self._capacity = config.calling_max  # calls that fit large at the headline size (QML tells)
        self._sizes: Sizes = sizes(config.screen_inches, config.viewing_distance_m, *config.window_size)

        self._alternate = QTimer(self, interval=int(config.alternate_seconds * 1000))
        self._alternate.timeout.connect(self._next_language)
        self._tick = QTimer(self, interval=1000)
        self._tick.timeout.connect(self.tick)
        self._highlight_timer = QTimer(self, singleShot=True, interval=int(config.highlight_seconds * 1000))
        self._highlight_timer.timeout.connect(lambda: self._set_highlight(False))
        self._media_timer = QTimer(self, singleShot=True)
        self._media_timer.timeout.connect(self.mediaEnded)
        self._page = 0  # which page of the calls standing at counters is listed (when they need more than one)
        self._page_timer = QTimer(self, interval=int(PAGE_SECONDS * 1000))
        self._page_timer.timeout.connect(self.nextPage)
        self.tick()

    def start(self) -> None:
        """Start the timers (not in the constructor: tests drive them by hand)."""
        if len(self._languages) > 1:
            self._alternate.start()
        self._tick.start()
        self._page_timer.start()
        self._schedule_media()

    def stop(self) -> None:
        for timer in (self._alternate, self._tick, self._highlight_timer, self._media_timer, self._page_timer):
            timer.stop()

    # -- language ---------------------------------------------------------------------------------------------------

    def _fmt(self, language: str | None = None) -> Formatter:
        language = language or self._language
        if language not in self._formatters:
            self._formatters[language] = Formatter(language)
        return self._formatters[language]

    def set_language(self, language: str) -> None:
        if language == self._language:
            return
        self._language = language
        self.tick(force=True)
        self.languageChanged.emit()
        self.callsChanged.emit()
        self.servicesChanged.emit()
        self.messageChanged.emit()

    def _next_language(self) -> None:
        index = self._languages.index(self._language) if self._language in self._languages else -1
        self.set_language(self._languages[(index + 1) % len(self._languages)])

    def _primary_fmt(self) -> Formatter:
        if "" not in self._formatters:
            self._formatters[""] = Formatter(self._languages[0])
        return self._formatters[""]

    def _get_language(self) -> str:
        return self._language

    def _get_rtl(self) -> bool:
        return is_rtl(self._language)

    def _get_branch_name(self) -> str:
        return name_in(self.board.branch_names, self._language)

    language = Property(str, _get_language, notify=languageChanged)
    rtl = Property(bool, _get_rtl, notify=languageChanged)
    layoutRtl = Property(bool, lambda self: is_rtl(self._languages[0]), constant=True)
    branchName = Property(str, _get_branch_name, notify=languageChanged)
    layout = Property(str, lambda self: self.config.layout, constant=True)
    showServices = Property(bool, lambda self: self.config.show_services, constant=True)
    messageSpeed = Property(float, lambda self: self.config.message_speed, constant=True)

    # -- clock ------------------------------------------------------------------------------------------------------

    @Slot()
    def tick(self, force: bool = False) -> None:
        """Once a second: the clock (in the branch's time zone and language), and the pushed message's expiry."""
        now = self._clock()
        local = now.astimezone(ZoneInfo(self.board.timezone))
        # the clock keeps one format whatever the language shown (24 h, the first language's digits)
        clock = self._primary_fmt().digits(local.strftime("%H:%M"))
        date = self._fmt().date(local.date(), "long")
        if force or (clock, date) != (self._clock_text, self._date_text):
            self._clock_text, self._date_text = clock, date
            self.clockChanged.emit()
        if self._pushed_message is not None and self._pushed_message[1] is not None \
                and now >= self._pushed_message[1]:
            self._pushed_message = None
            self.messageChanged.emit()
        self._reselect()

    clockText = Property(str, lambda self: self._clock_text, notify=clockChanged)
    dateText = Property(str, lambda self: self._date_text, notify=clockChanged)

    # -- connection -------------------------------------------------------------------------------------------------

    def set_stale(self, stale: bool) -> None:
        if stale != self._stale:
            self._stale = stale
            self.staleChanged.emit()
            self.highlightChanged.emit()
            self._reselect()

    def set_node_time(self, node_now: str) -> None:
        """The node's clock from a snapshot: calls are aged by the node's time, whatever this screen's clock says."""
        when = parse_time(node_now)
        if when is not None:
            self._node_offset = when - self._clock()
            self._reselect()

    # -- sizes ------------------------------------------------------------------------------------------------------

    @Slot(int, int)
    def setViewport(self, width: int, height: int) -> None:
        """QML tells the window's size; text sizes follow the screen's diagonal and the viewing distance."""
        new = sizes(self.config.screen_inches, self.config.viewing_distance_m, width, height)
        if new != self._sizes:
            self._sizes = new
            self.sizesChanged.emit()
            self.callsChanged.emit()
            self.servicesChanged.emit()

    def _number_em(self) -> float:
        """Width of the widest ticket number on the board, in em of bold text (the list's number column)."""
        return max(_advance(n, 100, bold=True) for n in [c.number for c in self.board.calls] + ["A-000"]) / 100

    def _call_width_em(self) -> float:
        """Width of the widest call row (number, gap, counter) in em, in every language of the board: its size does
        not change when the words alternate."""
        counters = [self.counter_code(c, language) for c in self.board.counters for language in self._languages]
        widest = max((_advance(c, 100, bold=True) for c in counters), default=_advance("00", 100, bold=True))
        return self._number_em() + widest / 100 + 1.2  # the arrow between them and the row's inner margins

    @Slot(int)
    def setCallingCapacity(self, capacity: int) -> None:
        """How many calls the large area holds at the headline size (from its height); the rest are listed."""
        capacity = max(1, capacity)
        if capacity != self._capacity:
            self._capacity = capacity
            self._reselect()

    sizesMap = Property("QVariantMap", lambda self: self._sizes.as_map(), notify=sizesChanged)
    callWidthEm = Property(float, _call_width_em, notify=callsChanged)
    numberEm = Property(float, _number_em, notify=numbersChanged)
    stale = Property(bool, lambda self: self._stale, notify=staleChanged)

    # -- calls ------------------------------------------------------------------------------------------------------

    def calls_updated(self, new_call: Call | None = None) -> None:
        """The board's calls changed; a new call also restarts the highlight and is announced by listeners."""
        if new_call is not None:
            self._call_serial += 1
            self._set_highlight(True)
            self._highlight_timer.start()
        self._selection = self._select()
        self.numbersChanged.emit()
        self.callsChanged.emit()
        if new_call is not None:
            self.callSerialChanged.emit()
            self.newCall.emit(new_call)

    def _select(self) -> Selection:
        return select(self.board, self._clock() + self._node_offset, calling_seconds=self.config.calling_seconds,
                      calling_max=min(self.config.calling_max, self._capacity), recent_limit=self.board.recent_limit,
                      stale=self._stale)

    def _reselect(self) -> None:
        """Calls age out of the large area as time passes (checked every tick), and the state follows the link."""
        fresh = self._select()
        if fresh.signature != self._selection.signature:
            self._selection = fresh
            self.callsChanged.emit()

    def _set_highlight(self, value: bool) -> None:
        if value != self._highlight:
            self._highlight = value
            self.highlightChanged.emit()

    def counter_label(self, counter_id: str, language: str | None = None) -> str:
        """The counter's configured name in `language` (the one shown by default)."""
        language = language or self._language
        counter = self.board.counters.get(counter_id)
        default = translate(language, "Counter {number}", number=counter_id)
        return name_in(counter.names, language, default) if counter else default

    def counter_code(self, counter_id: str, language: str | None = None) -> str:
        """What the large calls print under the "Counter" heading: a short id ("1", "12", "B2": the number on the
        counter's sign) as it is, the same in every language; an identifier ("guichet-ouest") is not for people,
        so the counter's configured name instead."""
        if len(counter_id) <= SHORT_ID and counter_id.isalnum():
            return counter_id
        return self.counter_label(counter_id, language)

    def _call_view(self, call: Call, *, newest: bool = False, serving: bool = False) -> dict[str, object]:
        service = next((s for s in self.board.services if s.id == call.service), None)
        status = N_("At the counters") if serving else N_("Done")
        return {"number": call.number, "counter": self.counter_code(call.counter),
                "counterName": self.counter_label(call.counter),
                "service": name_in(service.names, self._language) if service else "", "recalled": call.recalls > 0,
                "newest": newest, "serving": serving, "status": translate(self._language, status)}

    def _calling_rows(self) -> list[dict[str, object]]:
        calls = self._selection.calling
        newest = self._selection.state == CallingState.CALLING
        return [self._call_view(c, newest=newest and i == 0, serving=True) for i, c in enumerate(calls)]

    def _calling_title(self) -> str:
        titles = {CallingState.CALLING: N_("Now calling"), CallingState.LAST: N_("Last call"),
                  CallingState.NONE: N_("Welcome"),
                  CallingState.STALE: N_("Not up to date: reconnecting…")}
        return translate(self._language, titles[self._selection.state])

    def _now(self) -> dict[str, object]:
        rows = self._calling_rows()
        return rows[0] if rows else {}

    hasCall = Property(bool, lambda self: bool(self._selection.calling), notify=callsChanged)
    callingState = Property(str, lambda self: str(self._selection.state), notify=callsChanged)
    callingTitle = Property(str, _calling_title, notify=callsChanged)
    callingRows = Property("QVariantList", _calling_rows, notify=callsChanged)
    nowNumber = Property(str, lambda self: self._now().get("number", ""), notify=callsChanged)
    nowCounter = Property(str, lambda self: self._now().get("counter", ""), notify=callsChanged)
    nowService = Property(str, lambda self: self._now().get("service", ""), notify=callsChanged)
    callSerial = Property(int, lambda self: self._call_serial, notify=callSerialChanged)
    highlight = Property(bool, lambda self: self._highlight and not self._stale, notify=highlightChanged)
    recentCalls = Property("QVariantList", lambda self: [self._call_view(c, serving=serving)
                                                         for c, serving in self._selection.recent],
                           notify=callsChanged)

    @Slot(int)
    def setRecentSpace(self, height: int) -> None:
        """The list's height in pixels (QML tells): the rows that fit are chosen here, the same in every language."""
        if height != self._recent_space:
            self._recent_space = height
            self.callsChanged.emit()

    @Slot(int)
    def setCounterWidth(self, width: int) -> None:
        """The width the list gives a counter's name, beside the ticket number (QML tells): names are fitted here."""
        if width != self._counter_width:
            self._counter_width = width
            self.callsChanged.emit()

    def _fit_counter(self, counter_id: str, language: str, lines: int = 1) -> tuple[int, list[str]]:
        """A counter's name in the list's width, fitted as a service's name is (bold; up to COUNTER_LINES lines, as
        a name read in a narrow column may need; a name that fits on one line stays on one even in a taller row:
        "Guichet 6" is not cut in two)."""
        return self._fit_name(self.counter_label(counter_id, language), self._counter_width, bold=True, lines=lines,
                              most=COUNTER_LINES, halve=False)

    def _counter_lines(self, counter_id: str) -> int:
        """The lines the counter's name needs in the language of the board that needs the most: its rows are that
        high in every language (the rows must not move when the words alternate)."""
        return max(len(self._fit_counter(counter_id, lang)[1]) for lang in {*self._languages, self._language})

    def _row_view(self, call: Call, serving: bool) -> dict[str, object]:
        """A call as a row of the list: its counter's name fitted on its lines, and the row's height."""
        lines = self._counter_lines(call.counter)
        px, fitted = self._fit_counter(call.counter, self._language, lines)
        return {**self._call_view(call, serving=serving), "heading": "", "counterLines": fitted, "counterPx": px,
                "height": self._sizes.row_px * lines}

    def _gap_after(self, row: dict[str, object]) -> int:
        """A call row's height in the list with the gap after it."""
        return int(row["height"]) + self._sizes.margin_px

    def _standing_pages(self) -> tuple[list[list[dict[str, object]]], int]:
        """The calls standing at counters cut into pages of the rows that fit under their heading, and the height
        left under the last page (for the calls done). Every standing call is on some page: none is dropped."""
        left = self._recent_space + self._sizes.margin_px
        heading_h = self.heading_px + self._sizes.margin_px
        calls = [self._row_view(c, serving=True) for c, at_counter in self._selection.recent if at_counter]
        if not calls:
            return [], left
        pages: list[list[dict[str, object]]] = [[]]
        used = heading_h
        for call in calls:
            if pages[-1] and used + self._gap_after(call) > left:
                pages.append([])
                used = heading_h
            pages[-1].append(call)
            used += self._gap_after(call)
        return pages, (left - used if len(pages) == 1 else 0)

    def _recent_rows(self) -> list[dict[str, object]]:
        """The rows of the list: a heading and the calls still at a counter (a page of them when they do not all
        fit, turning every PAGE_SECONDS), then a heading and the calls done, as many as the room left allows.

        A heading is shown only with at least one of its calls under it; heights come from `sizes`, not the text.
        """
        rows: list[dict[str, object]] = []
        pages, left = self._standing_pages()
        if pages:
            page = self._page % len(pages)
            count = f"{self._fmt().number(page + 1)} / {self._fmt().number(len(pages))}" if len(pages) > 1 else ""
            rows.append({"heading": translate(self._language, N_("At the counters")), "serving": True,
                         "page": count})
            rows += pages[page]
        left -= self.heading_px + self._sizes.margin_px
        done = []
        for call in (self._row_view(c, serving=False) for c, at_counter in self._selection.recent if not at_counter):
            if self._gap_after(call) > left:
                break  # the newest first: an older call that would fit is not shown in a newer one's place
            done.append(call)
            left -= self._gap_after(call)
        if done:
            rows.append({"heading": translate(self._language, N_("Done")), "serving": False, "page": ""})
            rows += done
        # a rule between two calls: a name on several lines must not read as one with the next row's
        return [{**row, "rule": i > 0 and not row["heading"] and not rows[i - 1]["heading"]}
                for i, row in enumerate(rows)]

    def _recent_need(self) -> int:
        """Pixels the list needs to show every call standing at a counter on one page (the services panel gives
        way to them: a called customer must find their number before anyone reads the waiting times)."""
        rows = [self._row_view(c, serving=True) for c, at_counter in self._selection.recent if at_counter]
        if not rows:
            return 0
        return self.heading_px + sum(self._gap_after(row) for row in rows)

    @Slot()
    def nextPage(self) -> None:
        """Show the next page of the calls standing at counters (the page timer; tests call it directly)."""
        if len(self._standing_pages()[0]) > 1:
            self._page += 1
            self.callsChanged.emit()

    @property
    def heading_px(self) -> int:
        return round(self._sizes.small_px * 1.5)

    recentRows = Property("QVariantList", _recent_rows, notify=callsChanged)
    recentPages = Property(int, lambda self: max(1, len(self._standing_pages()[0])), notify=callsChanged)
    recentNeed = Property(int, _recent_need, notify=callsChanged)
    headingHeight = Property(int, lambda self: self.heading_px, notify=sizesChanged)

    # -- services ---------------------------------------------------------------------------------------------------

    def services_updated(self) -> None:
        self.servicesChanged.emit()

    @Slot(int, int)
    def setServicesWidth(self, name_width: int, detail_width: int) -> None:
        """The widths the services panel gives a name (beside its prefix) and a waiting line (QML tells): the
        lines are fitted here."""
        if (name_width, detail_width) != (self._services_width, self._detail_width):
            self._services_width, self._detail_width = name_width, detail_width
            self.servicesChanged.emit()

    def _fit_name(self, text: str, width: float, *, bold: bool = False, lines: int = 1, most: int = 2,
                  halve: bool = True) -> tuple[int, list[str]]:
        """A name (a service's, a counter's) in `width` at the secondary size: shrunk towards the floor
        (display.legibility), else wrapped on up to `most` lines; a name that needs more at the floor has its last
        line elided by QML (the kiosk and the ticket show it whole). `lines`: the row's height in lines (the most
        any language of the board needs: the rows must not move when the words alternate), so wrapping at a larger
        size beats one shrunk line, and with `halve` a name that fits on one line is split in two evenly too.
        Returns the font size and the lines."""
        size, floor = self._sizes.secondary_px, self._sizes.floor_px
        width *= FIT_MARGIN
        whole = _advance(text, size, bold)
        if width <= 0 or (whole <= width and not (lines > 1 and halve)):
            return size, [text]
        shrunk = int(size * width / whole)
        if shrunk >= floor and lines == 1:
            return shrunk, [text]
        # a row of one line takes the fewest lines the name fits on (then the largest size); a taller row its own
        for count in range(2, most + 1) if lines == 1 else (lines,):
            for px in range(size, floor - 1, -1):
                wrapped = _wrap(text, px, width, bold)
                if len(wrapped) == 1 and lines > 1 and halve:
                    wrapped = _halves(text)
                if len(wrapped) <= count and all(_advance(line, px, bold) <= width for line in wrapped):
                    return px, wrapped
        wrapped = _wrap(text, floor, width, bold)
        return floor, [*wrapped[:most - 1], " ".join(wrapped[most - 1:])] if len(wrapped) > most else wrapped

    def _waits(self, service: Service, lang: str) -> tuple[str, str]:
        """Who waits ("7 waiting") and for how long ("≈ 14 min", "no counter open") in `lang`."""
        fmt = self._fmt(lang)
        if not service.open_now:
            estimate = translate(lang, N_("Closed"))
        elif service.open_counters == 0:
            estimate = translate(lang, "No counter open")
        elif service.waiting == 0:
            estimate = translate(lang, "No wait")
        elif service.estimated_wait_s is None:
            estimate = "—"
        else:
            # "≈ 14 min": the board's line must fit at the legible size; the sign says it is an estimate
            estimate = "≈ " + fmt.duration(service.estimated_wait_s, length="short")
        waiting = ngettext(lang, "{count} waiting", "{count} waiting", service.waiting).format(
            count=fmt.number(service.waiting))
        return waiting, estimate

    def _split_waits(self, service: Service) -> bool:
        """Does a waiting line go on two lines (who waits, then for how long)? If it is too long in any language of
        the board: in all of them, so the rows do not move when the words alternate."""
        if not self._detail_width:
            return False
        limit = self._detail_width * FIT_MARGIN
        return any(_advance(" · ".join(self._waits(service, lang)), self._sizes.floor_px) > limit
                   for lang in {*self._languages, self._language})

    def _two_line_name(self, service: Service) -> bool:
        """Does the service's name need two lines in any language of the board (then it takes two in all)?"""
        return any(len(self._fit_name(name_in(service.names, lang), self._services_width)[1]) > 1
                   for lang in {*self._languages, self._language})

    def _service_views(self) -> list[dict[str, object]]:
        fmt, lang = self._fmt(), self._language
        out = []
        for service in self.board.services:
            closed = not service.open_now or service.open_counters == 0
            waiting, estimate = self._waits(service, lang)
            name_px, name_lines = self._fit_name(name_in(service.names, lang), self._services_width,
                                                 lines=2 if self._two_line_name(service) else 1)
            detail = f"{waiting} · {estimate}"
            detail_lines = [waiting, estimate] if self._split_waits(service) else [detail]
            out.append({"id": service.id, "prefix": service.prefix, "name": name_in(service.names, lang),
                        "nameLines": name_lines, "namePx": name_px, "detailLines": detail_lines,
                        "waiting": service.waiting, "waitingText": waiting, "estimateText": estimate,
                        "count": fmt.number(service.waiting), "detail": detail, "open": not closed})
        return out

    services = Property("QVariantList", _service_views, notify=servicesChanged)

    # -- message line -----------------------------------------------------------------------------------------------

    def push_message(self, texts: dict[str, str], until: dt.datetime | None = None) -> None:
        """A message from central (ephemeral `DisplayMessage`); empty texts go back to the configured line."""
        self._pushed_message = (dict(texts), until) if texts else None
        self.messageChanged.emit()

    def _message(self) -> str:
        texts = self._pushed_message[0] if self._pushed_message else self._message_texts
        return name_in(texts, self._language) if texts else ""

    messageText = Property(str, _message, notify=messageChanged)

    # -- media ------------------------------------------------------------------------------------------------------

    def _schedule_media(self) -> None:
        entry = self._media.current
        self._media_timer.stop()
        if entry is not None and entry.kind == "image" and len(self._media.entries) > 1:
            self._media_timer.start(int(entry.seconds * 1000))

    @Slot()
    def mediaEnded(self) -> None:
        """QML says a video ended (or failed); the image timer says an image's time is up."""
        self._media.advance()
        self.mediaChanged.emit()
        self._schedule_media()

    def set_ducked(self, ducked: bool) -> None:
        if ducked != self._ducked:
            self._ducked = ducked
            self.mediaVolumeChanged.emit()

    def _media_source(self) -> str:
        entry = self._media.current
        return QUrl.fromLocalFile(str(entry.path)).toString() if entry else ""

    hasMedia = Property(bool, lambda self: bool(self._media), constant=True)
    mediaSource = Property(str, _media_source, notify=mediaChanged)
    mediaKind = Property(str, lambda self: self._media.current.kind if self._media.current else "",
                         notify=mediaChanged)
    mediaVolume = Property(float, lambda self: self.config.duck_volume if self._ducked else self.config.media_volume,
                           notify=mediaVolumeChanged)
    ducked = Property(bool, lambda self: self._ducked, notify=mediaVolumeChanged)
