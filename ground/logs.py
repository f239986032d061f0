"""Logging for every SmartQueue process: one format, and secrets redacted before any handler sees them."""

from __future__ import annotations

import logging
import os
import re
from logging.handlers import RotatingFileHandler

_SECRET = re.compile(r"(sq[ds]_[A-Za-z0-9_\-.]{8,})|((?i:bearer)\s+\S+)|((?i:password|pin|token)[\"']?\s*[:=]\s*\S+)")
#: `name_key=VALUE`, `secret: VALUE` (an appointment key, a phone link key, a cluster secret in a traceback).
_NAMED = re.compile(r"(?i)\b([a-z0-9_-]*[_-]key|secret|[a-z0-9_]*_secret|[a-z0-9_]*pin_hash)"
                    r"([\"']?\s*[:=]\s*)[\"']?[^\s\"',;)}]+[\"']?")
#: the password in a URL's user information: postgresql://user:PASSWORD@host/db, mqtts://u:PASSWORD@broker
_URL_PASSWORD = re.compile(r"(://[^\s/:@]*:)[^\s/@]+@")


def redact(text: str) -> str:
    text = _URL_PASSWORD.sub(lambda m: m.group(1) + "[redacted]@", text)
    text = _NAMED.sub(lambda m: m.group(1) + m.group(2) + "[redacted]", text)
    return _SECRET.sub(lambda m: m.group(0)[:6] + "…[redacted]", text)


class RedactingFilter(logging.Filter):
    """Redacts the message, the traceback and the exception's text (a parser error quoting a header line), and
    the stack: a formatter prints `exc_text` when it is set, so the redacted copy is what reaches the handler."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, ()
        # a traceback quotes values too (an exception's message, a request's URL): redact its text, which every
        # handler's formatter then uses as is
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True


def setup_logging(level: str = "INFO", log_file: str | None = None) -> None:
    """Log to stderr (journald under systemd, which rotates), and to a rotating file when one is given
    (`log_file` or SMARTQUEUE_LOG_FILE): 5 files of 5 MB, for devices without journald."""
    formatter = logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s")
    handlers: list[logging.Handler] = [logging.StreamHandler()]
    log_file = log_file or os.environ.get("SMARTQUEUE_LOG_FILE")
    if log_file:
        handlers.append(RotatingFileHandler(log_file, maxBytes=5_000_000, backupCount=5, encoding="utf-8"))
    for handler in handlers:
        handler.setFormatter(formatter)
        handler.addFilter(RedactingFilter())
    root = logging.getLogger()
    root.handlers[:] = handlers
    root.setLevel(level)
