"""The board's view-model: everything QML shows, already worded and formatted for the current language.

QML only binds to these properties (and tells `mediaEnded()`); it holds no logic. Language alternation, the
clock, the "new call" highlight and the media playlist are timed here, so they are testable without a window.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence
from zoneinfo import ZoneInfo

from PySide6.QtCore import Property, QObject, QTimer, QUrl, Signal, Slot

from config.display import DisplayConfig
from display.board import BoardModel, Call
from display.media import MediaPlaylist
from ground.i18n import Formatter, is_rtl, ngettext, translate

log = logging.getLogger(__name__)


def _pick(names: dict[str, str], language: str, fallback: str = "") -> str:
    """A text in the wanted language, else in any language there is (the branch may not translate everything)."""
    return names.get(language) or next(iter(names.values()), fallback)


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

        self._alternate = QTimer(self, interval=int(config.alternate_seconds * 1000))
        self._alternate.timeout.connect(self._next_language)
        self._tick = QTimer(self, interval=1000)
        self._tick.timeout.connect(self.tick)
        self._highlight_timer = QTimer(self, singleShot=True, interval=int(config.highlight_seconds * 1000))
        self._highlight_timer.timeout.connect(lambda: self._set_highlight(False))
        self._media_timer = QTimer(self, singleShot=True)
        self._media_timer.timeout.connect(self.mediaEnded)
        self.tick()

    def start(self) -> None:
        """Start the timers (not in the constructor: tests drive them by hand)."""
        if len(self._languages) > 1:
            self._alternate.start()
        self._tick.start()
        self._schedule_media()

    def stop(self) -> None:
        for timer in (self._alternate, self._tick, self._highlight_timer, self._media_timer):
            timer.stop()

    # -- language ---------------------------------------------------------------------------------------------------

    def _fmt(self) -> Formatter:
        if self._language not in self._formatters:
            self._formatters[self._language] = Formatter(self._language)
        return self._formatters[self._language]

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

    def _get_language(self) -> str:
        return self._language

    def _get_rtl(self) -> bool:
        return is_rtl(self._language)

    def _get_branch_name(self) -> str:
        return _pick(self.board.branch_names, self._language)

    language = Property(str, _get_language, notify=languageChanged)
    rtl = Property(bool, _get_rtl, notify=languageChanged)
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
        clock, date = self._fmt().time(local), self._fmt().date(local.date())
        if force or (clock, date) != (self._clock_text, self._date_text):
            self._clock_text, self._date_text = clock, date
            self.clockChanged.emit()
        if self._pushed_message is not None and self._pushed_message[1] is not None \
                and now >= self._pushed_message[1]:
            self._pushed_message = None
            self.messageChanged.emit()

    clockText = Property(str, lambda self: self._clock_text, notify=clockChanged)
    dateText = Property(str, lambda self: self._date_text, notify=clockChanged)

    # -- connection -------------------------------------------------------------------------------------------------

    def set_stale(self, stale: bool) -> None:
        if stale != self._stale:
            self._stale = stale
            self.staleChanged.emit()

    stale = Property(bool, lambda self: self._stale, notify=staleChanged)

    # -- calls ------------------------------------------------------------------------------------------------------

    def calls_updated(self, new_call: Call | None = None) -> None:
        """The board's calls changed; a new call also restarts the highlight and is announced by listeners."""
        if new_call is not None:
            self._call_serial += 1
            self._set_highlight(True)
            self._highlight_timer.start()
        self.callsChanged.emit()
        if new_call is not None:
            self.newCall.emit(new_call)

    def _set_highlight(self, value: bool) -> None:
        if value != self._highlight:
            self._highlight = value
            self.highlightChanged.emit()

    def counter_label(self, counter_id: str) -> str:
        counter = self.board.counters.get(counter_id)
        default = translate(self._language, "Counter {number}", number=counter_id)
        return _pick(counter.names, self._language, default) if counter else default

    def _call_view(self, call: Call) -> dict[str, object]:
        service = next((s for s in self.board.services if s.id == call.service), None)
        return {"number": call.number, "counter": self.counter_label(call.counter),
                "service": _pick(service.names, self._language) if service else "", "recalled": call.recalls > 0}

    def _now(self) -> dict[str, object]:
        return self._call_view(self.board.calls[0]) if self.board.calls else {}

    hasCall = Property(bool, lambda self: bool(self.board.calls), notify=callsChanged)
    nowNumber = Property(str, lambda self: self._now().get("number", ""), notify=callsChanged)
    nowCounter = Property(str, lambda self: self._now().get("counter", ""), notify=callsChanged)
    nowService = Property(str, lambda self: self._now().get("service", ""), notify=callsChanged)
    callSerial = Property(int, lambda self: self._call_serial, notify=callsChanged)
    highlight = Property(bool, lambda self: self._highlight, notify=highlightChanged)
    recentCalls = Property("QVariantList", lambda self: [self._call_view(c) for c in self.board.calls[1:]],
                           notify=callsChanged)

    # -- services ---------------------------------------------------------------------------------------------------

    def services_updated(self) -> None:
        self.servicesChanged.emit()

    def _service_views(self) -> list[dict[str, object]]:
        fmt, lang = self._fmt(), self._language
        out = []
        for service in self.board.services:
            if service.waiting == 0:
                estimate = translate(lang, "No wait")
            elif service.estimated_wait_s is None:
                estimate = translate(lang, "No counter open")
            else:
                estimate = translate(lang, "about {duration}", duration=fmt.duration(service.estimated_wait_s))
            waiting = ngettext(lang, "{count} waiting", "{count} waiting", service.waiting).format(
                count=fmt.number(service.waiting))
            out.append({"id": service.id, "prefix": service.prefix, "name": _pick(service.names, lang),
                        "waiting": service.waiting, "waitingText": waiting, "estimateText": estimate,
                        "detail": f"{waiting} · {estimate}", "open": service.open_now})
        return out

    services = Property("QVariantList", _service_views, notify=servicesChanged)

    # -- message line -----------------------------------------------------------------------------------------------

    def push_message(self, texts: dict[str, str], until: dt.datetime | None = None) -> None:
        """A message from central (ephemeral `DisplayMessage`); empty texts go back to the configured line."""
        self._pushed_message = (dict(texts), until) if texts else None
        self.messageChanged.emit()

    def _message(self) -> str:
        texts = self._pushed_message[0] if self._pushed_message else self._message_texts
        return _pick(texts, self._language) if texts else ""

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
