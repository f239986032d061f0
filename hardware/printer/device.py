"""The ticket printer device: real-time status, printing with status before and after, the near-end count.

Blocking by design (the apps call it on worker threads) but bounded: each status reply is awaited for
``status_timeout_s`` (0.5 s), the first unanswered query ends the reading as OFFLINE, and writes time out in the
transport. One lock serialises the wire; a status call that finds a ticket being written returns the last reading
instead of waiting behind it.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from types import TracebackType
from typing import Self

from config.printer import PrinterConfig
from hardware.errors import HardwareError, ProtocolError, TransportError
from hardware.printer.layout import TicketComposer
from hardware.printer.profiles import PrinterProfile, get_profile
from hardware.printer.roll import JsonCounterStore, RollCounter
from hardware.printer.status import (
    OPERATIONAL,
    PrinterState,
    PrinterStatus,
    StatusQuery,
    check_reply,
    decode,
)
from hardware.printer.ticket import TicketPrint
from hardware.transport import Transport


@dataclass(frozen=True)
class PrintOutcome:
    """What happened to one ticket."""

    #: The job was sent and the printer was still fit to print after it (its paper, cover and answers).
    printed: bool
    status_before: PrinterStatus
    status_after: PrinterStatus
    bytes_written: int
    #: Seconds from the call to the last byte handed to the transport (layout, raster, encode, write).
    written_s: float
    #: Seconds for the whole call, including the status reading after the write.
    duration_s: float
    error: str | None = None


class PrinterDevice:
    """One configured thermal printer behind a transport. Owns neither the app loop nor threads."""

    def __init__(
        self,
        config: PrinterConfig,
        transport: Transport,
        *,
        composer: TicketComposer | None = None,
        counter: RollCounter | None = None,
    ) -> None:
        self.config = config
        self.profile: PrinterProfile = get_profile(config.model, config.paper_width_mm)
        self.transport = transport
        self.composer = composer or TicketComposer.for_config(config)
        self.counter = counter or RollCounter(
            config.paper.roll_length_m * 1000,
            config.paper.near_end_remaining_m * 1000,
            JsonCounterStore(config.paper.counter_file) if config.paper.counter_file else None,
        )
        # Tickets left are known from the first status on: the roll's length over a typical ticket's, until
        # printed tickets are measured.
        self.counter.assume_ticket_length(self.composer.typical_length_mm())
        self._reports_status = (
            self.profile.realtime_status if config.realtime_status is None else config.realtime_status
        )
        self._lock = threading.Lock()
        self._last = PrinterStatus(PrinterState.UNKNOWN, "not read yet")

    def open(self) -> None:
        self.transport.open()

    def close(self) -> None:
        self.transport.close()

    def __enter__(self) -> Self:
        self.open()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    @property
    def last_status(self) -> PrinterStatus:
        return self._last

    def status(self) -> PrinterStatus:
        """Read the printer's real-time status now (at most ~0.5 s when it does not answer)."""
        if not self._lock.acquire(timeout=self.config.status_timeout_s):
            return self._last
        try:
            return self._read_status()
        finally:
            self._lock.release()

    def print_ticket(self, ticket: TicketPrint) -> PrintOutcome:
        """Lay out and print one ticket if the printer is fit to print; never raises for device faults.

        Raises ``LayoutError`` for a ticket that cannot be laid out for this model (a configuration bug).
        """
        started = time.monotonic()
        with self._lock:
            before = self._read_status()
            if not self._may_print(before):
                return PrintOutcome(False, before, before, 0, 0.0, time.monotonic() - started, before.detail)
            rendered = self.composer.build(ticket)
            try:
                self.transport.write(rendered.data)
            except TransportError as err:
                written = time.monotonic() - started
                after = self._remember(PrinterStatus(PrinterState.OFFLINE, f"write failed: {err}"))
                return PrintOutcome(False, before, after, 0, written, time.monotonic() - started, str(err))
            written = time.monotonic() - started
            self.counter.record(rendered.length_mm)
            # The status query queues behind the ticket on a slow link: 7.8 KB take 2 s at 38400 baud.
            after = self._read_status(settle_s=self.transport.wire_seconds(len(rendered.data)))
        # Bytes handed to the link are not paper in the customer's hand: a printer that ran out of paper, had its
        # cover opened or stopped answering during the job has (at best) part of the ticket. Say so; the screen
        # keeps the number and the QR code.
        printed = self._may_print(after)
        error = None if printed else (after.detail or after.state.value)
        return PrintOutcome(printed, before, after, len(rendered.data), written, time.monotonic() - started, error)

    def _may_print(self, status: PrinterStatus) -> bool:
        # A model that never answers reads UNKNOWN; printing blind is its only mode.
        return status.state in OPERATIONAL or (status.state is PrinterState.UNKNOWN and not self._reports_status)

    def _read_status(self, settle_s: float = 0.0) -> PrinterStatus:
        """DLE EOT 1, 2, (3), 4; the first reply may also wait ``settle_s`` for bytes still on the wire."""
        started = time.monotonic()
        if not self._reports_status:
            return self._remember(PrinterStatus(PrinterState.UNKNOWN, "this printer does not report status"))
        replies: dict[StatusQuery, int] = {}
        try:
            replies[StatusQuery.PRINTER] = self._query(StatusQuery.PRINTER, settle_s)
            replies[StatusQuery.OFFLINE_CAUSE] = self._query(StatusQuery.OFFLINE_CAUSE)
            if replies[StatusQuery.OFFLINE_CAUSE] & 0x40:
                replies[StatusQuery.ERROR_CAUSE] = self._query(StatusQuery.ERROR_CAUSE)
            replies[StatusQuery.PAPER] = self._query(StatusQuery.PAPER)
        except _NoAnswer as err:
            state, detail = PrinterState.OFFLINE, str(err)
        except ProtocolError as err:
            state, detail = PrinterState.UNKNOWN, str(err)
        except HardwareError as err:
            state, detail = PrinterState.OFFLINE, str(err)
        else:
            flags = decode(replies)
            state, detail = flags.state(), ""
            self.counter.observe(state)
            return self._remember(
                PrinterStatus(state, detail, flags, self.counter.tickets_left(), time.monotonic() - started)
            )
        return self._remember(
            PrinterStatus(state, detail, decode(replies), self.counter.tickets_left(), time.monotonic() - started)
        )

    def _query(self, query: StatusQuery, settle_s: float = 0.0) -> int:
        """DLE EOT n, then one reply byte within the status timeout. Stale bytes (a late reply) are dropped first."""
        self.transport.reset_input()
        self.transport.write(query.command)
        timeout = self.config.status_timeout_s + settle_s
        reply = self.transport.read(1, timeout)
        if not reply:
            raise _NoAnswer(f"no reply to DLE EOT {query.value} within {timeout:.1f} s")
        return check_reply(reply[0])

    def _remember(self, status: PrinterStatus) -> PrinterStatus:
        self._last = status
        return status


class _NoAnswer(HardwareError):
    """The printer did not reply in time: it is offline, whatever its paper says."""
