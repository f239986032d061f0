"""Findings of the issue-17 review on serial framing (fixed in hardware/scanner/framing.py):

- A code whose bytes pause longer than `gap_ms` (60 ms) in the middle is cut in two even though the scanner sends a
  suffix: with the default terminator "any" the gap always frames. Bluetooth SPP scanners and USB-serial bridges
  deliver bursts with such pauses; the customer sees two refusals. Suggested fix: once a suffix has ended a code on
  this port, frame by suffix only.
- STX/ETX framing (a common scanner option) is not recognised: ETX does not end a code and both control characters
  stay in it, so the code is refused as "control characters".
"""

from __future__ import annotations

from hardware.scanner.framing import LineFramer

ANY = [b"\r\n", b"\r", b"\n", b"\t"]
CODE = b"SQT1:BR042:T-1:EXQOKT5GP3UFIDNP"


def test_a_suffixed_code_with_a_pause_inside_stays_whole() -> None:
    framer = LineFramer(ANY, max_length=512, gap_s=0.06)
    out = framer.feed(CODE + b"\r", now=1.0)  # this scanner sends CR: seen once
    out += framer.feed(CODE[:10], now=2.0)
    out += framer.idle(2.08)  # a Bluetooth burst boundary, 80 ms
    out += framer.feed(CODE[10:] + b"\r", now=2.09)
    assert out == [CODE, CODE]


def test_stx_etx_framed_code() -> None:
    framer = LineFramer(ANY, max_length=512, gap_s=0.06)
    out = framer.feed(b"\x02" + CODE + b"\x03", now=1.0)
    out += framer.idle(1.1)
    assert out == [CODE]


def test_a_scanner_set_to_no_suffix_since_is_still_framed_by_a_longer_silence() -> None:
    framer = LineFramer(ANY, max_length=512, gap_s=0.06)
    out = framer.feed(CODE + b"\r", now=1.0)
    out += framer.feed(CODE, now=2.0)
    assert framer.idle(2.5) == []  # within a suffixed scanner's pause
    out += framer.idle(3.1)  # a second of silence ends it
    out += framer.feed(CODE, now=4.0)
    out += framer.idle(4.1)  # and the short gap frames again
    assert out == [CODE, CODE, CODE]
