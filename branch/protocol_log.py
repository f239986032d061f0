"""What the HTTP protocol layer logs about broken requests: one line per client per interval, never a traceback.

aiohttp logs every request it cannot parse (a NUL in a header, an 8 KB header line, Content-Length with
Transfer-Encoding) as an ERROR with a traceback; a client can send thousands a second and fill the disk. The node
gives aiohttp its own logger carrying this filter: the first broken request from an address in `interval_s` is
logged as one WARNING line (the reason, redacted); the others are counted and reported with the next line.
"""

from __future__ import annotations

import logging
import time

from ground.logs import redact

PROTOCOL_LOGGER = "branch.http_protocol"


class BrokenRequestFilter(logging.Filter):
    def __init__(self, interval_s: float = 60.0, clock=time.monotonic, max_clients: int = 4096) -> None:
        super().__init__()
        self.interval_s, self.clock, self.max_clients = interval_s, clock, max_clients
        self._clients: dict[str, tuple[float, int]] = {}  # address -> (last logged, suppressed since)

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno < logging.WARNING:
            return False  # aiohttp's debug chatter about premature disconnections
        client = str(record.args[0]) if isinstance(record.args, tuple) and record.args else "unknown client"
        now = self.clock()
        last, suppressed = self._clients.get(client, (float("-inf"), 0))
        if now - last < self.interval_s:
            self._clients[client] = (last, suppressed + 1)
            return False
        if len(self._clients) >= self.max_clients:
            self._clients = {c: v for c, v in self._clients.items() if now - v[0] < self.interval_s}
        self._clients[client] = (now, 0)
        reason = _reason(record)
        more = f" ({suppressed} more from this client since the last report)" if suppressed else ""
        record.msg, record.args = "broken request from %s: %s%s", (client, reason, more)
        record.levelno, record.levelname = logging.WARNING, "WARNING"
        record.exc_info, record.exc_text, record.stack_info = None, None, None
        return True


def _reason(record: logging.LogRecord) -> str:
    error = record.exc_info[1] if record.exc_info else None
    if error is None:
        return redact(str(record.msg))[:200]
    text = " ".join(str(error).split())  # one line, whatever the parser echoed
    return redact(f"{type(error).__name__}: {text}")[:200]


def protocol_logger() -> logging.Logger:
    """The logger handed to aiohttp's request handlers, with the filter installed once."""
    logger = logging.getLogger(PROTOCOL_LOGGER)
    if not any(isinstance(f, BrokenRequestFilter) for f in logger.filters):
        logger.addFilter(BrokenRequestFilter())
    return logger
