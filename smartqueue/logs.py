"""Logging for every SmartQueue process: one format, and secrets redacted before any handler sees them."""

from __future__ import annotations

import logging
import re

_SECRET = re.compile(r"(sq[ds]_[A-Za-z0-9_\-.]{8,})|((?i:bearer)\s+\S+)|((?i:password|pin|token)[\"']?\s*[:=]\s*\S+)")


def redact(text: str) -> str:
    return _SECRET.sub(lambda m: m.group(0)[:6] + "…[redacted]", text)


class RedactingFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, ()
        return True


def setup_logging(level: str = "INFO") -> None:
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(RedactingFilter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
