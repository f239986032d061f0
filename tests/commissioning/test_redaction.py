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


# --- review 18 -------------------------------------------------------------------------------------------------

KEY = "UhVi_DrvXdwDqz71WHelu6DNDnXAxecjiXl7OsoZkRk"
BROKEN = f'''# being edited, one quote missing: the very file a technician sends a bundle about
[branch]
id = "BR042
appointment_key = "{KEY}"
phone_link_key = '{"ab" * 32}'
[kiosk]
technician_pin_hash = "scrypt$16384$8$1$c2FsdA$aGFzaGhhc2hoYXNo"
[cluster]
self_address = "10.0.0.5:8471"
secret = "cluster-secret-value-1234"
'''


def test_an_invalid_toml_file_keeps_no_secret():
    """A config that does not parse fell back to the log redaction, which knows no appointment_key, no PIN hash,
    no cluster secret: all three went to support in clear."""
    text = redact_toml(BROKEN)
    for secret in (KEY, "ab" * 32, "aGFzaGhhc2hoYXNo", "cluster-secret-value-1234"):
        assert secret not in text, text
    assert 'id = "BR042' in text and 'self_address = "10.0.0.5:8471"' in text  # the rest stays readable


def test_central_database_url_password_is_redacted():
    """[central] database_url is a SecretStr (postgresql://user:PASSWORD@host/db): it went out in clear."""
    text = redact_toml('[central]\nhost = "127.0.0.1"\n'
                       'database_url = "postgresql://sqcentral:Hunter2CentralPw@db.example/sq"\n')
    assert "Hunter2CentralPw" not in text and "db.example" in text, text


def test_a_url_password_and_a_key_in_a_log_line_are_redacted():
    from ground.logs import redact

    line = redact(f"connecting to postgresql://sq:Hunter2CentralPw@db/sq; bad appointment_key='{KEY}'")
    assert "Hunter2CentralPw" not in line and KEY not in line and "db/sq" in line, line
