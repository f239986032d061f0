"""Secrets never leave the device in a support bundle or a log: hashed PINs in configs, values in tracebacks."""

from __future__ import annotations

import io
import logging

from commissioning.support import redact_toml
from ground.logs import RedactingFilter

KIOSK = '''
[device]
role = "kiosk"
[kiosk]
technician_pin_hash = "scrypt$16384$8$1$c2FsdA$aGFzaGhhc2hoYXNo"
'''


def test_the_kiosk_technician_pin_hash_is_redacted():
    text = redact_toml(KIOSK)
    assert "aGFzaGhhc2hoYXNo" not in text and "technician_pin_hash" in text and "[redacted]" in text


def test_a_traceback_is_redacted_like_the_message():
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RedactingFilter())
    logger = logging.getLogger("test.redaction")
    logger.addHandler(handler)
    logger.propagate = False
    try:
        try:
            raise ValueError("node refused Bearer sqd_abcdefghijklmnop")
        except ValueError:
            logger.exception("call failed")
    finally:
        logger.removeHandler(handler)
    out = stream.getvalue()
    assert "Traceback" in out and "ValueError" in out
    assert "sqd_abcdefghijklmnop" not in out and "abcdefghijklmnop" not in out
